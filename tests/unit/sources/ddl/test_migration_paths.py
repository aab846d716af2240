"""Migration folders that keep more than their history (down migrations, undo scripts, one copy
per database) replay the way up, in one dialect, and say what they left out."""

from __future__ import annotations

import json
from pathlib import Path

from support.command import run_pdscan

from pdscan.sources.ddl.migration_paths import file_dialect, migration_path
from pdscan.sources.ddl.source import migration_order, scan_ddl_files


def write(folder: Path, files: dict[str, str]) -> list[Path]:
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return migration_order(folder / name for name in files)


def columns(folder: Path, files: list[Path], dialect: str | None = None) -> tuple[dict[str, list[str]], tuple]:
    result = scan_ddl_files(files, database=str(folder), dialect=dialect)
    assert not result.skipped, result.skipped
    return {t.name: [c.name for c in t.columns] for t in result.tables}, result.notes


def test_golang_migrate_down_files_are_the_way_back(tmp_path: Path) -> None:
    files = write(
        tmp_path,
        {
            "000001_members.up.sql": "CREATE TABLE members (id int, email text, fax text);",
            "000001_members.down.sql": "DROP TABLE members;",
            "000002_drop_fax.up.sql": "ALTER TABLE members DROP COLUMN fax;",
            "000002_drop_fax.down.sql": "ALTER TABLE members ADD COLUMN fax text;",
        },
    )
    tables, notes = columns(tmp_path, files)
    assert tables == {"members": ["id", "email"]}
    assert notes == ("2 down migration(s) (`*.down.sql`) not replayed: they are the way back",)


def test_one_copy_per_database_replays_postgres_unless_the_dialect_says_otherwise(tmp_path: Path) -> None:
    files = write(
        tmp_path,
        {
            f"20240101000001000000_identities.{name}.up.sql": f"CREATE TABLE identities (id text, {column} text);"
            for name, column in (("postgres", "email"), ("mysql", "mail"), ("sqlite3", "e_mail"), ("cockroach", "em"))
        }
        | {"20240101000002000000_shared.up.sql": "ALTER TABLE identities ADD COLUMN phone text;"},
    )
    tables, notes = columns(tmp_path, files)
    assert tables == {"identities": ["id", "email", "phone"]}
    assert notes == (
        "the postgres migrations replayed (PostgreSQL first); 3 file(s) written for cockroach, mysql, sqlite "
        "not replayed (--dialect chooses)",
    )
    tables, notes = columns(tmp_path, files, dialect="mysql")
    assert tables == {"identities": ["id", "mail", "phone"]}
    assert "the mysql migrations replayed (--dialect)" in notes[0]


def test_flyway_undo_scripts_are_the_way_back(tmp_path: Path) -> None:
    files = write(
        tmp_path,
        {
            "V1__members.sql": "CREATE TABLE members (id int, email text);",
            "U1__members.sql": "DROP TABLE members;",
            "V2__phone.sql": "ALTER TABLE members ADD COLUMN phone text;",
            "U2__phone.sql": "ALTER TABLE members DROP COLUMN phone;",
        },
    )
    tables, notes = columns(tmp_path, files)
    assert tables == {"members": ["id", "email", "phone"]}
    assert notes == ("2 Flyway undo script(s) (`U…__`) not replayed: they are the way back",)


def test_liquibase_rollbacks_are_comments_and_changesets_replay_in_order(tmp_path: Path) -> None:
    files = write(
        tmp_path,
        {
            "changelog.sql": "--liquibase formatted sql\n\n"
            "--changeset hanako:1\nCREATE TABLE members (id int, email text);\n--rollback DROP TABLE members;\n\n"
            "--changeset hanako:2\nALTER TABLE members ADD COLUMN phone text;\n"
            "--rollback ALTER TABLE members DROP COLUMN phone;\n",
        },
    )
    tables, notes = columns(tmp_path, files)
    assert tables == {"members": ["id", "email", "phone"]} and notes == ()


def test_a_file_names_its_database_by_a_word_of_its_name() -> None:
    assert file_dialect(Path("20240101_x.postgres.up.sql")) == "postgres"
    assert file_dialect(Path("001_init_mariadb.sql")) == "mysql"
    assert file_dialect(Path("002_sqlite3.down.sql")) == "sqlite"
    assert file_dialect(Path("003_users.sql")) is None
    assert file_dialect(Path("004_pgp_keys.sql")) is None  # words, not substrings: pgp is no pg


def test_a_folder_of_one_dialect_keeps_every_file() -> None:
    files = [Path("001_a.up.sql"), Path("002_b.up.sql"), Path("V1__c.sql")]
    assert migration_path(files).files == tuple(files)


def test_the_report_says_what_was_not_replayed_and_the_scan_is_not_partial(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "000001_members.up.sql": "CREATE TABLE members (id int, email text);",
            "000001_members.down.sql": "DROP TABLE members;",
            "000002_placeholder.up.sql": "",
            "000002_placeholder.down.sql": "",
            "000003_staff.up.sql": "CREATE TABLE ${schema}.staff (id int, phone text);",
        },
    )
    result = run_pdscan("scan", str(tmp_path), "--format", "json", "--quiet", "--strict")
    assert result.returncode == 1, result.stderr  # findings, but nothing skipped: --strict does not make it 2
    (source,) = json.loads(result.stdout)["sources"]
    assert source["status"] == "scanned"
    assert source["notes"] == [
        "2 down migration(s) (`*.down.sql`) not replayed: they are the way back",
        "1 empty file(s), as migration tools keep for numbering: 000002_placeholder.up.sql",
        "template placeholders read as parts of table names: `${schema}`",
    ]
