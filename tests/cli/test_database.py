"""Databases scanned live through the CLI: one shop (support/db_scenario.py) loaded into SQLite, a
real PostgreSQL and a real MariaDB server. What every engine must do is one test run on each
(`shop`, `server_shop`); what only one engine has (TABLESAMPLE, a password prompt, a table dropped
mid-scan) is a test of that engine's fixture. `pytest -m postgres` (or `sqlite`, `mariadb`) runs
one engine's tests."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pty
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import psycopg
import pymysql
import pytest
from support.command import PDSCAN, pdscan_environment, run_pdscan
from support.db_cli import categories, findings, json_scan
from support.db_scenario import (
    CUSTOMER_COLUMNS,
    CUSTOMERS,
    EXPECTED,
    NOT_PERSONAL,
    ODD_TABLE,
    PRODUCTS,
    SPACED_COLUMN,
    SPACED_TABLE,
    UNICODE_COLUMN,
    UNICODE_TABLE,
    client_ip,
    customer_row,
    customers,
)
from support.db_servers import SUPERUSER_PASSWORD, MariaDBServer, PostgresServer, _free_port
from support.terminal import read_until, stderr_on_terminal

from pdscan.declarations import load_data_map
from pdscan.detect.names import NameClassifier
from pdscan.policy import load_policy
from pdscan.scanner import DatabaseHooks, ScanRequest, run_scan

POSTGRES_PASSWORD = "Aud!t0r:p@ss/word"  # URL-special characters on purpose
MARIADB_PASSWORD = "Maria#Aud1t@r"
POSTGRES_BIG_ROWS = 60_000
MARIADB_BIG_ROWS = 20_000
MARIADB_WRITE_COUNTERS = (
    "Com_insert",
    "Com_update",
    "Com_delete",
    "Com_replace",
    "Com_create_table",
    "Com_drop_table",
    "Com_alter_table",
    "Com_truncate",
    "Handler_write",
    "Handler_update",
    "Handler_delete",
)


@dataclass(frozen=True)
class LiveShop:
    """The shop in one engine, as the tests address it: the auditor's URL, what a scan must leave
    as it was, and what differs between servers only in its words."""

    engine: str
    url: str  # with the auditor's password, for a server
    state: Callable[[], object]  # what a scan must leave exactly as it was
    address: Callable[..., str] = lambda **_: ""  # the auditor's URL, other password, database, port or scheme
    port: int = 0
    password: str = ""
    unreachable_safe: str = ""  # characters the unreachable case leaves unquoted in its URL's password
    password_variable: str = ""  # the environment variable the engine's clients read a password from
    alias_scheme: str = ""  # a second scheme users write for the same engine
    big_tables: str = ""  # --exclude pattern of the large table
    refusals: tuple[tuple[str, str], ...] = ()  # (failed connection, what stderr says)
    lock: Callable[[str], contextlib.AbstractContextManager[None]] = contextlib.nullcontext


def engine(name: str, *marks: pytest.MarkDecorator) -> object:
    return pytest.param(name, marks=[getattr(pytest.mark, name), *marks], id=name)


@pytest.fixture(params=[engine("sqlite"), engine("postgres", pytest.mark.db), engine("mariadb", pytest.mark.db)])
def shop(request: pytest.FixtureRequest) -> LiveShop:
    return request.getfixturevalue(f"{request.param}_shop")


@pytest.fixture(params=[engine("postgres", pytest.mark.db), engine("mariadb", pytest.mark.db)])
def server_shop(request: pytest.FixtureRequest) -> LiveShop:
    return request.getfixturevalue(f"{request.param}_shop")


# --------------------------------------------------------------------------------------------
# The shop in each engine


def sqlite_quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def build_sqlite_shop(path: Path) -> Path:
    connection = sqlite3.connect(path)
    q = sqlite_quoted
    connection.executescript(
        f"""
        CREATE TABLE customers (
            id INTEGER PRIMARY KEY,
            email TEXT NOT NULL,  -- pdscan: purpose=user_notifications
            phone TEXT,           -- pdscan: purpose=customer_support
            first_name TEXT,
            notes TEXT,
            email_template TEXT,
            dob_required BOOLEAN,
            ip_allowlist_enabled BOOLEAN,
            app_version TEXT,
            profile JSON,
            label_image BLOB,
            payment_memo TEXT
        );
        CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT, description TEXT);
        CREATE TABLE {q(SPACED_TABLE)} (id INTEGER PRIMARY KEY, {q(SPACED_COLUMN)} TEXT);
        CREATE TABLE {q(UNICODE_TABLE)} (id INTEGER PRIMARY KEY, {q(UNICODE_COLUMN)} TEXT);
        CREATE TABLE {q(ODD_TABLE)} (id INTEGER PRIMARY KEY, ip TEXT);
        """
    )
    rows = [customer_row(customer) for customer in customers()]
    connection.executemany(f"INSERT INTO customers ({CUSTOMER_COLUMNS}) VALUES ({','.join('?' * 12)})", rows)
    connection.executemany("INSERT INTO products VALUES (?, ?, ?)", PRODUCTS)
    emails = [(c.id, c.email) for c in customers()]
    connection.executemany(f"INSERT INTO {q(SPACED_TABLE)} VALUES (?, ?)", emails)
    connection.executemany(f"INSERT INTO {q(UNICODE_TABLE)} VALUES (?, ?)", emails)
    connection.executemany(f"INSERT INTO {q(ODD_TABLE)} VALUES (?, ?)", [(n, client_ip(n)) for n in range(1, 101)])
    connection.commit()
    connection.close()
    return path


def file_state(directory: Path) -> dict[str, tuple[str, int]]:
    return {
        path.name: (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns)
        for path in sorted(directory.iterdir())
    }


@pytest.fixture
def sqlite_shop(tmp_path: Path) -> LiveShop:
    path = build_sqlite_shop(tmp_path / "shop.db")
    return LiveShop("sqlite", f"sqlite:///{path}", lambda: file_state(tmp_path))


def pg_quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def postgres_address(
    server: PostgresServer,
    password: str | None = POSTGRES_PASSWORD,
    database: str = "shop",
    port: int | None = None,
    scheme: str = "postgresql",
    safe: str = "",
) -> str:
    secret = f":{quote(password, safe=safe)}" if password else ""
    return f"{scheme}://auditor{secret}@127.0.0.1:{port or server.port}/{database}"


def postgres_state(server: PostgresServer) -> list[tuple]:
    """Row counts and the write statistics of every table: what a scan must leave as it was."""
    time.sleep(0.6)  # the statistics collector reports what happened a moment ago
    with psycopg.connect(server.url(database="shop"), autocommit=True) as connection:
        stats = connection.execute(
            "SELECT schemaname, relname, n_tup_ins, n_tup_upd, n_tup_del, n_live_tup, n_dead_tup "
            "FROM pg_stat_user_tables ORDER BY 1, 2"
        ).fetchall()
        counts = [
            (
                schema,
                table,
                connection.execute(f"SELECT count(*) FROM {pg_quoted(schema)}.{pg_quoted(table)}").fetchone()[0],
            )
            for schema, table, *_ in stats
        ]
        return stats + counts


@contextlib.contextmanager
def postgres_lock(server: PostgresServer, table: str) -> Iterator[None]:
    """`table` held in ACCESS EXCLUSIVE mode by another session for as long as the block runs."""
    locked, release = threading.Event(), threading.Event()

    def hold_lock() -> None:
        with psycopg.connect(server.url(database="shop")) as connection:
            connection.execute(f"LOCK TABLE {pg_quoted(table)} IN ACCESS EXCLUSIVE MODE")
            locked.set()
            release.wait(30)
            connection.rollback()

    holder = threading.Thread(target=hold_lock)
    holder.start()
    try:
        assert locked.wait(10)
        yield
    finally:
        release.set()
        holder.join()


@pytest.fixture(scope="module")
def postgres_shop(postgres_server: PostgresServer) -> LiveShop:
    q = pg_quoted
    with psycopg.connect(postgres_server.url(), autocommit=True) as admin:
        admin.execute("DROP DATABASE IF EXISTS shop")
        admin.execute("CREATE DATABASE shop")
        admin.execute("DROP ROLE IF EXISTS auditor")
        admin.execute(f"CREATE ROLE auditor LOGIN PASSWORD '{POSTGRES_PASSWORD}'")
    with psycopg.connect(postgres_server.url(database="shop")) as connection:
        connection.execute(
            f"""
            CREATE TABLE customers (
                id integer PRIMARY KEY, email text NOT NULL, phone varchar(32), first_name text, notes text,
                email_template text, dob_required boolean, ip_allowlist_enabled boolean, app_version text,
                profile jsonb, label_image bytea, payment_memo text);
            COMMENT ON COLUMN customers.phone IS 'Called about deliveries. purpose: customer_support';
            CREATE TABLE products (id integer PRIMARY KEY, name text, description text);
            CREATE TABLE {q(SPACED_TABLE)} (id integer PRIMARY KEY, {q(SPACED_COLUMN)} text);
            CREATE TABLE {q(UNICODE_TABLE)} (id integer PRIMARY KEY, {q(UNICODE_COLUMN)} text);
            CREATE TABLE {q(ODD_TABLE)} (id integer PRIMARY KEY, ip inet);
            CREATE TABLE secrets (id integer PRIMARY KEY, email text);
            CREATE SCHEMA audit;
            CREATE TABLE audit.events (id bigserial PRIMARY KEY, remote_addr text, payload text);
            """
        )
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO customers ({CUSTOMER_COLUMNS}) VALUES ({','.join(['%s'] * 12)})",
                [customer_row(c) for c in customers()],
            )
            cursor.executemany("INSERT INTO products VALUES (%s, %s, %s)", PRODUCTS)
            emails = [(c.id, c.email) for c in customers()]
            cursor.executemany(f"INSERT INTO {q(SPACED_TABLE)} VALUES (%s, %s)", emails)
            cursor.executemany(f"INSERT INTO {q(UNICODE_TABLE)} VALUES (%s, %s)", emails)
            cursor.executemany(
                f"INSERT INTO {q(ODD_TABLE)} VALUES (%s, %s)", [(n, client_ip(n)) for n in range(1, 101)]
            )
            cursor.executemany("INSERT INTO secrets VALUES (%s, %s)", emails[:10])
        connection.execute(
            "INSERT INTO audit.events (remote_addr, payload) SELECT '203.0.113.' || (n % 250 + 1), "
            f"repeat('x', 200) FROM generate_series(1, {POSTGRES_BIG_ROWS}) AS n"
        )
        connection.execute("GRANT USAGE ON SCHEMA audit TO auditor")
        connection.execute("GRANT SELECT ON ALL TABLES IN SCHEMA public, audit TO auditor")
        connection.execute("REVOKE SELECT ON secrets FROM auditor")
        connection.commit()
    with psycopg.connect(postgres_server.url(database="shop"), autocommit=True) as connection:
        connection.execute("ANALYZE")
    return LiveShop(
        engine="postgres",
        url=postgres_address(postgres_server),
        state=lambda: postgres_state(postgres_server),
        address=lambda **given: postgres_address(postgres_server, **given),
        port=postgres_server.port,
        password=POSTGRES_PASSWORD,
        unreachable_safe="!:@",  # only the slash quoted: the URL's own separators inside a password
        password_variable="PGPASSWORD",
        alias_scheme="postgresql",
        big_tables="audit.*",
        refusals=(
            ("wrong-password", "password authentication failed"),
            ("missing-database", 'database "nosuchdb" does not exist'),
            ("unreachable", "cannot connect"),
        ),
        lock=lambda table: postgres_lock(postgres_server, table),
    )


def maria_quoted(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def maria_admin(server: MariaDBServer, database: str | None = None) -> pymysql.Connection:
    return pymysql.connect(
        unix_socket=server.socket,
        user="root",
        password=SUPERUSER_PASSWORD,
        database=database,
        charset="utf8mb4",
        autocommit=True,
    )


def mariadb_address(
    server: MariaDBServer,
    password: str | None = MARIADB_PASSWORD,
    database: str = "shop",
    port: int | None = None,
    scheme: str = "mariadb",
    safe: str = "",
) -> str:
    secret = f":{quote(password, safe=safe)}" if password else ""
    return f"{scheme}://auditor{secret}@127.0.0.1:{port or server.port}/{database}"


def mariadb_state(server: MariaDBServer) -> tuple:
    """Row counts, table statistics and the server's write counters: what a scan must leave alone."""
    connection = maria_admin(server, "shop")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, table_rows, update_time FROM information_schema.tables "
            "WHERE table_schema = 'shop' ORDER BY table_name"
        )
        tables = cursor.fetchall()
        counts = []
        for name, *_ in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {maria_quoted(name)}")
            counts.append((name, cursor.fetchone()[0]))
        cursor.execute(
            "SHOW GLOBAL STATUS WHERE Variable_name IN (" + ",".join(["%s"] * len(MARIADB_WRITE_COUNTERS)) + ")",
            MARIADB_WRITE_COUNTERS,
        )
        counters = cursor.fetchall()
    connection.close()
    return tables, counts, counters


