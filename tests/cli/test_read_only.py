"""Nothing changes: scanned files keep their bytes and modification times (SQLite files gain no
-wal, -shm or -journal file), databases keep their rows and pdscan's sessions cannot write, and
pdscan opens no file for writing but its own output, written to a temporary file beside it and
renamed into place, and its cache of compiled patterns, in a directory of its own.

The last is watched from inside: a subprocess runs the command with an audit hook recording
every open for writing, rename, removal and SQLite connection (audit hooks cannot be removed, so
not in the pytest process).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest
import sqlalchemy.exc
from click.testing import CliRunner
from support.command import run_pdscan
from support.db_cli import categories, json_scan
from support.db_servers import SUPERUSER_PASSWORD, MariaDBServer, PostgresServer
from support.personal_fixtures import APP_LOG, DB_NAME, load_mariadb, load_postgres, mariadb_admin, write_files

from pdscan import output_files
from pdscan.cli.commands import main
from pdscan.sources.database import mysql, postgres
from pdscan.sources.database.target import parse_target

TARGETS = ("app.log", "app.log.1.gz", "events.jsonl", "shop.db", "sessions.db", "schema", "sqlite:///shop.db")
COMMANDS = {
    "scan json": ("scan", *TARGETS, "--format", "json", "--output", "{out}/report.json", "--jobs", "2"),
    "scan ndjson": ("scan", *TARGETS, "--format", "ndjson", "--show-data"),
    "scan schema-only": ("scan", *TARGETS, "--schema-only", "--format", "sarif", "--output", "{out}/report.sarif"),
    "inventory": ("inventory", *TARGETS, "--format", "html", "--output", "{out}/inventory.html"),
    "init": ("init", *TARGETS, "--output", "{out}/pdscan.yml"),
    "baseline": ("baseline", *TARGETS, "--output", "{out}/baseline.json"),
}
WRITES_NOTHING = {"scan ndjson"}  # its output is stdout
REPOSITORY_FILES = {"init", "baseline"}  # made readable by everyone (chmod) before the rename
# Runs a pdscan command (argv[2:]) with an audit hook appending to argv[1] every open that may
# write or create, every rename, removal, change of mode or times, and every SQLite connection.
# The log is opened before the hook and written with os.write, which raises no event; forked log
# workers inherit both.
AUDITED = r"""
import json, os, sys
log = os.open(sys.argv[1], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
WRITING = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
EVENTS = {"os.rename", "os.remove", "os.rmdir", "os.mkdir", "os.chmod", "os.chown", "os.truncate", "os.utime",
          "os.link", "os.symlink", "shutil.rmtree", "sqlite3.connect"}

def hook(event, args):
    if event == "open":
        path, mode, flags = args
        if isinstance(path, int) or not ((isinstance(mode, str) and set(mode) & set("wax+")) or flags & WRITING):
            return  # reading, or a descriptor already open (its creation was an event of its own)
    elif event not in EVENTS:
        return
    os.write(log, (json.dumps([event, [os.fspath(a) if isinstance(a, os.PathLike) else a for a in args]],
                              default=str) + "\n").encode())

sys.addaudithook(hook)
from pdscan.cli.commands import main
main(args=sys.argv[2:], prog_name="pdscan")
"""


def snapshot(folder: Path) -> dict[str, tuple]:
    """Every file's bytes (hashed), size, mode and modification time, every folder's listing and
    modification time (a file created and removed again moves it). Access times do not count."""
    state: dict[str, tuple] = {}
    for path in sorted([folder, *folder.rglob("*")]):
        info = path.lstat()
        if path.is_dir():
            state[str(path)] = ("dir", sorted(child.name for child in path.iterdir()), info.st_mtime_ns)
        else:
            state[str(path)] = (
                hashlib.sha256(path.read_bytes()).hexdigest(),
                info.st_size,
                info.st_mode,
                info.st_mtime_ns,
            )
    return state


@pytest.fixture
def sources(tmp_path: Path) -> Path:
    folder = tmp_path / "sources"
    write_files(folder)
    (folder / "app.log.1.gz").write_bytes(gzip.compress(APP_LOG.encode()))  # a rotated copy: a second unit
    return folder


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_scanned_files_keep_their_bytes_and_times(command: str, sources: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    before = snapshot(sources)
    result = run_pdscan(*(argument.format(out=out) for argument in COMMANDS[command]), cwd=sources, text=False)
    assert result.returncode in (0, 1), result.stderr.decode()
    after = snapshot(sources)
    assert after == before, {path: (before.get(path), after.get(path)) for path in {*before, *after}
                             if before.get(path) != after.get(path)}  # fmt: skip
    companions = [path.name for path in sources.iterdir() if path.name.endswith(("-wal", "-shm", "-journal"))]
    assert companions == [], "sessions.db is a WAL database: reading it must not create its -wal and -shm"


WAL_ROWS = 20
WAL_STATES = ("writer idle", "writer in a transaction", "left by a writer that died", "-wal without -shm", "closed")
WAL_SCANS = {
    "path, sampled": ("{db}",),
    "path, schema only": ("{db}", "--schema-only"),
    "url, sampled": ("sqlite:///{db}", "--sample-size", "5", "--jobs", "2"),
    "url, schema only": ("sqlite:///{db}", "--schema-only"),
}


def wal_database(folder: Path, state: str) -> tuple[Path, sqlite3.Connection | None]:
    """A WAL database whose last commit (a new column `email`, addresses in `notes`) is still in
    its -wal, in `state`; the writer, when one holds it, is returned to be closed by the test."""
    folder.mkdir()
    database = folder / "inbox.db"
    writer = sqlite3.connect(database)
    writer.executescript(
        "PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0;"
        "CREATE TABLE contacts (id INTEGER PRIMARY KEY, notes TEXT);"
    )
    writer.executemany("INSERT INTO contacts (notes) VALUES (?)", [("no one in here",)] * WAL_ROWS)
    writer.commit()
    writer.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    if state == "closed":
        writer.close()
        return database, None
    writer.execute("ALTER TABLE contacts ADD COLUMN email TEXT")
    writer.execute("UPDATE contacts SET notes = 'write to wal' || id || '@example.org', email = notes")
    writer.commit()
    assert (folder / "inbox.db-wal").stat().st_size > 0
    if state == "writer in a transaction":
        writer.execute("INSERT INTO contacts (notes) VALUES ('uncommitted.row@example.net')")
    if state in ("left by a writer that died", "-wal without -shm"):
        # A copy of the files while the writer holds them is what a writer that died leaves.
        left = folder.parent / "left"
        left.mkdir()
        for suffix in ("", "-wal", "-shm")[: 2 if state == "-wal without -shm" else 3]:
            shutil.copyfile(folder / f"inbox.db{suffix}", left / f"inbox.db{suffix}")
        writer.close()
        shutil.rmtree(folder)
        left.rename(folder)
        return database, None
    return database, writer


@pytest.mark.parametrize("scan", sorted(WAL_SCANS))
@pytest.mark.parametrize("state", WAL_STATES)
def test_a_wal_database_keeps_its_three_files_and_its_last_commit_is_read(
    state: str, scan: str, tmp_path: Path
) -> None:
    """Reading a WAL database through SQLite marks its shared -shm index, and creates the -wal
    and -shm when they are missing: pdscan reads the -wal's commits and changes none of the
    three files' bytes or times, adds none, whoever holds the database."""
    database, writer = wal_database(tmp_path / "db", state)
    temporary = tmp_path / "tmp"  # where a -wal without its -shm is copied to be read
    temporary.mkdir()
    arguments = [argument.format(db=database) for argument in WAL_SCANS[scan]]
    try:
        before = snapshot(database.parent)
        report, result = json_scan(*arguments, "--show-data", env={"TMPDIR": str(temporary)})
        assert result.returncode == 0, result.stderr
        after = snapshot(database.parent)
    finally:
        if writer is not None:
            writer.close()
    assert after == before, {path: (before.get(path), after.get(path)) for path in {*before, *after}
                             if before.get(path) != after.get(path)}  # fmt: skip
    assert list(temporary.iterdir()) == [], "the private copy is removed"
    assert report["skipped"] == []
    found = categories(report)
    if state == "closed":
        assert ("contacts", "email") not in found
        return
    assert "email" in found[("contacts", "email")], "the column added in the -wal was read"
    if "sampled" in scan:
        assert "email" in found[("contacts", "notes")], "the values written in the -wal were sampled"
        sampled_rows = 5 if "--sample-size" in WAL_SCANS[scan] else WAL_ROWS
        assert report["sources"][0]["rows"] == sampled_rows, "the uncommitted row was not read"
        assert "uncommitted" not in result.stdout


def audited(arguments: tuple[str, ...], cwd: Path, log: Path) -> list[tuple[str, list]]:
    """The events the command's audit hook recorded (the command itself must succeed), but
    those inside pdscan's cache directory (a new one, so the cache is written every time)."""
    cache = log.parent / "pdscan-cache"
    environment = {k: v for k, v in os.environ.items() if k not in ("PGPASSWORD", "MYSQL_PWD")}
    environment |= {"NO_COLOR": "1", "PYTHONDONTWRITEBYTECODE": "1"}  # the interpreter's own .pyc writes
    environment |= {"PDSCAN_CACHE_DIR": str(cache)}
    result = subprocess.run(
        [sys.executable, "-B", "-c", AUDITED, str(log), *arguments],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode in (0, 1), result.stderr
    lines = log.read_text().splitlines() if log.exists() else []
    events = [(event, args) for event, args in map(json.loads, lines)]
    in_cache = [
        (event, args)
        for event, args in events
        if event != "sqlite3.connect" and Path(str(args[0])).is_relative_to(cache)
    ]
    renamed_to = [Path(str(args[1])) for event, args in in_cache if event == "os.rename"]
    assert all(path.is_relative_to(cache) for path in renamed_to), in_cache
    assert not any(path.is_relative_to(cache) for path in cwd.rglob("*")), "the cache is never among what is scanned"
    return [event for event in events if event not in in_cache]


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_only_the_output_is_written_through_a_temporary_file_renamed_into_place(
    command: str, sources: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    arguments = tuple(argument.format(out=out) for argument in COMMANDS[command])
    events = audited(arguments, sources, tmp_path / "audit.log")

    connections = [args[0] for event, args in events if event == "sqlite3.connect"]
    assert connections, "the SQLite files were opened (the hook sees them)"
    assert all("mode=ro" in uri for uri in connections), connections
    writes = [(event, args) for event, args in events if event != "sqlite3.connect"]
    if command in WRITES_NOTHING:
        assert writes == []
        return
    output = Path(arguments[arguments.index("--output") + 1])
    temporary = Path(writes[0][1][0])
    assert temporary.parent == output.parent and temporary.name.startswith(f".{output.name}."), writes
    expected = [("open", str(temporary))]
    if command in REPOSITORY_FILES:
        expected.append(("os.chmod", str(temporary)))
    expected.append(("os.rename", str(temporary)))
    assert [(event, str(args[0])) for event, args in writes] == expected, writes
    assert writes[-1][1][1] == str(output), "renamed onto the output"
    assert sorted(path.name for path in out.iterdir()) == [output.name]


def test_a_device_or_a_pipe_as_output_is_written_to_never_replaced(sources: Path, tmp_path: Path) -> None:
    """`-o /dev/null` run as root once turned /dev/null into a regular file holding the report:
    a device or a named pipe is written through, and stays what it was. (A null device of the
    test's own stands in for /dev/null, so a regression cannot break the machine.)"""
    if os.geteuid() != 0:
        pytest.skip("making a device node needs root (CI runs as root)")
    devices = tmp_path / "dev"
    devices.mkdir()
    null = devices / "null"
    os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    result = run_pdscan("scan", "app.log", "--format", "json", "--output", str(null), cwd=sources, text=False)
    assert result.returncode in (0, 1), result.stderr
    assert stat.S_ISCHR(null.stat().st_mode), "the device was replaced by a file"
    assert sorted(path.name for path in devices.iterdir()) == ["null"], "no temporary file beside it"

    pipe = devices / "pipe"
    os.mkfifo(pipe)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(pipe.read_bytes()), daemon=True)
    reader.start()
    result = run_pdscan("scan", "app.log", "--format", "json", "--output", str(pipe), cwd=sources, text=False)
    reader.join(timeout=60)
    assert result.returncode in (0, 1), result.stderr
    assert stat.S_ISFIFO(pipe.stat().st_mode)
    assert received and json.loads(received[0])["findings"], "the report came through the pipe"


def test_a_symbolic_link_as_output_stays_a_link_to_the_new_report(sources: Path, tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "latest.json").write_text("old")
    link = tmp_path / "report.json"
    link.symlink_to(reports / "latest.json")
    result = run_pdscan("scan", "app.log", "--format", "json", "--output", str(link), cwd=sources, text=False)
    assert result.returncode in (0, 1), result.stderr
    assert link.is_symlink() and json.loads(link.read_text())["findings"]
    assert sorted(path.name for path in reports.iterdir()) == ["latest.json"]


def test_the_audit_sees_a_write_to_a_scanned_file(sources: Path, tmp_path: Path) -> None:
    """The hook is not blind: a command that writes into the scanned folder is recorded."""
    arguments = ("init", "app.log", "--output", str(sources / "pdscan.yml"))
    events = audited(arguments, sources, tmp_path / "audit.log")
    assert [event for event, _ in events] == ["open", "os.chmod", "os.rename"]
    assert Path(events[0][1][0]).parent == sources


def test_a_report_that_cannot_be_put_in_place_leaves_no_temporary_file(
    sources: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The temporary file holds the whole report (with --show-data, raw values): a failed rename
    removes it instead of leaving it beside the output."""

    def refuse(source: str, destination: str) -> None:
        raise PermissionError(13, "Permission denied", destination)

    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.chdir(sources)
    monkeypatch.setattr(output_files.os, "replace", refuse)
    result = CliRunner().invoke(main, ["scan", "app.log", "--show-data", "--output", str(out / "report.json")])
    assert result.exit_code == 2
    assert f"cannot write the report to {out / 'report.json'}: Permission denied" in result.stderr
    assert list(out.iterdir()) == []


# name: the command, and the source its one line must name. Each replaced (or, in a scanned
# folder or glob, would next time be read back) what it scans before the check.
COLLISIONS = {
    "a database onto itself": (("scan", "shop.db", "--format", "json", "--output", "shop.db"), "shop.db"),
    "a sqlite URL onto its file": (("scan", "sqlite:///shop.db", "--output", "shop.db"), "shop.db"),
    "a log onto itself": (("scan", "app.log", "--output", "app.log"), "app.log"),
    "through a symbolic link": (("scan", "schema/001_accounts.sql", "-o", "accounts.sql"), "schema/001_accounts.sql"),
    "a symbolic link scanned": (("scan", "accounts.sql", "-o", "schema/001_accounts.sql"), "accounts.sql"),
    "through a hard link": (("scan", "app.log", "--output", "hard.log"), "app.log"),
    "through ..": (("scan", "schema/001_accounts.sql", "-o", "schema/../schema/001_accounts.sql"), "001_accounts"),
    "through .. of no folder": (("init", "app.log", "--output", "nowhere/../app.log", "--force"), "app.log"),
    "baseline onto its schema": (("baseline", "schema/002_legacy.sql", "-o", "schema/002_legacy.sql"), "002_legacy"),
    "init --force onto its log": (("init", "app.log", "--output", "app.log", "--force"), "app.log"),
    "inventory onto its database": (("inventory", "sessions.db", "--output", "sessions.db"), "sessions.db"),
    "ndjson into the folder scanned": (("scan", ".", "--format", "ndjson", "--output", "report.ndjson"), "."),
    "json into a logs folder": (("scan", "logs", "--format", "json", "--output", "logs/report.json"), "logs"),
    "sql into a schema folder": (("scan", "schema", "--format", "json", "--output", "schema/report.sql"), "schema"),
    "a name the glob matches": (("scan", "*.log", "--format", "json", "--output", "new.log"), "*.log"),
    "a name --include picks": (("scan", "schema", "--include", "*", "-o", "schema/report.html"), "schema"),
    "the data map read": (("scan", "app.log", "--config", "map.yml", "--output", "map.yml"), "--config"),
    "the data map found": (("scan", "mapped", "--output", "mapped/pdscan.yml"), "data map"),
    "the baseline read": (("scan", "app.log", "--baseline", "accepted.json", "-o", "accepted.json"), "--baseline"),
}


def _linked(sources: Path) -> Path:
    """Besides the usual sources: a symbolic and a hard link, a logs folder, data maps, a baseline."""
    (sources / "accounts.sql").symlink_to("schema/001_accounts.sql")
    os.link(sources / "app.log", sources / "hard.log")
    (sources / "logs").mkdir()
    (sources / "logs" / "api.log").write_text(APP_LOG)
    (sources / "map.yml").write_text("version: 1\n")
    (sources / "mapped").mkdir()
    (sources / "mapped" / "pdscan.yml").write_text("version: 1\n")
    (sources / "mapped" / "users.sql").write_text("CREATE TABLE users (email text);\n")
    (sources / "accepted.json").write_text("{}\n")
    return sources


@pytest.mark.parametrize("name", sorted(COLLISIONS))
def test_an_output_onto_what_is_scanned_is_refused_before_anything_is_read(name: str, sources: Path) -> None:
    """`pdscan scan self.db --output self.db` replaced the database with its report, and a report
    written where the next run reads it (`*.ndjson` in the folder scanned) was scanned as a log."""
    arguments, source = COLLISIONS[name]
    before = snapshot(_linked(sources))
    result = run_pdscan(*arguments, cwd=sources, text=False)
    assert result.returncode == 2, result.stderr.decode()
    lines = result.stderr.decode().splitlines()
    output = arguments[-2] if arguments[-1] == "--force" else arguments[-1]
    assert len(lines) == 1 and lines[0].startswith(f"pdscan: error: --output {output} "), lines
    assert source in lines[0].removeprefix(f"pdscan: error: --output {output} "), lines
    assert snapshot(sources) == before


@pytest.mark.parametrize(
    "arguments",
    [
        ("scan", ".", "--format", "json", "--output", "report.json"),  # not read back: not a log or SQL name
        ("scan", ".", "--format", "ndjson", "--exclude", "*.ndjson", "--output", "report.ndjson"),
        ("scan", "logs", "--format", "html", "--output", "logs/report.html"),  # a document, even in logs/
        ("baseline", "schema", "--output", "schema/.pdscan-baseline.json"),  # pdscan's own files are never read
        ("init", "schema", "--output", "schema/pdscan.yml"),
    ],
)
def test_an_output_beside_what_is_scanned_that_no_run_reads_is_written(
    arguments: tuple[str, ...], sources: Path
) -> None:
    result = run_pdscan(*arguments, cwd=_linked(sources), text=False)
    assert result.returncode in (0, 1), result.stderr.decode()
    assert (sources / arguments[-1]).stat().st_size > 0


def postgres_tables(server: PostgresServer) -> dict[str, tuple]:
    """Per table: rows and an MD5 of every row, in order."""
    with psycopg.connect(server.url(database=DB_NAME), autocommit=True) as connection:
        names = [
            row[0]
            for row in connection.execute(
                "SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) FROM pg_tables "
                "WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1"
            )
        ]
        return {
            name: connection.execute(
                f"SELECT count(*), md5(coalesce(string_agg(r::text, '|' ORDER BY r::text), '')) FROM {name} r"
            ).fetchone()
            for name in names
        }


def mariadb_tables(server: MariaDBServer) -> dict[str, tuple]:
    connection = mariadb_admin(server)
    with connection.cursor() as cursor:
        cursor.execute("SHOW TABLES")
        names = [row[0] for row in cursor.fetchall()]
        state = {}
        for name in names:
            cursor.execute(f"SELECT COUNT(*) FROM `{name}`")
            count = cursor.fetchone()[0]
            cursor.execute(f"CHECKSUM TABLE `{name}` EXTENDED")
            state[name] = (count, cursor.fetchone()[1])
    connection.close()
    return state


@pytest.fixture(scope="module")
def postgres_url(postgres_server: PostgresServer) -> str:
    return load_postgres(postgres_server)[0]


@pytest.fixture(scope="module")
def mariadb_url(mariadb_server: MariaDBServer) -> str:
    return load_mariadb(mariadb_server)[0]


@pytest.mark.parametrize(
    ("server_fixture", "url_fixture", "tables"),
    [("postgres_server", "postgres_url", postgres_tables), ("mariadb_server", "mariadb_url", mariadb_tables)],
    ids=["postgres", "mariadb"],
)
def test_a_sampled_scan_leaves_every_row(
    server_fixture: str,
    url_fixture: str,
    tables: Callable[[Any], dict[str, tuple]],
    request: pytest.FixtureRequest,
    tmp_path: Path,
) -> None:
    url = request.getfixturevalue(url_fixture)  # loads the rows
    server = request.getfixturevalue(server_fixture)
    before = tables(server)
    assert before and all(count for count, _ in before.values())
    result = run_pdscan("scan", url, "--format", "json", "--fail-on", "never", cwd=tmp_path, text=False)
    assert result.returncode == 0 and b'"rows": 40' in result.stdout, result.stderr.decode()
    assert tables(server) == before


WRITES = (
    "INSERT INTO members (id) VALUES (9999)",
    "UPDATE members SET email = 'changed@example.org'",
    "DELETE FROM members",
    "CREATE TABLE intruder (id integer)",
    "DROP TABLE members",
)


@pytest.mark.parametrize("statement", WRITES)
def test_a_postgres_session_of_pdscan_cannot_write(
    statement: str, postgres_server: PostgresServer, postgres_url: str
) -> None:
    """As the superuser, so that only the session's read-only mode can refuse it."""
    before = postgres_tables(postgres_server)
    connector = postgres.connect(parse_target(postgres_server.url(database=DB_NAME), {}), 1, 5.0)
    try:
        with connector.engine.connect() as connection, pytest.raises(sqlalchemy.exc.DBAPIError, match="read-only"):
            connection.exec_driver_sql(statement)
            connection.commit()
    finally:
        connector.close()
    assert postgres_tables(postgres_server) == before


@pytest.mark.parametrize("statement", WRITES)
def test_a_mariadb_session_of_pdscan_cannot_write(
    statement: str, mariadb_server: MariaDBServer, mariadb_url: str
) -> None:
    before = mariadb_tables(mariadb_server)
    url = f"mariadb://root:{SUPERUSER_PASSWORD}@127.0.0.1:{mariadb_server.port}/{DB_NAME}"
    connector = mysql.connect(parse_target(url, {}), 1, 5.0)
    try:
        with connector.engine.connect() as connection, pytest.raises(sqlalchemy.exc.DBAPIError, match="READ ONLY"):
            connection.exec_driver_sql(statement)
            connection.commit()
    finally:
        connector.close()
    assert mariadb_tables(mariadb_server) == before
