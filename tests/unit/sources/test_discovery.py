"""Which schemas a scan reads, from what the user typed."""

import sqlite3
from pathlib import Path

import pytest

from pdscan.model import SourceKind
from pdscan.sources.discovery import UnknownSourceError, discover


def write(path: Path, text: str = "CREATE TABLE t (a int);\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def make_sqlite(path: Path) -> Path:
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE people (email TEXT)")
    connection.close()
    return path


def test_a_migrations_directory_is_one_schema_replayed_in_natural_order(tmp_path: Path) -> None:
    for name in ("10_c.sql", "2_b.sql", "1_a.sql"):
        write(tmp_path / "migrate" / name)
    found = discover([str(tmp_path / "migrate")])
    assert len(found.inputs) == 1
    schema = found.inputs[0]
    assert schema.kind is SourceKind.DDL
    assert schema.database == str(tmp_path / "migrate")
    assert [f.name for f in schema.files] == ["1_a.sql", "2_b.sql", "10_c.sql"]


def test_a_single_dump_is_its_own_schema(tmp_path: Path) -> None:
    dump = write(tmp_path / "db" / "structure.sql")
    found = discover([str(dump)])
    assert [(i.database, i.files) for i in found.inputs] == [(str(dump), (dump,))]


def test_each_folder_of_sql_files_is_a_separate_schema(tmp_path: Path) -> None:
    write(tmp_path / "billing" / "001.sql")
    write(tmp_path / "shop" / "001.sql")
    write(tmp_path / "shop" / "002.sql")
    found = discover([str(tmp_path)])
    assert sorted(i.database for i in found.inputs) == [
        str(tmp_path / "billing" / "001.sql"),
        str(tmp_path / "shop"),
    ]


def test_sqlite_files_are_recognised_by_content_not_name(tmp_path: Path) -> None:
    database = make_sqlite(tmp_path / "data.bin")
    found = discover([str(tmp_path)])
    assert [(i.kind, i.database) for i in found.inputs] == [(SourceKind.SQLITE, str(database))]


def test_sqlite_url_names_a_file_relative_or_absolute(tmp_path: Path) -> None:
    database = make_sqlite(tmp_path / "shop.db")
    found = discover([f"sqlite:///{database}"])
    assert found.inputs[0].kind is SourceKind.SQLITE
    assert found.inputs[0].files == (database,)


def test_a_missing_sqlite_file_is_an_error_and_is_never_created(tmp_path: Path) -> None:
    missing = tmp_path / "missing.db"
    with pytest.raises(UnknownSourceError, match="never creates"):
        discover([f"sqlite:///{missing}"])
    assert not missing.exists()


def test_logs_are_found_by_name_and_folder_other_files_reported(tmp_path: Path) -> None:
    write(tmp_path / "001.sql")
    write(tmp_path / "logs" / "access.log", "192.0.2.1 - - GET /\n")
    write(tmp_path / "logs" / "worker-3", "started\n")
    write(tmp_path / "logs" / "README.md", "how logs rotate\n")
    write(tmp_path / "var" / "syslog.2.gz", "")
    write(tmp_path / "notes.docx", "")
    found = discover([str(tmp_path)])
    assert sorted(Path(log.path).relative_to(tmp_path).as_posix() for log in found.logs) == [
        "logs/access.log",
        "logs/worker-3",
        "var/syslog.2.gz",
    ]
    assert sorted(Path(s.source).name for s in found.skipped) == ["README.md", "notes.docx"]
    assert all("name it to scan it" in s.reason for s in found.skipped)


def test_rotated_copies_share_the_log_identity_and_are_read_oldest_first(tmp_path: Path) -> None:
    for name in ("access.log", "access.log.1", "access.log.2.gz", "access.log.10.gz"):
        write(tmp_path / name, "")
    found = discover([str(tmp_path)])
    assert {log.identity for log in found.logs} == {str(tmp_path / "access.log")}
    assert [Path(log.path).name for log in found.logs] == [
        "access.log.10.gz",
        "access.log.2.gz",
        "access.log.1",
        "access.log",
    ]


def test_a_file_named_outright_is_read_as_sql_whatever_its_suffix(tmp_path: Path) -> None:
    schema = write(tmp_path / "schema.txt")
    found = discover([str(schema)])
    assert found.inputs[0].files == (schema,)
    assert not found.skipped


def test_globs_expand_recursively_and_include_exclude_filter_directories(tmp_path: Path) -> None:
    write(tmp_path / "a" / "001_init.sql")
    write(tmp_path / "a" / "002_seed.sql")
    write(tmp_path / "b" / "deep" / "001.sql")
    found = discover([str(tmp_path / "**" / "*.sql")])
    assert sum(len(i.files) for i in found.inputs) == 3
    filtered = discover([str(tmp_path)], exclude=["*seed*"], include=["*.sql"])
    names = sorted(f.name for i in filtered.inputs for f in i.files)
    assert names == ["001.sql", "001_init.sql"]


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("no/such/file.sql", "no such file"),
        ("no/such/*.sql", "matches no file"),
        ("postgresql://auditor@db.example.com/shop", "postgresql:// sources are not supported"),
    ],
)
def test_unusable_targets_are_usage_errors(target: str, message: str) -> None:
    with pytest.raises(UnknownSourceError, match=message):
        discover([target])