@contextlib.contextmanager
def mariadb_lock(server: MariaDBServer, table: str) -> Iterator[None]:
    """`table` write-locked by another session for as long as the block runs."""
    locked, release = threading.Event(), threading.Event()

    def hold_lock() -> None:
        connection = maria_admin(server, "shop")
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLES {maria_quoted(table)} WRITE")
            locked.set()
            release.wait(60)
            cursor.execute("UNLOCK TABLES")
        connection.close()

    holder = threading.Thread(target=hold_lock)
    holder.start()
    try:
        assert locked.wait(10)
        yield
    finally:
        release.set()
        holder.join()


@pytest.fixture(scope="module")
def mariadb_shop(mariadb_server: MariaDBServer) -> LiveShop:
    q = maria_quoted
    connection = maria_admin(mariadb_server)
    with connection.cursor() as cursor:
        cursor.execute("DROP DATABASE IF EXISTS shop")
        cursor.execute("CREATE DATABASE shop CHARACTER SET utf8mb4")
        cursor.execute("USE shop")
        cursor.execute(
            "CREATE TABLE customers (id int PRIMARY KEY, email varchar(255) NOT NULL, "
            "phone varchar(32) COMMENT 'Called about deliveries. purpose: customer_support', first_name varchar(64), "
            "notes text, email_template text, dob_required tinyint(1), ip_allowlist_enabled tinyint(1), "
            "app_version varchar(16), profile JSON, label_image blob, payment_memo text)"
        )
        cursor.execute("CREATE TABLE products (id int PRIMARY KEY, name varchar(64), description text)")
        cursor.execute(f"CREATE TABLE {q(SPACED_TABLE)} (id int PRIMARY KEY, {q(SPACED_COLUMN)} varchar(255))")
        cursor.execute(f"CREATE TABLE {q(UNICODE_TABLE)} (id int PRIMARY KEY, {q(UNICODE_COLUMN)} varchar(255))")
        cursor.execute(f"CREATE TABLE {q(ODD_TABLE)} (id int PRIMARY KEY, ip varchar(45))")
        cursor.execute("CREATE TABLE secrets (id int PRIMARY KEY, email varchar(255), token varchar(64))")
        cursor.execute("CREATE TABLE events (id bigint AUTO_INCREMENT PRIMARY KEY, remote_addr varchar(45))")
        cursor.executemany(
            f"INSERT INTO customers ({CUSTOMER_COLUMNS}) VALUES ({','.join(['%s'] * 12)})",
            [customer_row(c) for c in customers()],
        )
        cursor.executemany("INSERT INTO products VALUES (%s, %s, %s)", PRODUCTS)
        emails = [(c.id, c.email) for c in customers()]
        cursor.executemany(f"INSERT INTO {q(SPACED_TABLE)} VALUES (%s, %s)", emails)
        cursor.executemany(f"INSERT INTO {q(UNICODE_TABLE)} VALUES (%s, %s)", emails)
        cursor.executemany(f"INSERT INTO {q(ODD_TABLE)} VALUES (%s, %s)", [(n, client_ip(n)) for n in range(1, 101)])
        cursor.executemany("INSERT INTO secrets VALUES (%s, %s, %s)", [(i, e, "t") for i, e in emails[:10]])
        cursor.executemany(
            "INSERT INTO events (remote_addr) VALUES (%s)",
            [(f"203.0.113.{n % 250 + 1}",) for n in range(MARIADB_BIG_ROWS)],
        )
        cursor.execute("ANALYZE TABLE events")
        for host in ("localhost", "127.0.0.1"):
            cursor.execute(f"CREATE OR REPLACE USER 'auditor'@'{host}' IDENTIFIED BY %s", (MARIADB_PASSWORD,))
            for table in ("customers", "products", SPACED_TABLE, UNICODE_TABLE, ODD_TABLE, "events"):
                cursor.execute(f"GRANT SELECT ON shop.{q(table)} TO 'auditor'@'{host}'")
            cursor.execute(f"GRANT SELECT (id) ON shop.secrets TO 'auditor'@'{host}'")  # visible, values denied
    connection.close()
    return LiveShop(
        engine="mariadb",
        url=mariadb_address(mariadb_server),
        state=lambda: mariadb_state(mariadb_server),
        address=lambda **given: mariadb_address(mariadb_server, **given),
        port=mariadb_server.port,
        password=MARIADB_PASSWORD,
        password_variable="MYSQL_PWD",
        alias_scheme="mysql",
        big_tables="events",
        refusals=(
            ("wrong-password", "Access denied for user 'auditor'"),
            ("missing-database", "Access denied"),
            ("unreachable", "cannot connect"),
        ),
        lock=lambda table: mariadb_lock(mariadb_server, table),
    )


