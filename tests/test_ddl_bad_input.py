"""Bad DDL never stops a scan: one Skipped with file:line, and everything else still read."""

from pathlib import Path

from pdscan.sources.sql_ddl import scan_ddl_files, scan_ddl_text


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
