"""Ignores: `ignore:` entries in pdscan.yml and inline `-- pdscan: ignore reason=…`, always with
a reason; an ignore without one is an error naming file:line."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import pytest
import yaml
from fideslang.models import Dataset
from markdown_it import MarkdownIt
from support.ci_repo import findings_by_place, validate_sarif
from support.command import run_pdscan
from support.paths import REPO

SCHEMA = """\
CREATE TABLE users (
    id bigint,
    email text,
    phone text
);
CREATE TABLE test_users (
    email text,
    phone text
);
"""


def setup(tmp_path: Path, schema: str = SCHEMA, data_map: str | None = None) -> None:
    (tmp_path / "db").mkdir()
    (tmp_path / "db" / "001_users.sql").write_text(schema)
    if data_map is not None:
        (tmp_path / "pdscan.yml").write_text(data_map)


def report(tmp_path: Path, *args: str) -> tuple[dict, int]:
    done = run_pdscan("scan", "db", "--format", "json", *args, cwd=tmp_path)
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout), done.returncode


IGNORE_TEST_TABLES = """\
version: 1
databases:
  db:
    tables:
      users:
        columns:
          email: [user_notifications]
          phone: [customer_support]
ignore:
  - place: "test_*.*"
    category: "*"
    reason: synthetic fixtures, never real people
"""


def test_an_ignore_entry_covers_its_places_with_its_reason(tmp_path: Path) -> None:
    setup(tmp_path, data_map=IGNORE_TEST_TABLES)
    found, code = report(tmp_path)
    assert code == 0, "ignored findings never fail"
    places = findings_by_place(found)
    for place in ("test_users.email", "test_users.phone"):
        assert places[place]["verdict"] == "ignored"
        assert places[place]["ignore_reason"] == "synthetic fixtures, never real people"
        assert places[place]["ignored_in"] == "pdscan.yml:10"
        assert "without the ignore it would be undeclared" in places[place]["explanation"]
    assert places["users.email"]["verdict"] == "ok"
    done = run_pdscan("scan", "db", "--format", "sarif", cwd=tmp_path)
    sarif = json.loads(done.stdout)
    validate_sarif(sarif)
    ignored = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "ignored"]
    assert len(ignored) == 2
    assert {r["suppressions"][0]["kind"] for r in ignored} == {"external"}, "written in pdscan.yml, not the DDL"
    assert {r["suppressions"][0]["justification"] for r in ignored} == {"synthetic fixtures, never real people"}


def test_an_ignore_entry_covers_only_its_category_and_source(tmp_path: Path) -> None:
    data_map = """\
ignore:
  - place: "users.phone"
    category: phone
    reason: emptied in 2023, dropped next quarter
  - place: "users.email"
    category: phone
    reason: wrong category on purpose
  - place: "test_users.*"
    category: "*"
    source: "other_schema"
    reason: another schema's fixtures
"""
    setup(tmp_path, data_map=data_map)
    places = findings_by_place(report(tmp_path)[0])
    assert places["users.phone"]["verdict"] == "ignored"
    assert places["users.email"]["verdict"] == "undeclared", "an email is not covered by a phone ignore"
    assert places["test_users.email"]["verdict"] == "undeclared", "the ignore names another source"


def test_an_ignore_without_a_reason_is_an_error_with_file_and_line(tmp_path: Path) -> None:
    data_map = """\
version: 1
ignore:
  - place: "test_*.*"
    category: "*"
  - place: "users.phone"
    category: phone
    reason: "   "
  - place: "users.email"
    category: not_a_category
    reason: a reason
"""
    setup(tmp_path, data_map=data_map)
    done = run_pdscan("scan", "db", cwd=tmp_path)
    assert done.returncode == 2 and done.stdout == ""
    errors = done.stderr.splitlines()
    assert any(line.startswith("pdscan: error: pdscan.yml:3:5: an ignore entry needs a 'reason'") for line in errors)
    assert any(line.startswith("pdscan: error: pdscan.yml:7:13: an ignore entry needs a 'reason'") for line in errors)
    assert any("pdscan.yml:9:" in line and "'not_a_category'" in line for line in errors)


INLINE = """\
CREATE TABLE users (
    id bigint,
    email text,  -- pdscan: purpose=user_notifications
    phone text   -- pdscan: ignore reason=always NULL since 2023; no purpose: dropped in 004
);
CREATE TABLE test_users ( -- pdscan: ignore reason="fixtures for the test suite"
    email text,
    phone text
);
"""


def test_inline_ignores_on_a_column_and_on_a_table(tmp_path: Path) -> None:
    setup(tmp_path, schema=INLINE)
    found, code = report(tmp_path)
    assert code == 0
    places = findings_by_place(found)
    assert (places["users.phone"]["verdict"], places["users.phone"]["ignored_in"]) == ("ignored", "db/001_users.sql:4")
    assert places["users.phone"]["ignore_reason"] == "always NULL since 2023; no purpose: dropped in 004"
    assert places["users.email"]["verdict"] == "ok"
    for place in ("test_users.email", "test_users.phone"):
        assert places[place]["ignore_reason"] == "fixtures for the test suite"
    sarif = json.loads(run_pdscan("scan", "db", "--format", "sarif", cwd=tmp_path).stdout)
    kinds = {r["suppressions"][0]["kind"] for r in sarif["runs"][0]["results"] if r["ruleId"] == "ignored"}
    assert kinds == {"inSource"}, "the ignore is written in the file the finding is in"


def test_an_inline_ignore_without_a_reason_is_an_error_at_its_line(tmp_path: Path) -> None:
    setup(tmp_path, schema=INLINE.replace("ignore reason=always NULL since 2023; no purpose: dropped in 004", "ignore"))
    done = run_pdscan("scan", "db", cwd=tmp_path)
    assert done.returncode == 2
    assert "db/001_users.sql:4:1: `pdscan: ignore` on `users.phone` without a reason" in done.stderr
    no_reason = INLINE.replace('reason="fixtures for the test suite"', 'reason=""')
    (tmp_path / "db" / "001_users.sql").write_text(no_reason)
    done = run_pdscan("scan", "db", cwd=tmp_path)
    assert done.returncode == 2
    assert "db/001_users.sql:6:1: `pdscan: ignore` on `test_users` without a reason" in done.stderr


def test_a_log_field_is_ignored_by_its_path(tmp_path: Path) -> None:
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "app.jsonl").write_text('{"msg": "signup", "email": "jane@example.com"}\n')
    (tmp_path / "pdscan.yml").write_text(
        'ignore:\n  - place: email\n    source: "logs/*.jsonl"\n    category: email\n    reason: test traffic only\n'
    )
    done = run_pdscan("scan", "logs", "--format", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stdout
    [finding] = json.loads(done.stdout)["findings"]
    assert (finding["verdict"], finding["ignore_reason"]) == ("ignored", "test traffic only")


class _Rows(HTMLParser):
    """The text of each table row of an HTML page, cell by cell."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None
        self.feed(page.replace("<wbr>", ""))  # a line-break opportunity inside a name, no text of its own

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append("".join(self.cell).strip())
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def markdown_rows(text: str) -> list[list[str]]:
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    rows: list[list[str]] = []
    for index, token in enumerate(tokens):
        if token.type == "tr_open":
            rows.append([])
        elif token.type in ("td_open", "th_open"):
            rows[-1].append("".join(child.content for child in tokens[index + 1].children or []))
    return rows


