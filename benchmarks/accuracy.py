"""Precision, recall and F1 of pdscan on a labelled corpus: schema columns and log occurrences.

Usage: python benchmarks/accuracy.py CORPUS_DIR [--verbose] [--decoys DIR]

Schemas: CORPUS_DIR holds `schemas/labels.csv` (file,table,column,category,note: one row for every
column) and the schema files it names, laid out like ../shared/corpus. Each file is scanned with
the DDL source, every column classified by name, each data type mapped to its category by the
bundled policy. Scoring follows the corpus README: key (table, column) case-insensitively, table
without schema prefix; `strict` drops rows whose note starts with `ambiguous:` from truth and
predictions, `full` keeps them.

Logs: `logs/labels.csv` (file,line,category,value: one row per personal value occurrence) and the
log files it names. Each file is scanned by pdscan's CLI (`scan --format ndjson --show-data`); a
prediction matches a label on the same file, line and category when the values are equal or one
contains the other, one to one (exact matches first). A file whose scan fails is reported and left
out. A log file in `logs/` that no label names is a negative control: everything pdscan reports
there is a false positive. Decoys: every record pdscan reports in the decoy folder (log files with look-alikes but no
personal data) is a false alarm; the hit rate divides them by the look-alike tokens in the files.

Each part runs when its labels (or folder) exist; the run ends with one line per file (strict and
full F1 for schemas, F1 and counts for logs), easy to compare before and after a change. It
measures the pdscan that is installed (`pip install -e .` in a checkout), also when run from the
repository root. A measurement, not a test: it always exits 0.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pdscan
from pdscan.detect.names import NameClassifier
from pdscan.policy import load_policy
from pdscan.sources.ddl.source import scan_ddl_files

NONE = "none"
NOT_IN_POLICY = "not_in_policy"  # a data type detected that no category of the policy covers
MODES = ("strict", "full")
Key = tuple[str, str]

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DECOYS = REPO_ROOT / "tests" / "fixtures" / "logs" / "decoys"
DECOY_CANDIDATE = re.compile(r"\d[\d.:-]{6,}\d|[0-9a-f]{8}-[0-9a-f]{4}-")  # loose look-alike tokens
DECOY_TARGET = 0.01  # hit rate the bundled rules aim to stay under
SCAN_TIMEOUT = 600  # seconds for one file
VERBOSE_LIMIT = 20  # false positives and false negatives listed per file with --verbose
STDERR_LIMIT = 600  # characters of a failed scan's stderr printed (its tail)


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


# ---------------------------------------------------------------------------------------------
# Logs, occurrence level


@dataclass(frozen=True)
class Occurrence:
    """One personal value at a place in a log: a label, or a prediction of the scanner."""

    file: str
    line: int
    category: str
    value: str

    def describe(self) -> str:
        return f"line {self.line:>5}  {self.category:18} {self.value!r}"


@dataclass
class LogScore:
    """Counts per (file, category), and the unmatched predictions and labels."""

    counts: dict[tuple[str, str], Score] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)  # every file scanned, negative controls included
    false_positives: list[Occurrence] = field(default_factory=list)
    false_negatives: list[Occurrence] = field(default_factory=list)

    def add(self, file: str, category: str, item: Score) -> None:
        self.counts[file, category] = self.counts.get((file, category), ZERO) + item

    def per_category(self, file: str | None = None) -> dict[str, Score]:
        """Score per category, over every file or over one."""
        result: dict[str, Score] = {}
        for (name, category), item in sorted(self.counts.items()):
            if file is None or name == file:
                result[category] = result.get(category, ZERO) + item
        return result

    def total(self, file: str | None = None) -> Score:
        return sum(self.per_category(file).values(), ZERO)


def values_match(predicted: str, labelled: str) -> bool:
    """The corpus README's rule: equal, or one contains the other (never through an empty value)."""
    return bool(predicted) and bool(labelled) and (predicted in labelled or labelled in predicted)


def match_values(labelled: list[str], predicted: list[str]) -> tuple[int, list[str], list[str]]:
    """Pair values one to one, exact matches first, then containment (closest length first).

    Returns (matched pairs, unmatched predicted values, unmatched labelled values).
    """
    left = list(labelled)
    inexact = []
    matched = 0
    for value in predicted:
        if value in left:
            left.remove(value)
            matched += 1
        else:
            inexact.append(value)
    unmatched = []
    for value in inexact:
        candidates = [index for index, label in enumerate(left) if values_match(value, label)]
        if candidates:
            del left[min(candidates, key=lambda index: abs(len(left[index]) - len(value)))]
            matched += 1
        else:
            unmatched.append(value)
    return matched, unmatched, left