# --------------------------------------------------------------------------------------------
# Every engine


def test_live_scan_finds_personal_data_by_name_and_values_and_changes_nothing(shop: LiveShop) -> None:
    before = shop.state()
    report, _ = json_scan(shop.url, "--jobs", "3")
    assert shop.state() == before, "no row, no statistic, no file changed"

    found = categories(report)
    for place, category in EXPECTED.items():
        assert category in found.get(place, set()), (place, found.get(place))
    for place in NOT_PERSONAL:
        assert place not in found, (place, findings(report)[place])
    (notes,) = findings(report)[("customers", "notes")]
    assert f"{CUSTOMERS // 2} of {CUSTOMERS} sampled values hold an e-mail address" in notes["evidence"][0]["text"]
    (phone,) = findings(report)[("customers", "phone")]
    assert phone["verdict"] == "ok", "the column's own comment declares its purpose"


# --------------------------------------------------------------------------------------------
# Every server


def test_permission_denied_on_one_table_is_reported_and_the_rest_scanned(server_shop: LiveShop) -> None:
    report, result = json_scan(server_shop.url)
    denied = [s["reason"] for s in report["skipped"] if "`secrets`" in s["reason"]]
    assert len(denied) == 1 and "permission denied" in denied[0]
    assert report["sources"][0]["status"] == "partial"
    assert result.returncode == 0
    assert ("customers", "notes") in categories(report)
    assert sum("`secrets`" in line for line in result.stderr.splitlines()) == 1


