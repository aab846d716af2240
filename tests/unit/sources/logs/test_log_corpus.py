"""Real public logs (../shared/corpus, when present) scored at occurrence level as the corpus
README says, and our decoy logs (tests/fixtures/logs/decoys) that must give nothing at all."""

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
from support.paths import REPO

pytestmark = pytest.mark.slow

CORPUS = REPO.parent / "shared" / "corpus"
DECOYS = REPO / "tests" / "fixtures" / "logs" / "decoys"


def accuracy() -> ModuleType:
    spec = importlib.util.spec_from_file_location("accuracy", REPO / "benchmarks" / "accuracy.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["accuracy"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(not (CORPUS / "logs" / "labels.csv").is_file(), reason=f"labelled logs not found at {CORPUS}")
def test_occurrence_f1_meets_the_target_on_each_corpus_log_and_controls_give_nothing() -> None:
    harness = accuracy()
    labels = harness.read_log_labels(CORPUS / "logs" / "labels.csv")
    files = sorted({label.file for label in labels})
    controls = harness.negative_controls(CORPUS / "logs", set(files))
    assert len(files) >= 6 and controls, (files, controls)
    predictions = []
    for name in files + controls:
        output = harness.run_scanner(CORPUS / "logs" / name)
        assert output.error is None, output.error
        predictions += [harness.prediction_of(name, record) for record in output.records]
    result = harness.score_logs(labels, predictions)
    for name in files:
        assert result.total(name).f1 >= 0.97, (name, result.false_positives[:5], result.false_negatives[:5])
    for name in controls:
        assert result.total(name).false_positive == 0, (name, result.false_positives[:5])


def test_decoy_logs_give_nothing() -> None:
    harness = accuracy()
    names = sorted(path.name for path in DECOYS.iterdir() if path.suffix in (".log", ".jsonl"))
    assert len(names) == 4
    for name in names:
        output = harness.run_scanner(DECOYS / name)
        assert output.error is None, output.error
        assert output.records == [], (name, output.records[:3])


def test_a_log_no_label_names_is_a_negative_control(tmp_path: Path) -> None:
    harness = accuracy()
    for name in ("labels.csv", "README.md", "named.log", "control.log", ".hidden.log"):
        (tmp_path / name).write_text("x\n", encoding="utf-8")
    assert harness.negative_controls(tmp_path, {"named.log"}) == ["control.log"]


def test_the_harness_scans_with_the_installed_package_not_a_source_tree_in_the_working_directory() -> None:
    command = accuracy().scan_command(Path("a.log"))
    assert command[1:4] == ["-P", "-m", "pdscan"]