def test_standard_input_is_told_apart_by_its_content_later() -> None:
    found = discover(["-"])
    assert found.stdin and not found.inputs and not found.logs


def test_include_and_exclude_match_the_path_below_the_directory_given(tmp_path: Path) -> None:
    """`app/*.log` under `logs/` is `logs/app/*.log`: as for objects under an s3:// prefix."""
    write(tmp_path / "logs" / "app" / "x.log", "started\n")
    write(tmp_path / "logs" / "web" / "app" / "y.log", "started\n")
    write(tmp_path / "logs" / "web" / "z.log", "started\n")
    found = discover([str(tmp_path / "logs")], include=["app/*.log"])
    assert [Path(str(log.path)).relative_to(tmp_path).as_posix() for log in found.logs] == ["logs/app/x.log"]
    globbed = discover([str(tmp_path / "logs" / "**")], exclude=["web/*"])
    assert [Path(str(log.path)).relative_to(tmp_path).as_posix() for log in globbed.logs] == ["logs/app/x.log"]
    assert not found.skipped and not globbed.skipped


def test_a_file_an_include_pattern_picks_is_read_whatever_its_name(tmp_path: Path) -> None:
    """Inside a directory only log-named files are logs, unless the user's --include picks
    others: `--include '*.txt'` means those files."""
    write(tmp_path / "out" / "worker.txt", "login from 192.0.2.4\n")
    write(tmp_path / "out" / "notes.md", "# notes\n")
    found = discover([str(tmp_path / "out")], include=["*.txt"])
    assert [Path(str(log.path)).name for log in found.logs] == ["worker.txt"]
    assert not found.skipped
    assert not discover([str(tmp_path / "out")]).logs, "without the pattern, neither name says log"


def test_a_directory_the_patterns_leave_empty_is_skipped_with_why(tmp_path: Path) -> None:
    write(tmp_path / "logs" / "app.log", "started\n")
    found = discover([str(tmp_path / "logs")], include=["*.zzz"])
    assert not found.logs
    assert [(s.source, s.reason.startswith("no file matches --include/--exclude")) for s in found.skipped] == [
        (str(tmp_path / "logs"), True)
    ]


def test_a_directory_with_nothing_to_scan_is_skipped_with_why(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    write(tmp_path / "own" / "pdscan.yml", "version: 1\n")
    write(tmp_path / "own" / ".hidden.log", "started\n")
    found = discover([str(tmp_path / "empty"), str(tmp_path / "own")])
    assert [(Path(s.source).name, s.reason) for s in found.skipped] == [
        ("empty", "no file in it (hidden files and pdscan's own files aside); nothing scanned"),
        ("own", "no file in it (hidden files and pdscan's own files aside); nothing scanned"),
    ]


def test_a_directory_symlink_inside_a_directory_is_skipped_as_one_not_as_an_empty_parent(tmp_path: Path) -> None:
    """The link is what the user must act on: "no file in it" about its parent would hide it."""
    write(tmp_path / "realdir" / "app.log", "ip=192.0.2.1\n")
    (tmp_path / "parent").mkdir()
    (tmp_path / "parent" / "logs").symlink_to("../realdir", target_is_directory=True)
    (tmp_path / "parent" / "loop").symlink_to("..", target_is_directory=True)
    found = discover([str(tmp_path / "parent")])
    assert not found.logs
    assert [(s.source, s.reason) for s in found.skipped] == [
        (
            str(tmp_path / "parent" / "logs"),
            f"a symlink to a directory ({tmp_path / 'realdir'}); not followed: name it to scan it",
        ),
        (str(tmp_path / "parent" / "loop"), "a symlink to a directory above it (a loop); not followed"),
    ]
    assert [log.path for log in discover([str(tmp_path / "parent" / "logs")]).logs] == [
        tmp_path / "parent" / "logs" / "app.log"
    ], "named outright, the link is followed"
