"""A report pdscan wrote into a folder it scans later (`pdscan scan app.log --output
logs/report.json`, then `pdscan scan logs/`) is left out, and said so on stderr: read as a log
it was findings of pdscan's own findings, and a report not named like a log (csv, html) made
the scan partial. A report named on the command line is read as asked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.command import run_pdscan

from pdscan.sources.own_reports import report_format_of

ACCESS_LINE = '192.0.2.1 - carol [07/Dec/2026:10:00:00 +0000] "GET /?email=c@example.com HTTP/1.1" 200 1 "-" "curl/8"\n'
# (command, format, language, file name the report is written to in logs/)
REPORTS = [
    ("scan", "json", "en", "report.json"),
    ("scan", "ndjson", "en", "report.ndjson"),
    ("scan", "sarif", "en", "report.sarif"),
    ("scan", "markdown", "ru", "report.log"),
    ("scan", "html", "en", "report.html"),
    ("scan", "csv", "ru", "report.csv"),
    ("scan", "table", "en", "report.log"),
    ("scan", "table", "ru", "report.txt"),
    ("scan", "github", "en", "annotations.log"),
    ("scan", "fides", "en", "dataset.yml"),
    ("inventory", "json", "en", "inventory.json"),
    ("inventory", "table", "ru", "inventory.log"),
    ("inventory", "markdown", "en", "inventory.log"),
    ("inventory", "csv", "en", "inventory.csv"),
    ("inventory", "html", "en", "inventory.html"),
]


@pytest.mark.parametrize(("command", "format_name", "lang", "name"), REPORTS)
def test_a_report_written_into_a_scanned_folder_is_left_out_of_the_next_scan(
    tmp_path: Path, command: str, format_name: str, lang: str, name: str
) -> None:
    (tmp_path / "app.log").write_text(ACCESS_LINE)
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "access.log").write_text(ACCESS_LINE)
    output = f"logs/{name}"
    written = run_pdscan(command, "app.log", "--format", format_name, "--lang", lang, "--output", output, cwd=tmp_path)
    assert written.returncode in (0, 1), written.stderr
    assert report_format_of((tmp_path / output).read_bytes()) == format_name

    again = run_pdscan("scan", "logs", "--format", "json", cwd=tmp_path)
    report = json.loads(again.stdout)
    assert [source["source"] for source in report["sources"]] == ["logs/access.log"]
    assert report["skipped"] == []
    assert f"left out {output}: pdscan's own report ({format_name})" in again.stderr

    named = json.loads(run_pdscan("scan", output, "--format", "json", "-q", cwd=tmp_path).stdout)
    assert output in {item["source"] for item in named["sources"] + named["skipped"]}


def test_a_folder_holding_only_a_report_is_said_to_hold_no_file(tmp_path: Path) -> None:
    (tmp_path / "app.log").write_text(ACCESS_LINE)
    (tmp_path / "logs").mkdir()
    run_pdscan("scan", "app.log", "--format", "json", "--output", "logs/report.json", cwd=tmp_path)
    again = run_pdscan("scan", "logs", "--format", "json", "-q", cwd=tmp_path)
    assert again.returncode == 2
    assert "pdscan's own files aside" in json.loads(again.stdout)["skipped"][0]["reason"]


@pytest.mark.parametrize(
    "text",
    [
        '{"schema_version": "2", "tool": {"name": "other"}}',
        '{"source": "a", "value": 1}\n',
        "# Personal data policy\n",
        "pdscan is a scanner · rules\n",
        "source,kind,owner\n",
        '<meta name="generator" content="Hugo">',
        "",
    ],
)
def test_files_that_only_look_alike_are_not_reports(text: str) -> None:
    assert report_format_of(text.encode()) is None


def test_a_baseline_written_into_a_scanned_folder_is_left_out_too(tmp_path: Path) -> None:
    (tmp_path / "app.log").write_text(ACCESS_LINE)
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "access.log").write_text(ACCESS_LINE)
    run_pdscan("baseline", "app.log", "--output", "logs/accepted.json", "-q", cwd=tmp_path)
    again = run_pdscan("scan", "logs", "--format", "json", cwd=tmp_path)
    assert [source["source"] for source in json.loads(again.stdout)["sources"]] == ["logs/access.log"]
    assert "left out logs/accepted.json: pdscan's own report (baseline)" in again.stderr