def score_logs(labels: Iterable[Occurrence], predictions: Iterable[Occurrence]) -> LogScore:
    """Occurrence-level score of predictions against labels; pure, no scanning involved.

    A prediction matches a label of the same file, line and category whose value is equal to
    it or contains it or is contained in it; each label matches at most one prediction. TP and
    FN count under the label's category, FP under the prediction's. Labels of category `none`
    are ignored.

    >>> labels = [Occurrence("a.log", 1, "ip_address", "10.0.0.1"), Occurrence("a.log", 1, "account", "root"),
    ...           Occurrence("a.log", 2, "ip_address", "10.0.0.2"), Occurrence("a.log", 2, "ip_address", "10.0.0.2")]
    >>> predictions = [Occurrence("a.log", 1, "ip_address", "from 10.0.0.1"),  # contains the label: TP
    ...                Occurrence("a.log", 1, "account", "roo"),                # contained in the label: TP
    ...                Occurrence("a.log", 2, "ip_address", "10.0.0.2"),        # TP, one of the two labels
    ...                Occurrence("a.log", 2, "device", "10.0.0.2"),            # wrong category: FP
    ...                Occurrence("a.log", 3, "ip_address", "10.0.0.3")]        # no label on line 3: FP
    >>> result = score_logs(labels, predictions)
    >>> result.total().line()
    'P=0.600 R=0.750 F1=0.667 (tp=3 fp=2 fn=1)'
    >>> sorted(result.per_category().items())  # doctest: +NORMALIZE_WHITESPACE
    [('account', Score(true_positive=1, false_positive=0, false_negative=0)),
     ('device', Score(true_positive=0, false_positive=1, false_negative=0)),
     ('ip_address', Score(true_positive=2, false_positive=1, false_negative=1))]
    >>> [item.line for item in result.false_positives], [item.line for item in result.false_negatives]
    ([2, 3], [2])
    """
    groups: dict[tuple[str, int, str], tuple[list[str], list[str]]] = {}
    for label in labels:
        if label.category != NONE:
            groups.setdefault((label.file, label.line, label.category), ([], []))[0].append(label.value)
    for prediction in predictions:
        groups.setdefault((prediction.file, prediction.line, prediction.category), ([], []))[1].append(prediction.value)
    result = LogScore()
    for (file, line, category), (labelled, predicted) in sorted(groups.items()):
        matched, unmatched_predicted, unmatched_labelled = match_values(labelled, predicted)
        result.add(file, category, Score(matched, len(unmatched_predicted), len(unmatched_labelled)))
        result.false_positives.extend(Occurrence(file, line, category, value) for value in unmatched_predicted)
        result.false_negatives.extend(Occurrence(file, line, category, value) for value in unmatched_labelled)
    return result


def read_log_labels(labels_path: Path) -> list[Occurrence]:
    with labels_path.open(encoding="utf-8", newline="") as handle:
        return [
            Occurrence(row["file"], int(row["line"]), row["category"], row["value"]) for row in csv.DictReader(handle)
        ]


@dataclass
class ScanOutput:
    """The ndjson records of one scan, or why it failed."""

    records: list[dict] = field(default_factory=list)
    error: str | None = None
    ignored: int = 0  # stdout lines that are not a JSON object


def scan_command(path: Path) -> list[str]:
    """The CLI of the pdscan this harness imported: `-P` keeps a source tree in the working
    directory (the repository root) from shadowing the installed package and its rules."""
    scan = ["scan", str(path), "--format", "ndjson", "--show-data", "--fail-on", "never", "--quiet"]
    return [sys.executable, "-P", "-m", "pdscan", *scan]


def one_line(text: str) -> str:
    """A process's stderr on one line, its tail when long (a traceback ends with the error)."""
    joined = " | ".join(line.strip() for line in text.splitlines() if line.strip()) or "(no stderr)"
    return joined if len(joined) <= STDERR_LIMIT else "…" + joined[-STDERR_LIMIT:]


def parse_ndjson(stdout: str) -> ScanOutput:
    output = ScanOutput()
    for line in stdout.splitlines():
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            record = None
        if isinstance(record, dict):
            output.records.append(record)
        else:
            output.ignored += 1
    return output


