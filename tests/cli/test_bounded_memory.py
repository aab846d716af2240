"""Memory and work bounded by design, however many findings or occurrences a scan makes: a
log's matches are held a slice at a time, the terminal table of a huge schema lists the first
findings of each verdict and counts every one, the JSON report lists every finding.

Memory is measured as the peak resident set of a real `pdscan` process (ru_maxrss), never time.
"""

from __future__ import annotations

import json
import os
import subprocess
import tracemalloc
from pathlib import Path

import pytest
from support.command import PDSCAN, pdscan_environment, run_pdscan
from support.report_factory import ENGLISH, report, verdict

from pdscan.detect.names import NameClassifier
from pdscan.detect.user_rules import load_user_rules
from pdscan.formats.interface import FormatOptions, report_text
from pdscan.formats.json import JsonFormat, report_document
from pdscan.formats.table import LISTED_PER_VERDICT, TableFormat
from pdscan.model import VerdictKind
from pdscan.output_files import ReportOutput
from pdscan.policy import load_policy
from pdscan.scanner import ScanRequest, run_scan

pytestmark = pytest.mark.slow

WORDS = ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot")
EVERY_WORD_RULES = """\
value_detectors:
  - name: every_word
    data_type: user.name.first
    pattern: '\\b[a-z]+\\b'
    validator: none
    examples:
      match: ["hello there"]
      no_match: ["12345"]
"""
SCHEMA_COLUMNS = "email text, phone text, first_name text"
GROWTH_LIMIT_MB = 48  # what a 2 MB log of matches may add to the peak RSS of a one-line log's scan