def test_the_password_in_the_url_is_masked_and_never_shown(server_shop: LiveShop) -> None:
    report, result = json_scan(server_shop.url, "--schema-only")
    masked = server_shop.address(password=None).replace("://auditor@", "://auditor:***@")
    assert report["sources"][0]["source"] == masked
    table = run_pdscan("scan", server_shop.url)
    quoted = quote(server_shop.password, safe="")
    for text in (result.stdout, result.stderr, table.stdout, table.stderr):
        assert server_shop.password not in text and quoted[:9] not in text, "not even the start of it, URL-quoted"


def test_the_password_from_the_environment_is_used_and_never_shown(server_shop: LiveShop) -> None:
    url = server_shop.address(password=None)
    report, result = json_scan(url, "--schema-only", env={server_shop.password_variable: server_shop.password})
    assert ("customers", "email") in categories(report), result.stderr
    assert report["sources"][0]["source"] == url
    assert server_shop.password not in result.stdout + result.stderr


@pytest.mark.parametrize("case", ["wrong-password", "missing-database", "unreachable"])
def test_connection_failures_are_one_line_and_exit_2(server_shop: LiveShop, case: str) -> None:
    target = {
        "wrong-password": server_shop.address(password="not-the-Secret-9"),
        "missing-database": server_shop.address(database="nosuchdb"),
        "unreachable": server_shop.address(
            port=_free_port(), scheme=server_shop.alias_scheme, safe=server_shop.unreachable_safe
        ),
    }[case]
    result = run_pdscan("scan", target, "--format", "json")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert dict(server_shop.refusals)[case] in result.stderr
    for secret in ("not-the-Secret-9", server_shop.password, quote(server_shop.password, safe="")[:9]):
        assert secret not in result.stdout + result.stderr
    assert len([line for line in result.stderr.splitlines() if line.startswith("pdscan: skipped")]) == 1


