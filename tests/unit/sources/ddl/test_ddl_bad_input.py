"""Bad DDL never stops a scan: one Skipped with file:line, and everything else still read."""

from pathlib import Path

import pytest

from pdscan.sources.ddl.source import scan_ddl_files, scan_ddl_text


def write(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


def test_a_file_that_cannot_be_read_is_skipped_and_the_rest_scanned(tmp_path: Path) -> None:
    """Binary, empty and unreadable files, through the command: test_hostile_inputs.py."""
    good = write(tmp_path / "1_good.sql", b"CREATE TABLE users (email text);\n")
    directory = tmp_path / "2_dir.sql"
    directory.mkdir()
    result = scan_ddl_files([good, directory], database=str(tmp_path))
    assert [t.name for t in result.tables] == ["users"]
    ((source, reason),) = [(s.source, s.reason) for s in result.skipped]
    assert source == str(directory) and reason.startswith("cannot read the file")


def test_legacy_encodings_still_scan(tmp_path: Path) -> None:
    sources = {
        "cp1251.sql": ("CREATE TABLE клиенты (фамилия varchar(50)); -- комментарий\n", "cp1251"),
        "sjis.sql": ("CREATE TABLE 顧客 (氏名 varchar(50), 住所 text); -- 顧客テーブル\n", "shift_jis"),
        "latin1.sql": ("CREATE TABLE clientes (dirección text, teléfono text); -- ñandú\n", "latin-1"),
    }
    for name, (text, encoding) in sources.items():
        path = write(tmp_path / name, text.encode(encoding))
        result = scan_ddl_files([path], database=name)
        assert not result.skipped, name
        (table,) = result.tables
        assert table.name in text and all(c.name in text for c in table.columns), name


def test_a_statement_no_parser_understands_is_a_skip_with_its_line() -> None:
    result = scan_ddl_text(
        "CREATE TABLE ok (x int);\n\nCREATE TABLE broken (\n  = = =,\n  + +\n);\nCREATE TABLE after (y int);",
        source="s.sql",
        database="s.sql",
        dialect="postgres",
    )
    assert [t.name for t in result.tables] == ["ok", "after"]
    (skipped,) = result.skipped
    assert skipped.line == 3 and "CREATE TABLE broken" in skipped.reason


def test_table_without_columns_and_create_as_select() -> None:
    result = scan_ddl_text(
        "CREATE TABLE empty ();\nCREATE TABLE copy AS SELECT * FROM users;\n",
        source="s.sql",
        database="s.sql",
        dialect="postgres",
    )
    reasons = sorted((s.line, s.reason) for s in result.skipped)
    assert reasons[0] == (1, "table empty defines no columns")
    assert reasons[1][0] == 2 and "AS a query" in reasons[1][1]


def test_the_sqlparse_fallback_reads_what_the_fast_reader_rejects() -> None:
    result = scan_ddl_text("CREATE TABLE t (email text, 123abc int);", source="s.sql", database="s.sql")
    (table,) = result.tables
    assert "email" in [c.name for c in table.columns]


def test_scanned_files_are_not_modified(tmp_path: Path) -> None:
    path = write(tmp_path / "schema.sql", b"CREATE TABLE users (email text);\n")
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    scan_ddl_files([path], database="schema.sql")
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


# -- A quote that never closes: its statement is skipped, reading resumes at the next statement.

STRAY_QUOTES = {
    "a quoted string": (
        "postgres",
        "CREATE TABLE a (id int);\n"
        "CREATE TABLE b (id int);\n"
        "CREATE TABLE broken (\n  note text DEFAULT 'it\n);\n"
        "CREATE TABLE c (email text);\n"
        "COMMENT ON COLUMN c.email IS 'contact address';\n"
        "CREATE TABLE d (phone text DEFAULT 'none');\n",
    ),
    'a "quoted" identifier': (
        "postgres",
        'CREATE TABLE a (id int);\nCREATE TABLE b (id int);\nCREATE TABLE broken (\n  "note text\n);\n'
        'CREATE TABLE c ("email" text);\nCREATE TABLE d ("phone" text);\n',
    ),
    "a `quoted` identifier": (
        "mysql",
        "CREATE TABLE a (id int);\nCREATE TABLE b (id int);\nCREATE TABLE broken (\n  `note text\n);\n"
        "CREATE TABLE c (`email` text);\nCREATE TABLE d (`phone` text COMMENT 'it''s');\n",
    ),
    "a /* comment */": (
        "postgres",
        "CREATE TABLE a (id int);\nCREATE TABLE b (id int);\nCREATE TABLE broken (\n  note text /* why\n);\n"
        "CREATE TABLE c (email text);\nCREATE TABLE d (phone text);\n",
    ),
    "a $$-quoted body": (
        "postgres",
        "CREATE TABLE a (id int);\nCREATE TABLE b (id int);\nCREATE FUNCTION broken() AS $$\n  BEGIN\n);\n"
        "CREATE TABLE c (email text);\nCREATE FUNCTION f() AS $$ SELECT 1 $$;\nCREATE TABLE d (phone text);\n",
    ),
    "a quoted string in a T-SQL batch": (
        "tsql",
        "CREATE TABLE a (id int)\nGO\nCREATE TABLE b (id int)\nGO\n"
        "CREATE TABLE broken (\n  note nvarchar(9) DEFAULT 'it\n)\nGO\n"
        "CREATE TABLE c (email nvarchar(99))\nGO\nCREATE TABLE d (phone nvarchar(20) DEFAULT 'x')\n",
    ),
}


@pytest.mark.parametrize("name", STRAY_QUOTES)
def test_a_quote_never_closed_skips_its_statement_and_the_tables_after_it_are_read(name: str) -> None:
    dialect, text = STRAY_QUOTES[name]
    result = scan_ddl_text(text, source="s.sql", database="s.sql", dialect=dialect)
    assert {table.name: [c.name for c in table.columns] for table in result.tables} == {
        "a": ["id"],
        "b": ["id"],
        "c": ["email"],
        "d": ["phone"],
    }
    (skipped,) = result.skipped
    first = text.count("\n", 0, text.index("CREATE", text.index("b ("))) + 1  # the broken statement's line
    last = text.count("\n", 0, text.index("CREATE TABLE c")) + 1 - 1  # the line before reading resumes
    assert skipped.line == first, skipped
    assert skipped.reason.startswith(name.removesuffix(" in a T-SQL batch")), skipped
    assert f"lines {first}-{last} skipped, reading resumes at line {last + 1}" in skipped.reason, skipped


def test_a_quote_closed_later_in_the_file_is_read_as_written() -> None:
    """Legitimate strings, comments and bodies hold `;` and CREATE lines: the file's quotes all
    close, so nothing is cut, and no table is read out of them."""
    text = (
        "COMMENT ON TABLE a IS 'Rows are copied;\nCREATE TABLE shadow (email text) is how';\n"
        "/* retired:\nDROP TABLE old;\nCREATE TABLE old (phone text);\n*/\n"
        "CREATE FUNCTION f() RETURNS void AS $body$\nBEGIN\n  DROP TABLE IF EXISTS tmp;\n"
        "  CREATE TABLE tmp (address text);\nEND;\n$body$ LANGUAGE plpgsql;\n"
        "CREATE TABLE a (id int);\n"
    )
    result = scan_ddl_text(text, source="s.sql", database="s.sql", dialect="postgres")
    assert [table.name for table in result.tables] == ["a"]
    assert not result.skipped


def test_a_stray_quote_after_a_legitimate_multiline_comment_is_the_one_skipped() -> None:
    """The comment holds statements but closes; the quote that leaves the file open is the stray one."""
    text = (
        "/*\nCREATE TABLE old (phone text);\n*/\nCREATE TABLE a (id int);\n"
        "CREATE TABLE broken (note text DEFAULT 'x);\n"
        "CREATE TABLE b (status text DEFAULT 'new');\nCREATE TABLE c (email text);\n"
    )
    result = scan_ddl_text(text, source="s.sql", database="s.sql", dialect="postgres")
    assert [table.name for table in result.tables] == ["a", "b", "c"]
    (skipped,) = result.skipped
    assert skipped.line == 5 and "line 5 skipped, reading resumes at line 6" in skipped.reason, skipped


def test_a_quote_never_closed_in_the_last_statement_is_reported_where_it_opens() -> None:
    result = scan_ddl_text(
        "CREATE TABLE a (id int);\nINSERT INTO a VALUES ('x);\n", source="s.sql", database="s.sql", dialect="postgres"
    )
    assert [table.name for table in result.tables] == ["a"]
    assert [(s.line, s.reason) for s in result.skipped] == [(2, "a quoted string starting here is never closed")]