def peak_rss_mb(*args: str, cwd: Path) -> float:
    """Peak resident set of one `pdscan` run (the process itself: --jobs 1 reads in it)."""
    process = subprocess.Popen(
        [str(PDSCAN), *args], cwd=cwd, env=pdscan_environment(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(process.pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, process.stderr.read() if process.stderr else ""
    return usage.ru_maxrss / 1024


def test_a_rule_matching_every_word_of_a_log_keeps_memory_flat(tmp_path: Path) -> None:
    """A user's rule that matches every word: 300,000 occurrences of one finding in 2 MB. The
    matches were held per 4 MiB block (147 MB more than a one-line log for 3 MB of words)."""
    (tmp_path / "rules.yaml").write_text(EVERY_WORD_RULES)
    line = " ".join(WORDS * 2) + "\n"
    (tmp_path / "one.log").write_text(line)
    (tmp_path / "words.log").write_text(line * (2_000_000 // len(line)))
    scan = ("scan", "--rules", "rules.yaml", "--jobs", "1", "--format", "json", "--fail-on", "never", "-q")
    small = peak_rss_mb(*scan, "one.log", "--output", "one.json", cwd=tmp_path)
    large = peak_rss_mb(*scan, "words.log", "--output", "words.json", cwd=tmp_path)
    assert large - small < GROWTH_LIMIT_MB, f"{small:.0f} MB for one line, {large:.0f} MB for 2 MB of words"
    [finding] = json.loads((tmp_path / "words.json").read_text())["findings"]
    lines = 2_000_000 // len(line)
    assert finding["occurrences"]["count"] == lines * len(WORDS) * 2, "counts stay exact"
    assert len(finding["occurrences"]["samples"]) == 3, "samples stay capped"
    assert (finding["occurrences"]["first"], finding["occurrences"]["last"]) == ("words.log:1", f"words.log:{lines}")


def test_ndjson_streams_the_values_of_a_log_read_in_this_process_as_they_are_found(tmp_path: Path) -> None:
    """--format ndjson with one process: the values of a file were held until it was read whole
    (a compressed log is one unit however big)."""
    (tmp_path / "rules.yaml").write_text(EVERY_WORD_RULES)
    line = " ".join(WORDS * 2) + "\n"
    (tmp_path / "one.log").write_text(line)
    (tmp_path / "words.log").write_text(line * (2_000_000 // len(line)))
    scan = ("scan", "--rules", "rules.yaml", "--jobs", "1", "--format", "ndjson", "--fail-on", "never", "-q")
    small = peak_rss_mb(*scan, "one.log", "--output", "one.ndjson", cwd=tmp_path)
    large = peak_rss_mb(*scan, "words.log", "--output", "words.ndjson", cwd=tmp_path)
    assert large - small < GROWTH_LIMIT_MB, f"{small:.0f} MB for one line, {large:.0f} MB for 2 MB of words"
    with (tmp_path / "words.ndjson").open(encoding="utf-8") as records:
        first, lines = json.loads(next(records)), 1 + sum(1 for _ in records)
    assert (first["line"], first["start"], first["end"], lines) == (1, 0, 5, 2_000_000 // len(line) * len(WORDS) * 2)


def test_the_table_of_a_5000_table_schema_lists_the_first_of_each_verdict_and_json_lists_all(tmp_path: Path) -> None:
    (tmp_path / "schema.sql").write_text(
        "".join(
            f"CREATE TABLE customer_{n:04d} (id bigint, email text, phone text, first_name text);\n"
            for n in range(5000)
        )
    )
    table = run_pdscan("scan", "schema.sql", "--fail-on", "never", cwd=tmp_path)
    assert table.returncode == 0, table.stderr
    rows = [line for line in table.stdout.splitlines() if line.lstrip().startswith(("email ", "phone ", "first_name "))]
    assert len(rows) == LISTED_PER_VERDICT == 100, "the first 100 undeclared findings, in place order"
    assert "customer_0000" in table.stdout and "customer_4999" not in table.stdout
    assert (
        "Listed: 100 of 15,000 findings, the first 100 of each verdict (undeclared: 100 of 15,000); "
        "the JSON report (--format json) lists every one." in table.stdout
    )
    assert "15000 finding(s) of personal data" in table.stdout, "the summary counts every finding"
    assert table.stdout.splitlines()[-1].startswith("Next: 15000 place(s) hold personal data without a declared")

    listed = run_pdscan("scan", "schema.sql", "--format", "json", "--fail-on", "never", cwd=tmp_path)
    findings = json.loads(listed.stdout)["findings"]
    assert len(findings) == 15_000
    assert {(f["location"]["table"], f["location"]["column"]) for f in findings} == {
        (f"customer_{n:04d}", column) for n in range(5000) for column in ("email", "phone", "first_name")
    }


SCHEMA_BYTES_PER_TABLE = 7_500  # peak Python memory a scan of a schema may hold per table of four columns


def test_a_schema_scan_holds_its_tables_once_and_no_sentence_per_finding(tmp_path: Path) -> None:
    """5,000 tables, 15,000 findings: the replay's state is released as its tables are built,
    equal evidence is one object and verdicts hold no explanation (written at output time).
    The peak was 8,075 bytes per table before (a 200,000-table schema: 1.1 GB)."""
    schema = tmp_path / "schema.sql"
    schema.write_text(
        "".join(f"CREATE TABLE customer_{n:04d} (id bigint, {SCHEMA_COLUMNS});\n" for n in range(5000)),
        encoding="utf-8",
    )
    policy, classifier = load_policy(), NameClassifier(load_user_rules([]))
    run_scan(ScanRequest((str(schema),)), policy, None, classifier)  # caches and imports settle first
    tracemalloc.start()
    scanned = run_scan(ScanRequest((str(schema),)), policy, None, classifier)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert len(scanned.verdicts) == 15_000
    assert peak / 5000 < SCHEMA_BYTES_PER_TABLE, f"{peak / 5000:,.0f} bytes per table"


def test_a_huge_report_lists_every_finding_of_a_rare_verdict() -> None:
    """Beyond the limit each verdict keeps its first findings: five not_in_policy places among
    1,500 undeclared ones are all listed."""
    undeclared = tuple(
        verdict(f"email_{n:04d}", "user.contact.email", "email", VerdictKind.UNDECLARED) for n in range(1500)
    )
    rare = tuple(
        verdict(f"allergy_{n}", "user.health_and_medical", None, VerdictKind.NOT_IN_POLICY, table="patients")
        for n in range(5)
    )
    text = TableFormat(FormatOptions(ENGLISH, width=160)).format(report(undeclared + rare))
    assert all(f"allergy_{n}" in text for n in range(5))
    assert sum(1 for line in text.splitlines() if line.lstrip().startswith("email_")) == LISTED_PER_VERDICT
    assert "Listed: 105 of 1,505 findings, the first 100 of each verdict (undeclared: 100 of 1,500);" in text


def test_a_report_under_the_limit_lists_every_finding() -> None:
    verdicts = tuple(
        verdict(f"email_{n:03d}", "user.contact.email", "email", VerdictKind.UNDECLARED) for n in range(300)
    )
    text = TableFormat(FormatOptions(ENGLISH, width=160)).format(report(verdicts))
    assert sum(1 for line in text.splitlines() if line.lstrip().startswith("email_")) == 300
    assert "Listed:" not in text


def test_the_json_report_is_written_a_finding_at_a_time_and_byte_for_byte_the_whole_document(tmp_path: Path) -> None:
    """5,000 findings: what is held while writing is a part of the text (the sort keys of the
    findings' order; the whole document, its encoder's pieces and its text were held before,
    several times the text), and the text is the one json.dumps gives."""
    verdicts = tuple(
        verdict(f'e-mail «{n:04d}» "findings": []', "user.contact.email", "email", VerdictKind.UNDECLARED)
        for n in range(5000)
    )
    huge = report(verdicts)
    tracemalloc.start()
    with ReportOutput(tmp_path / "report.json") as output:
        output.write_whole(report_text(JsonFormat(FormatOptions(ENGLISH)), huge))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    written = (tmp_path / "report.json").read_text(encoding="utf-8")
    assert written == json.dumps(report_document(huge, ENGLISH), indent=2, ensure_ascii=False) + "\n"
    assert peak < len(written) / 2, f"{peak:,} bytes held to write {len(written):,}"
    assert len(json.loads(written)["findings"]) == 5000