def test_a_locked_table_times_out_and_the_rest_is_scanned(server_shop: LiveShop) -> None:
    with server_shop.lock(SPACED_TABLE):
        report, _ = json_scan(server_shop.url, "--statement-timeout", "1", "--exclude", server_shop.big_tables)
    reasons = [s["reason"] for s in report["skipped"] if SPACED_TABLE in s["reason"]]
    # MariaDB's write lock holds the table's definition too: the wait times out while reading its columns.
    assert len(reasons) == 1 and ("timed out" in reasons[0] or "statement timeout" in reasons[0]), reasons
    assert ("customers", "notes") in categories(report)


# --------------------------------------------------------------------------------------------
# SQLite


@pytest.mark.sqlite
def test_sqlite_sampled_values_are_counted_masked_and_binary_columns_said(sqlite_shop: LiveShop) -> None:
    report, result = json_scan(sqlite_shop.url)
    (notes,) = findings(report)[("customers", "notes")]
    assert notes["data_type"] == "user.contact.email"
    assert notes["values"]["matched"] == CUSTOMERS // 2
    assert notes["values"]["sampled"] == CUSTOMERS
    assert all("***@" in sample for sample in notes["values"]["samples"]), "samples are masked"
    source = next(s for s in report["sources"] if s["source"] == sqlite_shop.url.removeprefix("sqlite:///"))
    assert source["kind"] == "sqlite" and source["status"] == "scanned"
    assert source["rows"] == CUSTOMERS + len(PRODUCTS) + 2 * CUSTOMERS + 100
    assert "binary column(s) `label_image` not read" in result.stderr


@pytest.mark.sqlite
def test_sqlite_name_and_values_agree_and_json_keys_are_read_by_path(sqlite_shop: LiveShop) -> None:
    report, _ = json_scan(sqlite_shop.url)
    (email,) = findings(report)[("customers", "email")]
    texts = [evidence["text"] for evidence in email["evidence"]]
    assert texts[0].startswith("column name `email`")
    assert any(f"{CUSTOMERS} of {CUSTOMERS} sampled values hold an e-mail address" in text for text in texts)
    assert email["confidence"] >= 0.97
    profile = {f["data_type"]: f for f in findings(report)[("customers", "profile")]}
    assert "JSON key `contact.email`" in profile["user.contact.email"]["evidence"][0]["text"]
    assert "user.contact.phone_number" in profile, "the `tel` key names a phone number"
    phone = next(f for f in findings(report)[("customers", "phone")])
    assert any(f"{CUSTOMERS} of {CUSTOMERS} sampled values hold a phone number" in e["text"] for e in phone["evidence"])


@pytest.mark.sqlite
def test_sqlite_inline_purposes_in_the_stored_ddl_and_the_data_map_by_database_name(
    sqlite_shop: LiveShop, tmp_path: Path
) -> None:
    data_map = tmp_path / "pdscan.yml"
    data_map.write_text(
        "version: 1\ndatabases:\n  shop:\n    tables:\n      customers:\n        columns:\n"
        "          notes: [customer_support]\n",
        encoding="utf-8",
    )
    report, _ = json_scan(sqlite_shop.url, "--config", str(data_map))
    verdicts = {place: items[0]["verdict"] for place, items in findings(report).items()}
    assert verdicts[("customers", "email")] == "ok"  # -- pdscan: purpose=user_notifications
    assert verdicts[("customers", "phone")] == "ok"  # -- pdscan: purpose=customer_support
    assert verdicts[("customers", "notes")] == "ok"  # pdscan.yml, database `shop`
    assert verdicts[(SPACED_TABLE, SPACED_COLUMN)] == "undeclared"


