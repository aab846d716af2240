"""Column-level precision, recall and F1 of the bundled rules on a labelled schema corpus.

Usage: python benchmarks/accuracy.py CORPUS_DIR [--verbose]

CORPUS_DIR holds `schemas/labels.csv` (file,table,column,category,note: one row for every
column) and the schema files it names, laid out like ../shared/corpus. Scoring follows the
corpus README: key (table, column) case-insensitively, table without schema prefix; `strict`
drops rows whose note starts with `ambiguous:` from truth and predictions, `full` keeps them.
A measurement, not a test: it always exits 0.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from pdscan.detect.names import NameClassifier
from pdscan.policy import load_policy
from pdscan.sources.sql_ddl import scan_ddl_files

NONE = "none"


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


def predict(schema: Path) -> dict[tuple[str, str], str]:
    """(table, column) -> predicted category ('none' when nothing is detected)."""
    policy = load_policy()
    classifier = NameClassifier.bundled()
    scan = scan_ddl_files([schema], database=str(schema))
    predictions = {}
    for table in scan.tables:
        for column in table.columns:
            detections = classifier.classify(column, table)
            category = policy.category_for(detections[0].data_type) if detections else None
            key = (table.name.split(".")[-1].lower(), column.name.lower())
            predictions[key] = category.id if category else (NONE if not detections else "not_in_policy")
    return predictions


def score(
    truth: dict[tuple[str, str], str],
    predicted: dict[tuple[str, str], str],
) -> tuple[Score, dict[str, Score], list[str]]:
    per_category: dict[str, Counter[str]] = {}
    mistakes = []
    for key, expected in sorted(truth.items()):
        got = predicted.get(key, NONE)
        if got == expected:
            if expected != NONE:
                per_category.setdefault(expected, Counter())["tp"] += 1
            continue
        if got != NONE:
            per_category.setdefault(got, Counter())["fp"] += 1
        if expected != NONE:
            per_category.setdefault(expected, Counter())["fn"] += 1
        mistakes.append(f"{key[0]}.{key[1]}: expected {expected}, got {got}")
    scores = {c: Score(n["tp"], n["fp"], n["fn"]) for c, n in sorted(per_category.items())}
    total = sum(scores.values(), Score(0, 0, 0))
    return total, scores, mistakes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--verbose", action="store_true", help="list every false positive and negative")
    arguments = parser.parse_args()
    labels_path = arguments.corpus / "schemas" / "labels.csv"
    if not labels_path.is_file():
        sys.exit(f"{labels_path}: no labels file")
    rows_by_file: dict[str, list[dict[str, str]]] = {}
    with labels_path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            rows_by_file.setdefault(row["file"], []).append(row)

    totals = {"strict": Score(0, 0, 0), "full": Score(0, 0, 0)}
    for file_name, rows in sorted(rows_by_file.items()):
        predicted = predict(arguments.corpus / "schemas" / file_name)
        print(f"\n== {file_name}: {len(rows)} labelled columns, {len(predicted)} scanned")
        for mode in ("strict", "full"):
            kept = [r for r in rows if mode == "full" or not r["note"].startswith("ambiguous:")]
            truth = {(r["table"].split(".")[-1].lower(), r["column"].lower()): r["category"] for r in kept}
            total, per_category, mistakes = score(truth, {k: v for k, v in predicted.items() if k in truth})
            totals[mode] += total
            print(
                f"  {mode:6} P={total.precision:.3f} R={total.recall:.3f} F1={total.f1:.3f} "
                f"(tp={total.true_positive} fp={total.false_positive} fn={total.false_negative})"
            )
            if mode == "strict":
                for category, item in per_category.items():
                    print(
                        f"      {category:18} P={item.precision:.2f} R={item.recall:.2f} F1={item.f1:.2f} "
                        f"tp={item.true_positive} fp={item.false_positive} fn={item.false_negative}"
                    )
            if arguments.verbose:
                for mistake in mistakes:
                    print(f"      {mode}: {mistake}")
    print("\n== total (micro-averaged over all files)")
    for mode, total in totals.items():
        print(f"  {mode:6} P={total.precision:.3f} R={total.recall:.3f} F1={total.f1:.3f}")


if __name__ == "__main__":
    main()
