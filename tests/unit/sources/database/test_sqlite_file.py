"""The schema of a SQLite file: columns from SQLite's catalog, purposes from its stored DDL."""

import hashlib
import sqlite3
from pathlib import Path

import pytest

from pdscan.model import SchemaScan, SourceKind
from pdscan.sources.database.sqlite_file import ReadOnlyDatabase, read_schema


def build(path: Path, script: str) -> Path:
    with sqlite3.connect(path) as connection:
        connection.executescript(script)
    connection.close()
    return path


def scan_sqlite_schema(path: Path) -> SchemaScan:
    with ReadOnlyDatabase(path) as database:
        connection = database.connect()
        try:
            return read_schema(connection, str(path))
        finally:
            connection.close()


def test_columns_types_and_inline_annotations_are_read(tmp_path: Path) -> None:
    database = build(
        tmp_path / "shop.db",
        """
        CREATE TABLE "Customer Accounts" (
            id INTEGER PRIMARY KEY,
            email TEXT NOT NULL  -- pdscan: purpose=user_notifications
        );
        ALTER TABLE "Customer Accounts" ADD COLUMN phone TEXT;
        """,
    )
    scan = scan_sqlite_schema(database)
    assert scan.kind is SourceKind.SQLITE and not scan.skipped
    (table,) = scan.tables
    assert table.name == "Customer Accounts"
    columns = {c.name: c for c in table.columns}
    assert list(columns) == ["id", "email", "phone"]
    assert columns["email"].annotation is not None
    assert "purpose=user_notifications" in columns["email"].annotation
    assert columns["phone"].sql_type == "TEXT"
    assert columns["email"].location.database == str(database)
    assert columns["email"].location.table == "Customer Accounts"


def test_the_database_file_is_not_modified(tmp_path: Path) -> None:
    database = build(tmp_path / "shop.db", "CREATE TABLE users (email TEXT);")
    before = (hashlib.sha256(database.read_bytes()).hexdigest(), database.stat().st_mtime_ns)
    scan_sqlite_schema(database)
    after = (hashlib.sha256(database.read_bytes()).hexdigest(), database.stat().st_mtime_ns)
    assert before == after
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shop.db"]


def test_a_corrupt_database_raises_what_sqlite_says(tmp_path: Path) -> None:
    """The scan turns it into one skip (test_database_sqlite.py: a corrupt file alone)."""
    corrupt = tmp_path / "broken.db"
    corrupt.write_bytes(b"SQLite format 3\x00" + b"\xff" * 200)
    with pytest.raises(sqlite3.DatabaseError, match="not a database"):
        scan_sqlite_schema(corrupt)