def run_scanner(path: Path, command: Callable[[Path], list[str]] = scan_command) -> ScanOutput:
    """Scan one file with pdscan's CLI; a non-zero exit, a timeout or no executable is an error."""
    try:
        process = subprocess.run(command(path), capture_output=True, text=True, timeout=SCAN_TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        return ScanOutput(error=one_line(str(error)))
    if process.returncode != 0:
        return ScanOutput(error=f"exit {process.returncode}: {one_line(process.stderr)}")
    return parse_ndjson(process.stdout)


def prediction_of(file: str, record: dict) -> Occurrence:
    """An ndjson record as a prediction; a data type outside the policy is `not_in_policy`."""
    value = record.get("value")
    return Occurrence(
        file,
        int(record.get("line") or 0),
        record.get("category") or NOT_IN_POLICY,
        "" if value is None else str(value),
    )


def print_errors(title: str, items: list[Occurrence]) -> None:
    shown = f", first {VERBOSE_LIMIT}" if len(items) > VERBOSE_LIMIT else ""
    print(f"    {title} ({len(items)}{shown}):")
    for item in items[:VERBOSE_LIMIT]:
        print(f"      {item.describe()}")


def negative_controls(folder: Path, labelled: set[str]) -> list[str]:
    """Log files in the corpus that no label names: whatever pdscan reports there is a false positive."""
    return sorted(
        path.name
        for path in folder.iterdir()
        if path.is_file()
        and path.name not in labelled
        and not path.name.startswith(".")
        and path.suffix.lower() not in (".csv", ".md")
    )


def measure_logs(corpus: Path, verbose: bool, command: Callable[[Path], list[str]] = scan_command) -> LogScore | None:
    """Scan every log file of CORPUS/logs (labelled, or a negative control), print its score;
    None if none was scanned."""
    labels_path = corpus / "logs" / "labels.csv"
    labels_by_file: dict[str, list[Occurrence]] = {}
    for label in read_log_labels(labels_path):
        labels_by_file.setdefault(label.file, []).append(label)
    controls = negative_controls(corpus / "logs", set(labels_by_file))
    for name in controls:
        labels_by_file[name] = []
    print(
        f"\n==== logs ({labels_path}): {len(labels_by_file) - len(controls)} labelled files and"
        f" {len(controls)} negative controls, occurrence level"
    )
    labels: list[Occurrence] = []
    predictions: list[Occurrence] = []
    scanned = []
    for file_name, file_labels in sorted(labels_by_file.items()):
        path = corpus / "logs" / file_name
        if not path.is_file():
            print(f"\n== {file_name}: labelled but not found at {path}; skipped")
            continue
        output = run_scanner(path, command)
        if output.error is not None:
            print(f"\n== {file_name}: scan failed, left out: {output.error}")
            continue
        scanned.append(file_name)
        labels.extend(file_labels)
        predictions.extend(prediction_of(file_name, record) for record in output.records)
        ignored = f", {output.ignored} non-JSON stdout lines ignored" if output.ignored else ""
        control = " (negative control: every one is a false positive)" if file_name in controls else ""
        print(
            f"\n== {file_name}: {len(file_labels)} labelled occurrences,"
            f" {len(output.records)} predicted{control}{ignored}"
        )
    if not scanned:
        print("\n== logs total: no labelled log file could be scanned; nothing measured")
        return None
    result = score_logs(labels, predictions)
    result.files = scanned
    for file_name in scanned:
        print(f"\n== {file_name}")
        print(f"  micro {result.total(file_name).line()}")
        print_categories(result.per_category(file_name))
        if verbose:
            print_errors("false positives", [item for item in result.false_positives if item.file == file_name])
            print_errors("false negatives", [item for item in result.false_negatives if item.file == file_name])
    left_out = len(labels_by_file) - len(scanned)
    note = f"; {left_out} files left out" if left_out else ""
    print(f"\n== logs total (micro-averaged over {len(scanned)} scanned files{note})")
    print(f"  micro {result.total().line()}")
    print_categories(result.per_category())
    return result


# ---------------------------------------------------------------------------------------------
# Decoys: log files without personal data


def count_candidates(text: str) -> int:
    """Look-alike tokens a careless scanner could take for personal data (numbers, versions, UUIDs)."""
    return len(DECOY_CANDIDATE.findall(text))


def hit_rate(records: int, candidates: int) -> float:
    return records / candidates if candidates else 0.0


def decoy_files(folder: Path) -> list[Path]:
    return sorted(
        path
        for path in folder.iterdir()
        if path.is_file() and not path.name.startswith(".") and path.name.lower() != "readme.md"
    )


def measure_decoys(folder: Path, verbose: bool, command: Callable[[Path], list[str]] = scan_command) -> None:
    """Every record pdscan reports in the decoy files is a false alarm; print the hit rate."""
    print(f"\n==== decoys ({folder}): every reported occurrence is a false positive")
    if not folder.is_dir():
        print(f"  {folder}: not a folder; nothing measured")
        return
    total_records = total_candidates = 0
    for path in decoy_files(folder):
        candidates = count_candidates(path.read_text(encoding="utf-8", errors="replace"))
        output = run_scanner(path, command)
        if output.error is not None:
            print(f"  {path.name:22} scan failed, left out: {output.error}")
            continue
        records = len(output.records)
        total_records += records
        total_candidates += candidates
        rate = hit_rate(records, candidates)
        print(f"  {path.name:22} records={records:<5} candidates={candidates:<5} hit rate={rate:.2%}")
        if verbose and records:
            print_errors("false positives", [prediction_of(path.name, record) for record in output.records])
    rate = hit_rate(total_records, total_candidates)
    verdict = "met" if rate <= DECOY_TARGET else "missed"
    print(
        f"  {'total':22} records={total_records:<5} candidates={total_candidates:<5} hit rate={rate:.2%}"
        f" (target <= {DECOY_TARGET:.0%}: {verdict})"
    )


def measure_schemas(corpus: Path, verbose: bool) -> dict[str, dict[str, Score]]:
    """Score every labelled schema file; returns file -> mode -> micro score."""
    per_file: dict[str, dict[str, Score]] = {}
    labels_path = corpus / "schemas" / "labels.csv"
    totals = {mode: ZERO for mode in MODES}
    category_totals: dict[str, dict[str, Score]] = {mode: {} for mode in MODES}
    for file_name, rows in sorted(read_labels(labels_path).items()):
        schema = corpus / "schemas" / file_name
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
            per_file.setdefault(file_name, {})[mode] = total
            for category, item in per_category.items():
                category_totals[mode][category] = category_totals[mode].get(category, ZERO) + item
            print(f"  {mode:6} micro {total.line()}")
            print_categories(per_category)
            if verbose:
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
    return per_file


def print_summary(schemas: dict[str, dict[str, Score]], logs: LogScore | None) -> None:
    """One line per file, to compare runs before and after a change."""
    print("\n==== summary: one line per file")
    for name, scores in sorted(schemas.items()):
        strict, full = scores["strict"], scores["full"]
        print(
            f"  schema {name:36} strict F1={strict.f1:.3f} full F1={full.f1:.3f}"
            f"  (strict tp={strict.true_positive} fp={strict.false_positive} fn={strict.false_negative})"
        )
    for name in logs.files if logs else []:
        total = logs.total(name) if logs else ZERO
        print(
            f"  log    {name:36} F1={total.f1:.3f} P={total.precision:.3f} R={total.recall:.3f}"
            f"  (tp={total.true_positive} fp={total.false_positive} fn={total.false_negative})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "corpus", type=Path, help="a folder with schemas/labels.csv and/or logs/labels.csv and their files"
    )
    parser.add_argument(
        "--verbose",
        action="store_true",
        help=f"list every schema false positive and false negative, and up to {VERBOSE_LIMIT} per log file",
    )
    parser.add_argument(
        "--decoys",
        type=Path,
        metavar="DIR",
        help="a folder of log files without personal data (default: tests/fixtures/logs/decoys when it exists)",
    )
    arguments = parser.parse_args()
    print(f"pdscan {pdscan.__version__} from {Path(pdscan.__file__).parent}")
    schemas: dict[str, dict[str, Score]] = {}
    logs: LogScore | None = None
    for part in ("schemas", "logs"):
        labels_path = arguments.corpus / part / "labels.csv"
        if not labels_path.is_file():
            print(f"{labels_path}: no labels file; nothing measured")
        elif part == "schemas":
            schemas = measure_schemas(arguments.corpus, arguments.verbose)
        else:
            logs = measure_logs(arguments.corpus, arguments.verbose)
    decoys = arguments.decoys if arguments.decoys is not None else DEFAULT_DECOYS
    if arguments.decoys is not None or DEFAULT_DECOYS.is_dir():
        measure_decoys(decoys, arguments.verbose)
    print_summary(schemas, logs)


if __name__ == "__main__":
    main()