@pytest.mark.sqlite
def test_sqlite_schema_only_reads_no_row(sqlite_shop: LiveShop) -> None:
    report, _ = json_scan(sqlite_shop.url, "--schema-only")
    found = categories(report)
    assert ("customers", "email") in found, "names are still judged"
    assert ("customers", "notes") not in found, "a name that says nothing needs values"
    assert all(finding["values"] is None for finding in report["findings"])
    assert report["sources"][0]["rows"] == 0


@pytest.mark.sqlite
def test_sqlite_the_file_is_never_written_and_a_missing_one_never_created(
    sqlite_shop: LiveShop, tmp_path: Path
) -> None:
    before = file_state(tmp_path)
    json_scan(sqlite_shop.url, "--jobs", "4")
    json_scan(sqlite_shop.url.removeprefix("sqlite:///"), "--schema-only")
    assert file_state(tmp_path) == before, "no byte, no mtime, no journal or WAL file"

    missing = tmp_path / "nothere.db"
    result = run_pdscan("scan", f"sqlite:///{missing}")
    assert result.returncode == 2
    assert "no such SQLite database file" in result.stderr and "Traceback" not in result.stderr
    assert not missing.exists()


@pytest.mark.sqlite
def test_sqlite_include_and_exclude_choose_tables(sqlite_shop: LiveShop) -> None:
    report, _ = json_scan(sqlite_shop.url, "--include", "cust*", "--exclude", "*accounts")
    tables = {table for table, _ in findings(report)}
    assert tables == {"customers"}


@pytest.mark.sqlite
def test_sqlite_sampling_is_bounded_by_the_sample_size(tmp_path: Path) -> None:
    path = tmp_path / "big.db"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE visits (id INTEGER PRIMARY KEY, remote_addr TEXT, note TEXT)")
    connection.executemany(
        "INSERT INTO visits (remote_addr, note) VALUES (?, ?)",
        ((f"203.0.113.{n % 250 + 1}", f"write to user{n}@example.org") for n in range(20_000)),
    )
    connection.commit()
    connection.close()
    report, _ = json_scan(f"sqlite:///{path}", "--sample-size", "200")
    assert report["sources"][0]["rows"] == 200
    (note,) = findings(report)[("visits", "note")]
    assert note["values"]["sampled"] == 200 and note["values"]["matched"] == 200
    assert note["values"]["distinct"] > 150, "random rowids, not the same rows repeated"


@pytest.mark.sqlite
def test_sqlite_the_table_time_limit_cuts_a_sample_short_and_says_so(tmp_path: Path) -> None:
    path = tmp_path / "slow.db"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")

    # Every value distinct, so no cache helps. Reading the 3,000 rows takes about 0.3 s on an idle
    # machine and checking them about 70 s: a 3 s limit falls after the read even on a machine
    # nine times slower (a 1 s limit did not, under load: the read itself ran out) and before the
    # end of the checks even with a detector twenty times faster.
    def body(row: int) -> str:
        return " ".join(f"mail u{row}x{n}@example.org, tel +81 3-{row:04d}-{n:04d}" for n in range(300))

    connection.executemany("INSERT INTO notes (body) VALUES (?)", ((body(row),) for row in range(3_000)))
    connection.execute("CREATE TABLE contacts (id INTEGER PRIMARY KEY, email TEXT)")
    connection.execute("INSERT INTO contacts (email) VALUES ('kim@example.org')")
    connection.commit()
    connection.close()
    report, result = json_scan(f"sqlite:///{path}", "--sample-size", "3000", "--table-timeout", "3")
    (cut,) = [s for s in report["skipped"] if "`notes`" in s["reason"]]
    assert "per-table time limit (--table-timeout) ran out after" in cut["reason"]
    assert "per-table time limit" in result.stderr
    assert report["sources"][0]["status"] == "partial"
    assert ("contacts", "email") in findings(report), "the other tables are still scanned"
    (notes,) = [f for f in findings(report)[("notes", "body")] if f["data_type"] == "user.contact.email"]
    assert 0 < notes["values"]["sampled"] < 3_000, "what was checked before the limit still counts"


@pytest.mark.sqlite
def test_sqlite_invalid_utf8_and_binary_values_in_text_columns_are_one_line_each(tmp_path: Path) -> None:
    path = tmp_path / "messy.db"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE contacts (id INTEGER PRIMARY KEY, email TEXT, memo TEXT)")
    for n in range(30):
        connection.execute(
            "INSERT INTO contacts (email, memo) VALUES (?, ?)",
            (f"person{n}@example.org".encode() + (b"\xff\xfe" if n < 3 else b""), b"\x00\x01binary" if n < 2 else "ok"),
        )
    connection.commit()
    connection.close()
    report, result = json_scan(f"sqlite:///{path}")
    lines = [line for line in result.stderr.splitlines() if "not valid UTF-8" in line]
    assert len(lines) == 1 and "column `email`: 3 of 30" in lines[0]
    assert sum("are binary, not text: skipped" in line for line in result.stderr.splitlines()) == 1
    assert "user.contact.email" in {f["data_type"] for f in findings(report)[("contacts", "email")]}


