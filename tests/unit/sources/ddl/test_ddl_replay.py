"""Replaying a schema as a database would: a table created twice keeps its first definition.

A second CREATE TABLE of an existing table once replaced it in silence, so the first
definition's columns (an e-mail address) vanished from the report and CI said "clean".
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.command import run_pdscan
from support.json_reports import json_report, verdicts_by_place

from pdscan.sources.ddl.source import scan_ddl_files, scan_ddl_text


def columns_by_table(text: str, dialect: str | None = None) -> tuple[dict[str, list[str]], list[str]]:
    result = scan_ddl_text(text, source="s.sql", database="s.sql", dialect=dialect)
    return {t.name: [c.name for c in t.columns] for t in result.tables}, [str(s) for s in result.skipped]


def test_if_not_exists_on_a_table_created_in_another_file_changes_nothing(tmp_path: Path) -> None:
    (tmp_path / "app_a.sql").write_text("CREATE TABLE users (id int, email text);\n")
    (tmp_path / "app_c.sql").write_text("-- app C\nCREATE TABLE IF NOT EXISTS users (id int, nickname text);\n")
    result = scan_ddl_files([tmp_path / "app_a.sql", tmp_path / "app_c.sql"], database=str(tmp_path))
    assert {t.name: [c.name for c in t.columns] for t in result.tables} == {"users": ["id", "email"]}
    (note,) = result.skipped
    assert (note.source, note.line) == (str(tmp_path / "app_c.sql"), 2)
    assert f"the table exists (created at {tmp_path / 'app_a.sql'}:1)" in note.reason
    assert note.reason.endswith("its columns not in the table are not reported: nickname")


def test_a_repeated_if_not_exists_that_adds_nothing_is_silent() -> None:
    found, skipped = columns_by_table(
        "CREATE TABLE IF NOT EXISTS users (id int, email text);\nCREATE TABLE IF NOT EXISTS users (email text);\n"
    )
    assert found == {"users": ["id", "email"]} and skipped == []


@pytest.mark.parametrize(
    ("dialect", "first", "second"),
    [
        ("postgres", "users", "users"),
        ("postgres", "public.users", "users"),
        ("postgres", "users", '"Users"'),
        ("mysql", "`users`", "USERS"),
        ("mysql", "`users`", "/*!32312 IF NOT EXISTS*/ `users`"),
        ("tsql", "[dbo].[users]", "users"),
    ],
)
def test_a_table_created_again_keeps_its_first_definition_and_names_both_places(
    dialect: str, first: str, second: str
) -> None:
    found, skipped = columns_by_table(
        f"CREATE TABLE {first} (id int, email text);\n\nCREATE TABLE {second} (id int, nickname text);\n", dialect
    )
    assert found == {"users": ["id", "email"]}
    (note,) = skipped
    assert note.startswith("s.sql:3: CREATE TABLE ") and ("(created at s.sql:1)" in note or "since s.sql:1" in note)
    assert note.endswith("its columns not in the table are not reported: nickname")


def test_a_plain_create_table_repeated_word_for_word_is_still_a_warning() -> None:
    found, skipped = columns_by_table("CREATE TABLE users (email text);\nCREATE TABLE users (email text);\n")
    assert found == {"users": ["email"]}
    assert skipped == [
        "s.sql:2: CREATE TABLE users again without a DROP TABLE since s.sql:1: "
        "a database refuses it, so the first definition is kept"
    ]


def test_a_note_names_ten_unread_columns_and_counts_the_rest() -> None:
    wide = ", ".join(f"c{number} text" for number in range(12))
    _, (note,) = columns_by_table(f"CREATE TABLE users (id int);\nCREATE TABLE IF NOT EXISTS users ({wide});\n")
    assert note.endswith("not reported: c0, c1, c2, c3, c4, c5, c6, c7, c8, c9 and 2 more")


@pytest.mark.parametrize(
    "between",
    [
        "DROP TABLE users;",
        "DROP TABLE IF EXISTS public.users;",
        "ALTER TABLE users RENAME TO old_users;",
    ],
)
def test_a_table_dropped_or_renamed_away_is_created_anew_without_a_note(between: str) -> None:
    found, skipped = columns_by_table(
        f"CREATE TABLE users (id int, email text);\n{between}\nCREATE TABLE users (id int, nickname text);\n",
        "postgres",
    )
    assert found["users"] == ["id", "nickname"] and skipped == []


def test_create_or_replace_replaces_without_a_note() -> None:
    found, skipped = columns_by_table(
        "CREATE TABLE users (id int, email text);\nCREATE OR REPLACE TABLE users (id int, nickname text);\n", "mysql"
    )
    assert found == {"users": ["id", "nickname"]} and skipped == []


# -- Through the command: which files form one replay


def write_apps(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "app_a.sql").write_text("CREATE TABLE users (id int, email text);\n")
    (folder / "app_c.sql").write_text("CREATE TABLE IF NOT EXISTS users (id int, nickname text);\n")


@pytest.mark.parametrize("given", ["folder", "files"])
def test_the_files_of_one_folder_are_one_replay_and_the_first_table_is_reported(tmp_path: Path, given: str) -> None:
    write_apps(tmp_path / "db")
    targets = ["db"] if given == "folder" else ["db/app_c.sql", "db/app_a.sql"]  # replayed in name order
    report, result = json_report(*targets, cwd=tmp_path)
    assert result.returncode == 1, "users.email is undeclared: CI fails"
    places = verdicts_by_place(report)
    assert "users.email" in places and "users.nickname" not in places
    note = "db/app_c.sql:1: CREATE TABLE IF NOT EXISTS users: the table exists (created at db/app_a.sql:1)"
    assert [line for line in result.stderr.splitlines() if "CREATE TABLE" in line] == [
        f"pdscan: skipped {note}, so nothing changes; its columns not in the table are not reported: nickname"
    ]
    (skipped,) = report["skipped"]
    assert (skipped["source"], skipped["line"]) == ("db/app_c.sql", 1)
    assert run_pdscan("scan", *targets, "--strict", "-q", cwd=tmp_path).returncode == 2


def test_files_of_two_folders_are_two_schemas_each_with_its_own_table(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "c").mkdir()
    (tmp_path / "a" / "users.sql").write_text("CREATE TABLE users (id int, email text);\n")
    (tmp_path / "c" / "users.sql").write_text("CREATE TABLE users (id int, phone text);\n")
    report, result = json_report("a/users.sql", "c/users.sql", cwd=tmp_path)
    assert not report["skipped"] and "CREATE TABLE" not in result.stderr
    found = {(f["location"]["source"], f["location"]["column"]) for f in report["findings"]}
    assert {("a/users.sql", "email"), ("c/users.sql", "phone")} <= found


def test_a_stray_quote_is_one_stderr_line_and_the_tables_after_it_are_reported(tmp_path: Path) -> None:
    (tmp_path / "schema.sql").write_text(
        "CREATE TABLE a (id int);\nCREATE TABLE b (note text DEFAULT 'x);\n"
        "CREATE TABLE c (status text DEFAULT 'new');\nCREATE TABLE customers (email text);\n"
    )
    report, result = json_report("schema.sql", cwd=tmp_path)
    assert result.returncode == 1
    assert "customers.email" in verdicts_by_place(report)
    reason = (
        "a quoted string opened on line 2 is never closed (the file ends inside a quote): "
        "line 2 skipped, reading resumes at line 3"
    )
    assert f"pdscan: skipped schema.sql:2: {reason}" in result.stderr.splitlines()
    assert report["skipped"] == [{"source": "schema.sql", "reason": reason, "line": 2}]
    strict = run_pdscan("scan", "schema.sql", "--strict", "--format", "json", cwd=tmp_path)
    assert strict.returncode == 2 and json.loads(strict.stdout)["skipped"] == report["skipped"]


# --- replayed as the database would: LIKE, AS SELECT, DO blocks (issue 17) --------------------


def _final(tmp_path: Path, text: str) -> tuple[dict[str, list[tuple[str, int]]], list[str]]:
    path = tmp_path / "001_schema.sql"
    path.write_text(text, encoding="utf-8")
    result = scan_ddl_files([path], database=str(tmp_path))
    tables = {t.name: [(c.name, c.location.line) for c in t.columns] for t in result.tables}
    return tables, [f"{item.line}: {item.reason}" for item in result.skipped]


def test_a_table_like_another_holds_its_columns(tmp_path: Path) -> None:
    tables, skipped = _final(
        tmp_path,
        "CREATE TABLE members (id int, email text);\n"
        "CREATE TABLE members_archive (LIKE members INCLUDING ALL, archived_at timestamptz);\n"
        "CREATE TABLE public.members_copy (LIKE public.members);\n",
    )
    assert [name for name, _ in tables["members_archive"]] == ["id", "email", "archived_at"]
    assert [name for name, _ in tables["members_copy"]] == ["id", "email"]
    assert skipped == []


def test_a_table_made_by_a_plain_select_holds_the_selected_columns(tmp_path: Path) -> None:
    tables, skipped = _final(
        tmp_path,
        "CREATE TABLE members (id int, email text, phone text);\n"
        "CREATE TABLE vip AS SELECT m.id, email AS contact_email FROM members m WHERE false;\n"
        "CREATE TABLE backup AS (SELECT * FROM members);\n"
        "CREATE TABLE report AS SELECT count(*) AS n FROM members;\n",
    )
    assert tables["vip"] == [("id", 2), ("contact_email", 2)]
    assert [name for name, _ in tables["backup"]] == ["id", "email", "phone"]
    assert "report" not in tables and any("report AS a query" in line for line in skipped)


def test_ddl_in_a_do_block_is_replayed_and_ddl_built_in_a_string_is_said(tmp_path: Path) -> None:
    tables, skipped = _final(
        tmp_path,
        "CREATE TABLE members (id int, fax text);\n"
        "DO $$\n"
        "BEGIN\n"
        "  -- ALTER TABLE members ADD COLUMN commented_out text;\n"
        "  ALTER TABLE members ADD COLUMN IF NOT EXISTS birth_date date;\n"
        "  IF EXISTS (SELECT 1 FROM information_schema.columns WHERE column_name = 'fax') THEN\n"
        "    ALTER TABLE members DROP COLUMN fax;\n"
        "  END IF;\n"
        "  EXECUTE 'ALTER TABLE members ADD COLUMN ' || quote_ident('nickname') || ' text';\n"
        "  UPDATE members SET id = id;\n"
        "END $$;\n",
    )
    assert tables["members"] == [("id", 1), ("birth_date", 5)]
    assert skipped == ["9: a DO block runs DDL built in an EXECUTE string, which pdscan does not read"]


def test_partitions_are_reported_once_under_their_parent_which_lists_them(tmp_path: Path) -> None:
    path = tmp_path / "001_events.sql"
    path.write_text(
        "CREATE TABLE events (id bigint, client_ip inet, at timestamptz) PARTITION BY RANGE (at);\n"
        "CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');\n"
        "CREATE TABLE events_2027 PARTITION OF public.events FOR VALUES FROM ('2027-01-01') TO ('2028-01-01');\n",
        encoding="utf-8",
    )
    result = scan_ddl_files([path], database=str(tmp_path))
    assert [table.name for table in result.tables] == ["events"] and not result.skipped
    assert result.notes == ("table events: its partitions are reported as it: events_2026, events_2027",)