@pytest.mark.parametrize("command", ["scan", "inventory"])
@pytest.mark.parametrize("lang", ["en", "ru"])
@pytest.mark.parametrize("form", ["html", "markdown"])
def test_reports_for_people_give_an_ignored_place_its_reason_and_where_it_was_written(
    tmp_path: Path, command: str, lang: str, form: str
) -> None:
    setup(tmp_path, data_map=IGNORE_TEST_TABLES)
    done = run_pdscan(command, "db", "--format", form, "--lang", lang, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    rows = _Rows(done.stdout).rows if form == "html" else markdown_rows(done.stdout)
    for place in ("test_users.email", "test_users.phone"):
        [row] = [row for row in rows if row and row[0] == place]
        shown = " ".join(row)
        assert "synthetic fixtures, never real people" in shown, row
        assert "pdscan.yml:10" in shown, row
        assert "undeclared" in shown, "the verdict it would have without the ignore"
    [declared] = [row for row in rows if row and row[0] == "users.email"]
    assert "pdscan.yml:10" not in " ".join(declared)


FIDES_IGNORES = """\
version: 1
databases:
  db:
    tables:
      users:
        columns:
          phone: [customer_support]
ignore:
  - place: "*.email"
    category: "*"
    reason: subject-line templates, not addresses
"""


def test_the_fides_export_never_publishes_an_ignored_place_as_personal_data(tmp_path: Path) -> None:
    setup(tmp_path, data_map=FIDES_IGNORES)
    done = run_pdscan("scan", "db", "--format", "fides", cwd=tmp_path)
    assert done.returncode == 1, done.stderr  # test_users.phone is undeclared
    [dataset] = [Dataset.model_validate(entry) for entry in yaml.safe_load(done.stdout)["dataset"]]
    assert dataset.data_categories == ["user.contact.phone_number"], "no e-mail address is declared held"
    fields = {(c.name, f.name): f for c in dataset.collections for f in c.fields}
    for table in ("users", "test_users"):
        email = fields[(table, "email")]
        assert not email.data_categories, "kept, with no data category"
        assert email.description is not None
        assert "ignored (pdscan.yml:9): subject-line templates, not addresses" in email.description
        assert fields[(table, "phone")].data_categories == ["user.contact.phone_number"]


def test_the_terminal_reports_name_each_ignore_with_its_reason_and_where_it_was_written(tmp_path: Path) -> None:
    """The reason and the line of the ignore are the audit evidence: the terminal table and the
    terminal inventory show both, as every other report does."""
    setup(tmp_path, data_map=IGNORE_TEST_TABLES)
    shown = {
        "scan": "ignored (pdscan.yml:10): synthetic fixtures, never real people",
        "inventory": "ignored: synthetic fixtures, never real people (pdscan.yml:10;",
    }
    for command, ignore in shown.items():
        done = run_pdscan(command, "db", "--no-color", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert ignore in " ".join(done.stdout.split()), command


def test_the_inventory_json_gives_each_ignored_place_its_reason_and_where(tmp_path: Path) -> None:
    setup(tmp_path, data_map=IGNORE_TEST_TABLES)
    done = run_pdscan("inventory", "db", "--format", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    schema = json.loads((REPO / "pdscan" / "schemas" / "inventory.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(document)
    places = {(p["table"], p["column"]): p for c in document["categories"] for p in c["places"]}
    ignored = places[("test_users", "email")]
    assert (ignored["verdict"], ignored["ignored_in"]) == ("ignored", "pdscan.yml:10")
    assert ignored["ignore_reason"] == "synthetic fixtures, never real people"
    declared = places[("users", "email")]
    assert (declared["ignore_reason"], declared["ignored_in"]) == (None, None)