class DropWhenStarted:
    """A progress display that drops a table just as its sample starts: a table vanishing mid-scan."""

    def __init__(self, path: Path, table: str) -> None:
        self.path, self.table = path, table
        self.lock = threading.Lock()

    def start_tables(self, source: str, total: int) -> None:
        del source, total

    def table_started(self, table: str) -> None:
        if table == self.table:
            with self.lock:
                writer = sqlite3.connect(self.path)
                writer.execute(f"DROP TABLE {sqlite_quoted(table)}")
                writer.commit()
                writer.close()

    def table_done(self, table: str) -> None:
        del table


@pytest.mark.sqlite
def test_sqlite_a_table_dropped_during_the_scan_is_reported_and_the_rest_scanned(tmp_path: Path) -> None:
    shop = build_sqlite_shop(tmp_path / "shop.db")
    skipped: list[object] = []
    report = run_scan(
        ScanRequest(targets=(f"sqlite:///{shop}",), jobs=2),
        load_policy(),
        None,
        NameClassifier.bundled(),
        skipped.append,
        database_hooks=DatabaseHooks(progress=DropWhenStarted(shop, "products")),
    )
    assert [str(item) for item in report.skipped] == [f"{shop}: table `products`: it disappeared during the scan"]
    assert report.sources[0].status == "partial"
    places = {(v.finding.location.table, v.finding.location.column) for v in report.verdicts}
    assert ("customers", "notes") in places


@pytest.mark.sqlite
def test_sqlite_a_corrupt_file_alone_means_nothing_was_scanned(tmp_path: Path) -> None:
    corrupt = tmp_path / "broken.db"
    corrupt.write_bytes(b"SQLite format 3\x00" + b"\xff" * 200)
    result = run_pdscan("scan", f"sqlite:///{corrupt}")
    assert result.returncode == 2
    assert "cannot read the SQLite database" in result.stderr
    assert "nothing could be scanned" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.sqlite
def test_sqlite_declarations_address_the_database_by_name(tmp_path: Path) -> None:
    shop = build_sqlite_shop(tmp_path / "shop.db")
    data_map = tmp_path / "pdscan.yml"
    data_map.write_text("version: 1\ndatabases:\n  shop:\n    purposes: [customer_support]\n", encoding="utf-8")
    report = run_scan(
        ScanRequest(targets=(f"sqlite:///{shop}",), schema_only=True),
        load_policy(),
        load_data_map(data_map, load_policy()),
        NameClassifier.bundled(),
    )
    email = next(v for v in report.verdicts if v.finding.location.place == "customers.email")
    assert "customer_support" in email.declared_purposes


@pytest.mark.sqlite
def test_sqlite_the_table_progress_shows_on_a_terminal_but_not_in_ci(tmp_path: Path) -> None:
    path = tmp_path / "many.db"
    connection = sqlite3.connect(path)
    for number in range(8):
        connection.execute(f"CREATE TABLE visits_{number} (id INTEGER PRIMARY KEY, remote_addr TEXT)")
        addresses = ((f"203.0.113.{n % 250 + 1}",) for n in range(2_000))
        connection.executemany(f"INSERT INTO visits_{number} (remote_addr) VALUES (?)", addresses)
    connection.commit()
    connection.close()

    def terminal(extra_env: dict[str, str]) -> str:
        command = [str(PDSCAN), "scan", f"sqlite:///{path}", "--format", "json", "--output", "report.json"]
        return stderr_on_terminal(command, tmp_path, extra_env)

    assert f"sampling {path}" in terminal({})
    assert "sampling" not in terminal({"CI": "true"})


# --------------------------------------------------------------------------------------------
# PostgreSQL


def test_postgres_json_keys_declared_purposes_and_other_schemas(postgres_shop: LiveShop) -> None:
    report, _ = json_scan(postgres_shop.url, "--jobs", "3", "--sample-size", "500")
    found = categories(report)
    profile = {f["data_type"] for f in findings(report)[("customers", "profile")]}
    assert "user.contact.email" in profile and "user.contact.phone_number" in profile
    (phone,) = findings(report)[("customers", "phone")]
    assert phone["declared_purposes"] == ["customer_support"]  # COMMENT ON COLUMN
    assert ("audit.events", "remote_addr") in found, "other schemas are named schema.table"


def test_postgres_a_denied_table_is_still_judged_by_its_column_names(postgres_shop: LiveShop) -> None:
    report, _ = json_scan(postgres_shop.url)
    assert ("secrets", "email") in categories(report)


def test_postgres_tablesample_reads_a_bounded_sample_of_a_large_table(postgres_shop: LiveShop) -> None:
    report, _ = json_scan(postgres_shop.url, "--include", "audit.*", "--sample-size", "300")
    (addr,) = findings(report)[("audit.events", "remote_addr")]
    assert addr["values"]["sampled"] <= 300
    assert addr["values"]["sampled"] >= 150, "TABLESAMPLE asked for enough pages"
    assert report["sources"][0]["rows"] == addr["values"]["sampled"]


