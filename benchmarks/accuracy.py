"""Column-level precision, recall and F1 of the bundled rules on a labelled schema corpus.

Usage: python benchmarks/accuracy.py CORPUS_DIR [--verbose]

CORPUS_DIR holds `schemas/labels.csv` (file,table,column,category,note: one row for every
column) and the schema files it names, laid out like ../shared/corpus. Each file is scanned with
the DDL source, every column classified by name, each data type mapped to its category by the
bundled policy. Scoring follows the corpus README: key (table, column) case-insensitively, table
without schema prefix; `strict` drops rows whose note starts with `ambiguous:` from truth and
predictions, `full` keeps them. A measurement, not a test: it always exits 0.
"""

from __future__ import annotations

import argparse
import csv
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from pdscan.detect.names import NameClassifier
from pdscan.policy import load_policy
from pdscan.sources.sql_ddl import scan_ddl_files

NONE = "none"
NOT_IN_POLICY = "not_in_policy"  # a data type detected that no category of the policy covers
MODES = ("strict", "full")
Key = tuple[str, str]


@dataclass(frozen=True)
class Score:
    true_positive: int
    false_positive: int
    false_negative: int

    @property
    def precision(self) -> float:
        found = self.true_positive + self.false_positive
        return self.true_positive / found if found else 1.0

    @property
    def recall(self) -> float:
        expected = self.true_positive + self.false_negative
        return self.true_positive / expected if expected else 1.0

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0

    def __add__(self, other: Score) -> Score:
        return Score(
            self.true_positive + other.true_positive,
            self.false_positive + other.false_positive,
            self.false_negative + other.false_negative,
        )

    def line(self) -> str:
        return (
            f"P={self.precision:.3f} R={self.recall:.3f} F1={self.f1:.3f} "
            f"(tp={self.true_positive} fp={self.false_positive} fn={self.false_negative})"
        )


ZERO = Score(0, 0, 0)


def key_of(table: str, column: str) -> Key:
    """(table, column) as the corpus README scores them: lower case, no schema prefix."""
    return table.split(".")[-1].lower(), column.lower()


def predict(schema: Path) -> dict[Key, str]:
    """(table, column) -> predicted category ('none' when nothing is detected)."""
    policy = load_policy()
    classifier = NameClassifier.bundled()
    scan = scan_ddl_files([schema], database=str(schema))
    predictions = {}
    for table in scan.tables:
        for column in table.columns:
            detections = classifier.classify(column, table)
            category = policy.category_for(detections[0].data_type) if detections else None
            if category is not None:
                predictions[key_of(table.name, column.name)] = category.id
            else:
                predictions[key_of(table.name, column.name)] = NOT_IN_POLICY if detections else NONE
    return predictions


def score(truth: dict[Key, str], predicted: dict[Key, str]) -> tuple[Score, dict[str, Score], list[str]]:
    """Micro-averaged score, score per category, and every mistake as a readable line."""
    counts: dict[str, Counter[str]] = {}
    mistakes = []
    for key, expected in sorted(truth.items()):
        got = predicted.get(key, NONE)
        if got == expected:
            if expected != NONE:
                counts.setdefault(expected, Counter())["tp"] += 1
            continue
        if got != NONE:
            counts.setdefault(got, Counter())["fp"] += 1
        if expected != NONE:
            counts.setdefault(expected, Counter())["fn"] += 1
        mistakes.append(f"{key[0]}.{key[1]}: expected {expected}, got {got}")
    per_category = {c: Score(n["tp"], n["fp"], n["fn"]) for c, n in sorted(counts.items())}
    return sum(per_category.values(), ZERO), per_category, mistakes


def errors(truth: dict[Key, str], predicted: dict[Key, str]) -> tuple[list[str], list[str]]:
    """False positives (a category predicted that the label does not have) and false negatives."""
    false_positives, false_negatives = [], []
    for key, expected in sorted(truth.items()):
        got = predicted.get(key, NONE)
        if got == expected:
            continue
        if got != NONE:
            false_positives.append(f"{key[0]}.{key[1]}: predicted {got}, labelled {expected}")
        if expected != NONE:
            false_negatives.append(f"{key[0]}.{key[1]}: labelled {expected}, predicted {got}")
    return false_positives, false_negatives


def read_labels(labels_path: Path) -> dict[str, list[dict[str, str]]]:
    rows_by_file: dict[str, list[dict[str, str]]] = {}
    with labels_path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            rows_by_file.setdefault(row["file"], []).append(row)
    return rows_by_file


def truth_for(rows: list[dict[str, str]], mode: str) -> dict[Key, str]:
    kept = [row for row in rows if mode == "full" or not (row["note"] or "").startswith("ambiguous:")]
    return {key_of(row["table"], row["column"]): row["category"] for row in kept}


def print_categories(per_category: dict[str, Score]) -> None:
    for category, item in sorted(per_category.items()):
        print(f"      {category:18} {item.line()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path, help="a folder with schemas/labels.csv and the schema files")
    parser.add_argument("--verbose", action="store_true", help="list every false positive and false negative")
    arguments = parser.parse_args()
    labels_path = arguments.corpus / "schemas" / "labels.csv"
    if not labels_path.is_file():
        print(f"{labels_path}: no labels file; nothing measured")
        return

    totals = {mode: ZERO for mode in MODES}
    category_totals: dict[str, dict[str, Score]] = {mode: {} for mode in MODES}
    for file_name, rows in sorted(read_labels(labels_path).items()):
        schema = arguments.corpus / "schemas" / file_name
        if not schema.is_file():
            print(f"\n== {file_name}: labelled but not found at {schema}; skipped")
            continue
        predicted = predict(schema)
        print(f"\n== {file_name}: {len(rows)} labelled columns, {len(predicted)} scanned")
        for mode in MODES:
            truth = truth_for(rows, mode)
            kept = {key: value for key, value in predicted.items() if key in truth}
            total, per_category, _ = score(truth, kept)
            totals[mode] += total
            for category, item in per_category.items():
                category_totals[mode][category] = category_totals[mode].get(category, ZERO) + item
            print(f"  {mode:6} micro {total.line()}")
            print_categories(per_category)
            if arguments.verbose:
                false_positives, false_negatives = errors(truth, kept)
                print(f"    {mode} false positives ({len(false_positives)}):")
                for line in false_positives:
                    print(f"      {line}")
                print(f"    {mode} false negatives ({len(false_negatives)}):")
                for line in false_negatives:
                    print(f"      {line}")
    print("\n== total (micro-averaged over all files)")
    for mode in MODES:
        print(f"  {mode:6} micro {totals[mode].line()}")
        print_categories(category_totals[mode])


if __name__ == "__main__":
    main()
