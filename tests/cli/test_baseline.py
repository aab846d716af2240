"""`pdscan baseline` and `scan --baseline`: stable, deterministic, and loud about what is new."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from support.ci_repo import findings_by_place
from support.command import run_pdscan

from pdscan.baseline import baseline_text, fingerprint, load_baseline
from pdscan.model import BaselineEntry, Evidence, Finding, Location, SourceKind, VerdictKind

SCHEMA = """\
CREATE TABLE users (
    id bigint,
    email text,
    phone text
);
"""
# The same schema with columns reordered, blank lines and a comment added: nothing to accept again.
SCHEMA_REORDERED = """\
-- users, rewritten by a formatter


CREATE TABLE users (
    phone text,
    id bigint,

    email text
);
"""


def scan(cwd: Path, *args: str) -> tuple[dict, str, int]:
    done = run_pdscan("scan", *args, "--format", "json", cwd=cwd)
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout), done.stderr, done.returncode


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_the_file_is_sorted_and_keyed_on_what_a_finding_is_not_where_it_sits(tmp_path: Path) -> None:
    schema = write(tmp_path / "db" / "schema.sql", SCHEMA)
    assert run_pdscan("baseline", "db", cwd=tmp_path).returncode == 0
    first = (tmp_path / ".pdscan-baseline.json").read_bytes()
    document = json.loads(first)
    assert [(e["table"], e["column"], e["category"]) for e in document["entries"]] == [
        ("users", "email", "email"),
        ("users", "phone", "phone"),
    ]
    keys = {"fingerprint", "source", "table", "column", "category", "verdict"}
    assert all(set(entry) == keys for entry in document["entries"]), "no line numbers"
    assert set(document) == {"version", "about", "entries"}, "no time, no tool version: nothing that churns"

    schema.write_text(SCHEMA_REORDERED)
    assert run_pdscan("baseline", "db", cwd=tmp_path).returncode == 0
    assert (tmp_path / ".pdscan-baseline.json").read_bytes() == first, "reordering changes nothing"
    report, _, code = scan(tmp_path, "db", "--baseline", ".pdscan-baseline.json")
    assert code == 0 and {f["baseline_state"] for f in report["findings"]} == {"unchanged"}


def test_the_text_does_not_depend_on_the_order_entries_come_in() -> None:
    entries = [
        BaselineEntry(f"{n:016x}", f"db/{n % 3}", "t", f"c{n}", "email", VerdictKind.UNDECLARED) for n in range(20)
    ]
    shuffled = entries[:]
    random.Random(5).shuffle(shuffled)
    assert baseline_text(shuffled) == baseline_text(entries)


def test_fingerprints_ignore_case_and_lines_and_name_sources_relative_to_the_baseline(tmp_path: Path) -> None:
    def finding(table: str, column: str, line: int, database: str) -> Finding:
        location = Location(f"{database}/001.sql", SourceKind.DDL, table, column, line, database)
        return Finding(
            location,
            "user.contact.email",
            "email",
            0.9,
            (Evidence("name", "name.means", (("column", "email"), ("meaning", "e-mail"))),),
        )

    assert fingerprint(finding("Users", "EMAIL", 3, "db")) == fingerprint(finding("users", "email", 90, "db"))
    absolute = str(tmp_path / "repo" / "db")
    relative_to_repo = fingerprint(finding("users", "email", 3, absolute), tmp_path / "repo")
    assert relative_to_repo == fingerprint(finding("users", "email", 3, "db"), Path("."))


def test_a_new_finding_fails_and_an_accepted_one_does_not(tmp_path: Path) -> None:
    schema = write(tmp_path / "db" / "schema.sql", SCHEMA)
    assert run_pdscan("baseline", "db", cwd=tmp_path).returncode == 0
    schema.write_text(SCHEMA.replace("phone text\n", "phone text,\n    home_address text\n"))
    report, _, code = scan(tmp_path, "db", "--baseline", ".pdscan-baseline.json")
    assert code == 1
    states = {place: f["baseline_state"] for place, f in findings_by_place(report).items()}
    assert states == {"users.email": "unchanged", "users.phone": "unchanged", "users.home_address": "new"}
    assert report["baseline"] == {"path": ".pdscan-baseline.json", "entries": 2, "stale": []}
    assert report["summary"]["failing"] == 1


def phone_declared(purpose: str) -> str:
    return f"databases:\n  db:\n    tables:\n      users:\n        columns:\n          phone: [{purpose}]\n"


def test_a_place_accepted_as_undeclared_then_declared_for_a_forbidden_purpose_is_new_again(tmp_path: Path) -> None:
    write(tmp_path / "db" / "schema.sql", SCHEMA)
    assert run_pdscan("baseline", "db", cwd=tmp_path).returncode == 0
    write(tmp_path / "pdscan.yml", phone_declared("advertising"))
    report, _, code = scan(tmp_path, "db", "--baseline", ".pdscan-baseline.json")
    phone = findings_by_place(report)["users.phone"]
    assert (phone["verdict"], phone["baseline_state"], code) == ("purpose_not_permitted", "new", 1)
    # Declared for a permitted purpose instead: better than accepted, so not new.
    write(tmp_path / "pdscan.yml", phone_declared("delivery"))
    report, _, code = scan(tmp_path, "db", "--baseline", ".pdscan-baseline.json")
    assert (findings_by_place(report)["users.phone"]["baseline_state"], code) == ("unchanged", 0)


def test_stale_entries_only_for_sources_scanned_this_time(tmp_path: Path) -> None:
    write(tmp_path / "shop" / "schema.sql", SCHEMA)
    write(tmp_path / "billing" / "schema.sql", "CREATE TABLE payers (id int, email text);\n")
    assert run_pdscan("baseline", "shop", "billing", cwd=tmp_path).returncode == 0
    write(tmp_path / "shop" / "schema.sql", SCHEMA.replace("    phone text\n", "    id2 int\n"))
    report, stderr, code = scan(tmp_path, "shop", "--baseline", ".pdscan-baseline.json")
    assert [(e["source"], e["table"], e["column"]) for e in report["baseline"]["stale"]] == [
        ("shop", "users", "phone")
    ], "billing was not scanned: its entries are not stale"
    assert code == 0, "a stale entry is reported, it does not fail"
    line = report["baseline"]["stale"][0]["line"]
    lines = (tmp_path / ".pdscan-baseline.json").read_text().splitlines()
    assert '"fingerprint"' in lines[line - 1]
    assert f".pdscan-baseline.json:{line}: stale baseline entry: shop users.phone (phone)" in stderr


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (None, "no such baseline file (create it with `pdscan baseline`)"),
        ("{not json", "not a pdscan baseline (invalid JSON"),
        ('{"version": 1}', "not a pdscan baseline (no 'entries' list)"),
        ('{"version": 7, "entries": []}', "baseline version 7 is not one this pdscan reads"),
        ('{"version": 1, "entries": [{"fingerprint": "ab"}]}', "entry 1 lacks source, table, column, category"),
        (
            '{"version": 1, "entries": [{"fingerprint": "ab", "source": "db", "table": null, "column": "x", '
            '"category": "email", "verdict": "ok"}]}',
            "entry 1 has the verdict 'ok', which a baseline does not accept",
        ),
    ],
)
def test_a_missing_or_corrupt_baseline_is_one_line_and_exit_2(tmp_path: Path, content: str | None, says: str) -> None:
    write(tmp_path / "db" / "schema.sql", SCHEMA)
    if content is not None:
        write(tmp_path / "baseline.json", content)
    done = run_pdscan("scan", "db", "--baseline", "baseline.json", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stdout == ""
    [line] = done.stderr.splitlines()
    assert line.startswith("pdscan: error: baseline.json") and says in line


def test_a_failed_scan_leaves_the_old_baseline_alone_and_a_bad_path_is_exit_2(tmp_path: Path) -> None:
    write(tmp_path / "db" / "schema.sql", SCHEMA)
    assert run_pdscan("baseline", "db", cwd=tmp_path).returncode == 0
    before = (tmp_path / ".pdscan-baseline.json").read_bytes()
    write(tmp_path / "pdscan.yml", "databases:\n  db:\n    purposes: [no_such_purpose]\n")
    done = run_pdscan("baseline", "db", cwd=tmp_path)
    assert done.returncode == 2 and "no_such_purpose" in done.stderr
    assert (tmp_path / ".pdscan-baseline.json").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".pdscan-baseline.json", "db", "pdscan.yml"], "no temp file"
    (tmp_path / "pdscan.yml").unlink()
    done = run_pdscan("baseline", "db", "--output", "missing/folder/baseline.json", cwd=tmp_path)
    assert done.returncode == 2 and "missing/folder/baseline.json: cannot write the baseline" in done.stderr


def test_loading_remembers_where_each_entry_sits(tmp_path: Path) -> None:
    write(tmp_path / "db" / "schema.sql", SCHEMA)
    assert run_pdscan("baseline", "db", cwd=tmp_path).returncode == 0
    loaded = load_baseline(tmp_path / ".pdscan-baseline.json")
    lines = (tmp_path / ".pdscan-baseline.json").read_text().splitlines()
    expected = [f'"fingerprint": "{e.fingerprint}",' for e in loaded.entries]
    assert [lines[e.line - 1].strip() for e in loaded.entries if e.line] == expected


def test_ndjson_cannot_take_a_baseline(tmp_path: Path) -> None:
    write(tmp_path / "db" / "schema.sql", SCHEMA)
    done = run_pdscan("scan", "db", "--format", "ndjson", "--baseline", "x.json", cwd=tmp_path)
    assert done.returncode == 2 and "need a report format" in done.stderr


def test_the_terminal_table_says_what_the_baseline_accepted_and_what_is_stale(tmp_path: Path) -> None:
    write(tmp_path / "db" / "schema.sql", SCHEMA)
    assert run_pdscan("baseline", "db", cwd=tmp_path).returncode == 0
    write(tmp_path / "db" / "schema.sql", SCHEMA.replace("    phone text\n", "    id2 int\n"))
    done = run_pdscan("scan", "db", "--baseline", ".pdscan-baseline.json", cwd=tmp_path)
    assert done.returncode == 0
    assert "accepted by the baseline" in done.stdout
    assert "1 finding(s) accepted by the baseline .pdscan-baseline.json" in done.stdout
    assert "Stale baseline entries (refresh with `pdscan baseline`) (1)" in done.stdout
    assert "db users.phone (phone, undeclared)" in done.stdout