def test_postgres_the_password_from_the_environment_is_all_the_scan_needs(postgres_shop: LiveShop) -> None:
    url = postgres_shop.address(password=None)
    report, result = json_scan(url, "--schema-only", env={"PGPASSWORD": POSTGRES_PASSWORD})
    assert report["sources"][0]["status"] == "scanned", result.stderr


def test_postgres_password_from_a_pgpass_file(postgres_shop: LiveShop, tmp_path: Path) -> None:
    pgpass = tmp_path / "pgpass"
    secret = POSTGRES_PASSWORD.replace("\\", "\\\\").replace(":", "\\:")  # the file's own escaping
    pgpass.write_text(f"127.0.0.1:{postgres_shop.port}:shop:auditor:{secret}\n")
    pgpass.chmod(0o600)
    report, result = json_scan(postgres_shop.address(password=None), "--schema-only", env={"PGPASSFILE": str(pgpass)})
    assert report["sources"][0]["status"] == "scanned", result.stderr
    assert POSTGRES_PASSWORD not in result.stdout + result.stderr


def test_postgres_the_password_prompt_reads_from_the_terminal_without_echo(
    postgres_shop: LiveShop, tmp_path: Path
) -> None:
    url = postgres_shop.address(password=None)
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [str(PDSCAN), "scan", url, "-W", "--schema-only", "--format", "json", "--output", "report.json"],
        cwd=tmp_path,
        env=pdscan_environment(),
        stdin=follower,
        stdout=follower,
        stderr=follower,
        start_new_session=True,  # the pty becomes the controlling terminal, as in a shell
    )
    os.close(follower)
    seen = read_until(leader, b"password for ")
    assert f"password for {url}".encode() in seen
    os.write(leader, POSTGRES_PASSWORD.encode() + b"\n")
    seen += read_until(leader, None)
    assert process.wait(timeout=60) in (0, 1), seen
    os.close(leader)
    assert POSTGRES_PASSWORD.encode() not in seen, "typed without echo, and never shown"
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["sources"][0]["status"] == "scanned"
    assert ("customers", "email") in findings(report)


def test_postgres_the_statement_timeout_names_itself_as_the_reason(postgres_shop: LiveShop) -> None:
    with postgres_shop.lock(SPACED_TABLE):
        report, _ = json_scan(postgres_shop.url, "--statement-timeout", "1", "--exclude", "audit.*")
    reasons = [s["reason"] for s in report["skipped"] if SPACED_TABLE in s["reason"]]
    assert reasons == [f"table `{SPACED_TABLE}`: the statement timeout cancelled its sample (--statement-timeout)"]


def test_postgres_include_and_exclude_are_pushed_into_the_catalog_query(postgres_shop: LiveShop) -> None:
    report, _ = json_scan(postgres_shop.url, "--schema-only", "--include", "cust*", "--include", "Customer*")
    assert {table for table, _ in findings(report)} == {"customers", SPACED_TABLE}
    assert report["sources"][0]["tables"] == 2
    report, _ = json_scan(postgres_shop.url, "--exclude", "*e*")
    assert report["sources"][0]["tables"] == 2  # only `products` and `顧客` have no `e` in their names
    assert {table for table, _ in findings(report)} == {UNICODE_TABLE}


def test_postgres_a_missing_driver_names_the_extra(postgres_shop: LiveShop) -> None:
    code = (
        "import sys; sys.modules['psycopg'] = None; sys.argv = ['pdscan', 'scan', sys.argv[1]]\n"
        "from pdscan.cli.commands import main; main()"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, postgres_shop.url], capture_output=True, text=True, check=False, timeout=120
    )
    assert result.returncode == 2
    assert "pip install 'pdscan[postgres]'" in result.stderr
    assert "Traceback" not in result.stderr


# --------------------------------------------------------------------------------------------
# MariaDB


def test_mariadb_is_named_as_its_dialect_and_binary_columns_are_said(mariadb_shop: LiveShop) -> None:
    report, result = json_scan(mariadb_shop.url, "--jobs", "3")
    assert report["sources"][0]["dialect"] == "mariadb"
    assert "binary column(s) `label_image` not read" in result.stderr


def test_mariadb_a_bounded_random_range_samples_a_large_table(mariadb_shop: LiveShop) -> None:
    report, _ = json_scan(mariadb_shop.url, "--include", "events", "--sample-size", "250")
    (addr,) = findings(report)[("events", "remote_addr")]
    assert addr["values"]["sampled"] == 250
    assert report["sources"][0]["rows"] == 250


def test_mariadb_the_password_from_mysql_pwd_reads_every_granted_table(mariadb_shop: LiveShop) -> None:
    url = mariadb_shop.address(password=None)
    report, result = json_scan(url, "--schema-only", env={"MYSQL_PWD": MARIADB_PASSWORD})
    assert report["sources"][0]["tables"] == 6, result.stderr  # all but `secrets`, whose definition is denied
