"""PostgreSQL scanned live through the CLI, against a real server started for the tests."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import threading
import time
from pathlib import Path

import psycopg
import pytest
from support.command import PDSCAN, run_pdscan
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
from support.db_servers import PostgresServer, _free_port
from support.terminal import read_until

AUDITOR_PASSWORD = "Aud!t0r:p@ss/word"  # URL-special characters on purpose
BIG_ROWS = 60_000


def q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@pytest.fixture(scope="module")
def shop(postgres_server: PostgresServer) -> PostgresServer:
    with psycopg.connect(postgres_server.url().replace("postgresql://", "postgresql://", 1), autocommit=True) as admin:
        admin.execute("DROP DATABASE IF EXISTS shop")
        admin.execute("CREATE DATABASE shop")
        admin.execute("DROP ROLE IF EXISTS auditor")
        admin.execute(f"CREATE ROLE auditor LOGIN PASSWORD '{AUDITOR_PASSWORD}'")
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
            f"repeat('x', 200) FROM generate_series(1, {BIG_ROWS}) AS n"
        )
        connection.execute("GRANT USAGE ON SCHEMA audit TO auditor")
        connection.execute("GRANT SELECT ON ALL TABLES IN SCHEMA public, audit TO auditor")
        connection.execute("REVOKE SELECT ON secrets FROM auditor")
        connection.commit()
    with psycopg.connect(postgres_server.url(database="shop"), autocommit=True) as connection:
        connection.execute("ANALYZE")
    return postgres_server


def auditor_url(server: PostgresServer, database: str = "shop", password: str | None = AUDITOR_PASSWORD) -> str:
    from urllib.parse import quote

    secret = f":{quote(password, safe='')}" if password else ""
    return f"postgresql://auditor{secret}@127.0.0.1:{server.port}/{database}"


def table_state(server: PostgresServer) -> list[tuple]:
    """Row counts and the write statistics of every table: what a scan must leave as it was."""
    with psycopg.connect(server.url(database="shop"), autocommit=True) as connection:
        stats = connection.execute(
            "SELECT schemaname, relname, n_tup_ins, n_tup_upd, n_tup_del, n_live_tup, n_dead_tup "
            "FROM pg_stat_user_tables ORDER BY 1, 2"
        ).fetchall()
        counts = [
            (schema, table, connection.execute(f"SELECT count(*) FROM {q(schema)}.{q(table)}").fetchone()[0])
            for schema, table, *_ in stats
        ]
        return stats + counts


def test_live_scan_finds_personal_data_by_name_and_values_and_changes_nothing(shop: PostgresServer) -> None:
    time.sleep(0.6)  # let the statistics of the load settle before the "before" picture
    before = table_state(shop)
    report, _ = json_scan(auditor_url(shop), "--jobs", "3", "--sample-size", "500")
    time.sleep(0.6)
    assert table_state(shop) == before

    found = categories(report)
    for place, category in EXPECTED.items():
        assert category in found.get(place, set()), (place, found.get(place))
    for place in NOT_PERSONAL:
        assert place not in found, (place, findings(report)[place])
    (notes,) = findings(report)[("customers", "notes")]
    assert f"{CUSTOMERS // 2} of {CUSTOMERS} sampled values hold an e-mail address" in notes["evidence"][0]["text"]
    profile = {f["data_type"] for f in findings(report)[("customers", "profile")]}
    assert "user.contact.email" in profile and "user.contact.phone_number" in profile
    (phone,) = findings(report)[("customers", "phone")]
    assert phone["verdict"] == "ok" and phone["declared_purposes"] == ["customer_support"]  # COMMENT ON COLUMN
    assert ("audit.events", "remote_addr") in found, "other schemas are named schema.table"


def test_tablesample_reads_a_bounded_sample_of_a_large_table(shop: PostgresServer) -> None:
    report, _ = json_scan(auditor_url(shop), "--include", "audit.*", "--sample-size", "300")
    (addr,) = findings(report)[("audit.events", "remote_addr")]
    assert addr["values"]["sampled"] <= 300
    assert addr["values"]["sampled"] >= 150, "TABLESAMPLE asked for enough pages"
    assert report["sources"][0]["rows"] == addr["values"]["sampled"]


def test_permission_denied_on_one_table_is_reported_and_the_rest_scanned(shop: PostgresServer) -> None:
    report, result = json_scan(auditor_url(shop))
    secrets = [s for s in report["skipped"] if "`secrets`" in s["reason"]]
    assert len(secrets) == 1 and "permission denied" in secrets[0]["reason"]
    assert report["sources"][0]["status"] == "partial"
    assert result.returncode == 0
    assert ("secrets", "email") in categories(report), "its columns are still judged by name"
    assert sum("`secrets`" in line for line in result.stderr.splitlines()) == 1


def test_password_never_shown_and_url_masked(shop: PostgresServer) -> None:
    url = auditor_url(shop)
    report, result = json_scan(url)
    source = report["sources"][0]["source"]
    assert source == f"postgresql://auditor:***@127.0.0.1:{shop.port}/shop"
    for text in (result.stdout, result.stderr):
        assert AUDITOR_PASSWORD not in text and "Aud%21t0r" not in text
    table = run_pdscan("scan", url)
    assert AUDITOR_PASSWORD not in table.stdout + table.stderr and "Aud%21t0r" not in table.stdout + table.stderr


def test_password_from_the_environment(shop: PostgresServer) -> None:
    report, result = json_scan(auditor_url(shop, password=None), "--schema-only", env={"PGPASSWORD": AUDITOR_PASSWORD})
    assert report["sources"][0]["status"] == "scanned", result.stderr
    assert report["sources"][0]["source"] == f"postgresql://auditor@127.0.0.1:{shop.port}/shop"


def test_password_from_a_pgpass_file(shop: PostgresServer, tmp_path: Path) -> None:
    pgpass = tmp_path / "pgpass"
    secret = AUDITOR_PASSWORD.replace("\\", "\\\\").replace(":", "\\:")  # the file's own escaping
    pgpass.write_text(f"127.0.0.1:{shop.port}:shop:auditor:{secret}\n")
    pgpass.chmod(0o600)
    report, result = json_scan(auditor_url(shop, password=None), "--schema-only", env={"PGPASSFILE": str(pgpass)})
    assert report["sources"][0]["status"] == "scanned", result.stderr
    assert AUDITOR_PASSWORD not in result.stdout + result.stderr


def test_the_password_prompt_reads_from_the_terminal_without_echo(shop: PostgresServer, tmp_path: Path) -> None:
    url = auditor_url(shop, password=None)
    leader, follower = pty.openpty()
    environment = {k: v for k, v in os.environ.items() if k not in ("PGPASSWORD", "CI")} | {"NO_COLOR": "1"}
    process = subprocess.Popen(
        [str(PDSCAN), "scan", url, "-W", "--schema-only", "--format", "json", "--output", "report.json"],
        cwd=tmp_path,
        env=environment,
        stdin=follower,
        stdout=follower,
        stderr=follower,
        start_new_session=True,  # the pty becomes the controlling terminal, as in a shell
    )
    os.close(follower)
    seen = read_until(leader, b"password for ")
    assert f"password for postgresql://auditor@127.0.0.1:{shop.port}/shop".encode() in seen
    os.write(leader, AUDITOR_PASSWORD.encode() + b"\n")
    seen += read_until(leader, None)
    assert process.wait(timeout=60) in (0, 1), seen
    os.close(leader)
    assert AUDITOR_PASSWORD.encode() not in seen, "typed without echo, and never shown"
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["sources"][0]["status"] == "scanned"
    assert ("customers", "email") in findings(report)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("wrong-password", "password authentication failed"),
        ("missing-database", 'database "nosuchdb" does not exist'),
        ("unreachable", "cannot connect"),
    ],
)
def test_connection_failures_are_one_line_and_exit_2(shop: PostgresServer, url: str, expected: str) -> None:
    target = {
        "wrong-password": auditor_url(shop, password="not-the-Secret-9"),
        "missing-database": auditor_url(shop, database="nosuchdb"),
        "unreachable": f"postgresql://auditor:{AUDITOR_PASSWORD.replace('/', '%2F')}@127.0.0.1:{_free_port()}/shop",
    }[url]
    result = run_pdscan("scan", target, "--format", "json")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert expected in result.stderr
    assert "not-the-Secret-9" not in result.stdout + result.stderr
    assert AUDITOR_PASSWORD not in result.stdout + result.stderr
    skipped_lines = [line for line in result.stderr.splitlines() if line.startswith("pdscan: skipped")]
    assert len(skipped_lines) == 1


def test_statement_timeout_on_a_locked_table_skips_it_and_goes_on(shop: PostgresServer) -> None:
    locked = threading.Event()
    release = threading.Event()

    def hold_lock() -> None:
        with psycopg.connect(shop.url(database="shop")) as connection:
            connection.execute(f"LOCK TABLE {q(SPACED_TABLE)} IN ACCESS EXCLUSIVE MODE")
            locked.set()
            release.wait(30)
            connection.rollback()

    holder = threading.Thread(target=hold_lock)
    holder.start()
    try:
        assert locked.wait(10)
        report, _ = json_scan(auditor_url(shop), "--statement-timeout", "1", "--exclude", "audit.*")
    finally:
        release.set()
        holder.join()
    reasons = [s["reason"] for s in report["skipped"] if SPACED_TABLE in s["reason"]]
    assert reasons == [f"table `{SPACED_TABLE}`: the statement timeout cancelled its sample (--statement-timeout)"]
    assert ("customers", "notes") in categories(report)


def test_include_and_exclude_are_pushed_into_the_catalog_query(shop: PostgresServer) -> None:
    report, _ = json_scan(auditor_url(shop), "--schema-only", "--include", "cust*", "--include", "Customer*")
    assert {table for table, _ in findings(report)} == {"customers", SPACED_TABLE}
    assert report["sources"][0]["tables"] == 2
    report, _ = json_scan(auditor_url(shop), "--exclude", "*e*")
    assert report["sources"][0]["tables"] == 2  # only `products` and `顧客` have no `e` in their names
    assert {table for table, _ in findings(report)} == {UNICODE_TABLE}


def test_a_missing_driver_names_the_extra(shop: PostgresServer) -> None:
    import subprocess
    import sys

    code = (
        "import sys; sys.modules['psycopg'] = None; sys.argv = ['pdscan', 'scan', sys.argv[1]]\n"
        "from pdscan.cli.commands import main; main()"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, auditor_url(shop)], capture_output=True, text=True, check=False, timeout=120
    )
    assert result.returncode == 2
    assert "pip install 'pdscan[postgres]'" in result.stderr
    assert "Traceback" not in result.stderr
