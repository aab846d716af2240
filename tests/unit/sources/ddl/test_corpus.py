"""Real public schemas (../shared/corpus, when present): every table and column found, and the
bundled rules keep their strict column-level F1 at or above 0.95 on each."""

import csv
import importlib.util
import sys

import pytest
from support.paths import REPO, SHARED

from pdscan.sources.ddl.source import scan_ddl_files

CORPUS = SHARED / "corpus" / "schemas"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (CORPUS / "labels.csv").is_file(), reason=f"labelled corpus not found at {CORPUS}"),
]
EXPECTED = {
    "opencart_3.0.5.0.mysql.sql": (134, 826),
    "synapse_main_full_72.sqlite.sql": (132, 614),
    "northwind_instnwnd.mssql.sql": (13, 88),
    "chinook_1.4.5.pgsql.sql": (11, 64),
    "listmonk_schema.pgsql.sql": (16, 126),
    "orangehrm_4.10.1.mysql.sql": (168, 997),
}


def labelled_columns(file_name: str) -> list[dict[str, str]]:
    with (CORPUS / "labels.csv").open(encoding="utf-8", newline="") as handle:
        return [row for row in csv.DictReader(handle) if row["file"] == file_name]


@pytest.mark.parametrize("file_name", sorted(EXPECTED))
def test_every_table_and_labelled_column_is_found(file_name: str) -> None:
    result = scan_ddl_files([CORPUS / file_name], database=file_name)
    assert not result.skipped
    assert (len(result.tables), sum(len(t.columns) for t in result.tables)) == EXPECTED[file_name]
    found = {(t.name.lower(), c.name.lower()) for t in result.tables for c in t.columns}
    labelled = {(r["table"].lower(), r["column"].lower()) for r in labelled_columns(file_name)}
    assert labelled == found


@pytest.mark.parametrize("file_name", sorted(EXPECTED))
def test_strict_column_f1_meets_the_target(file_name: str) -> None:
    spec = importlib.util.spec_from_file_location("accuracy", REPO / "benchmarks" / "accuracy.py")
    assert spec and spec.loader
    accuracy = importlib.util.module_from_spec(spec)
    sys.modules["accuracy"] = accuracy  # dataclasses look their module up there
    spec.loader.exec_module(accuracy)
    rows = [r for r in labelled_columns(file_name) if not r["note"].startswith("ambiguous:")]
    truth = {(r["table"].lower(), r["column"].lower()): r["category"] for r in rows}
    predicted = accuracy.predict(CORPUS / file_name)
    total, _, mistakes = accuracy.score(truth, {k: v for k, v in predicted.items() if k in truth})
    assert total.f1 >= 0.95, mistakes
