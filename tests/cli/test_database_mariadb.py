"""MariaDB (the MySQL dialect) scanned live through the CLI, against a real server started for the tests."""

from __future__ import annotations

import threading
from urllib.parse import quote

import pymysql
import pytest
from support.command import run_pdscan
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
from support.db_servers import SUPERUSER_PASSWORD, MariaDBServer, _free_port

AUDITOR_PASSWORD = "Maria#Aud1t@r"
BIG_ROWS = 20_000
WRITE_COUNTERS = (
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


def q(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def admin(server: MariaDBServer, database: str | None = None) -> pymysql.Connection:
    return pymysql.connect(
        unix_socket=server.socket,
        user="root",
        password=SUPERUSER_PASSWORD,
        database=database,
        charset="utf8mb4",
        autocommit=True,
    )


@pytest.fixture(scope="module")
def shop(mariadb_server: MariaDBServer) -> MariaDBServer:
    connection = admin(mariadb_server)
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
            "INSERT INTO events (remote_addr) VALUES (%s)", [(f"203.0.113.{n % 250 + 1}",) for n in range(BIG_ROWS)]
        )
        cursor.execute("ANALYZE TABLE events")
        for host in ("localhost", "127.0.0.1"):
            cursor.execute(f"CREATE OR REPLACE USER 'auditor'@'{host}' IDENTIFIED BY %s", (AUDITOR_PASSWORD,))
            for table in ("customers", "products", SPACED_TABLE, UNICODE_TABLE, ODD_TABLE, "events"):
                cursor.execute(f"GRANT SELECT ON shop.{q(table)} TO 'auditor'@'{host}'")
            cursor.execute(f"GRANT SELECT (id) ON shop.secrets TO 'auditor'@'{host}'")  # visible, values denied
    connection.close()
    return mariadb_server


def auditor_url(server: MariaDBServer, database: str = "shop", password: str | None = AUDITOR_PASSWORD) -> str:
    secret = f":{quote(password, safe='')}" if password else ""
    return f"mariadb://auditor{secret}@127.0.0.1:{server.port}/{database}"


def server_state(server: MariaDBServer) -> tuple:
    """Row counts, table statistics and the server's write counters: what a scan must leave alone."""
    connection = admin(server, "shop")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, table_rows, update_time FROM information_schema.tables "
            "WHERE table_schema = 'shop' ORDER BY table_name"
        )
        tables = cursor.fetchall()
        counts = []
        for name, *_ in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {q(name)}")
            counts.append((name, cursor.fetchone()[0]))
        cursor.execute(
            "SHOW GLOBAL STATUS WHERE Variable_name IN (" + ",".join(["%s"] * len(WRITE_COUNTERS)) + ")", WRITE_COUNTERS
        )
        counters = cursor.fetchall()
    connection.close()
    return tables, counts, counters


def test_live_scan_finds_personal_data_and_changes_nothing(shop: MariaDBServer) -> None:
    before = server_state(shop)
    report, result = json_scan(auditor_url(shop), "--jobs", "3")
    assert server_state(shop) == before

    assert report["sources"][0]["dialect"] == "mariadb"
    found = categories(report)
    for place, category in EXPECTED.items():
        assert category in found.get(place, set()), (place, found.get(place))
    for place in NOT_PERSONAL:
        assert place not in found, (place, findings(report)[place])
    (notes,) = findings(report)[("customers", "notes")]
    assert f"{CUSTOMERS // 2} of {CUSTOMERS} sampled values hold an e-mail address" in notes["evidence"][0]["text"]
    (phone,) = findings(report)[("customers", "phone")]
    assert phone["verdict"] == "ok", "MySQL column COMMENT 'purpose: …' declares it"
    assert "binary column(s) `label_image` not read" in result.stderr


def test_a_bounded_random_range_samples_a_large_table(shop: MariaDBServer) -> None:
    report, _ = json_scan(auditor_url(shop), "--include", "events", "--sample-size", "250")
    (addr,) = findings(report)[("events", "remote_addr")]
    assert addr["values"]["sampled"] == 250
    assert report["sources"][0]["rows"] == 250


def test_column_permission_denied_is_reported_and_the_rest_scanned(shop: MariaDBServer) -> None:
    report, _ = json_scan(auditor_url(shop))
    denied = [s["reason"] for s in report["skipped"] if "`secrets`" in s["reason"]]
    assert len(denied) == 1 and "permission denied" in denied[0]
    assert report["sources"][0]["status"] == "partial"
    assert ("customers", "notes") in categories(report)


def test_password_from_mysql_pwd_and_never_shown(shop: MariaDBServer) -> None:
    report, result = json_scan(auditor_url(shop, password=None), "--schema-only", env={"MYSQL_PWD": AUDITOR_PASSWORD})
    assert report["sources"][0]["tables"] == 6, result.stderr  # all but `secrets`, whose definition is denied
    assert report["sources"][0]["source"] == f"mariadb://auditor@127.0.0.1:{shop.port}/shop"
    masked_report, masked_result = json_scan(auditor_url(shop), "--schema-only")
    assert masked_report["sources"][0]["source"] == f"mariadb://auditor:***@127.0.0.1:{shop.port}/shop"
    for text in (result.stdout, result.stderr, masked_result.stdout, masked_result.stderr):
        assert AUDITOR_PASSWORD not in text and quote(AUDITOR_PASSWORD, safe="") not in text


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("wrong-password", "Access denied for user 'auditor'"),
        ("missing-database", "Access denied"),
        ("unreachable", "cannot connect"),
    ],
)
def test_connection_failures_are_one_line_and_exit_2(shop: MariaDBServer, case: str, expected: str) -> None:
    target = {
        "wrong-password": auditor_url(shop, password="not-the-Secret-9"),
        "missing-database": auditor_url(shop, database="nosuchdb"),
        "unreachable": f"mysql://auditor:{quote(AUDITOR_PASSWORD, safe='')}@127.0.0.1:{_free_port()}/shop",
    }[case]
    result = run_pdscan("scan", target)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert expected in result.stderr
    for secret in ("not-the-Secret-9", AUDITOR_PASSWORD, quote(AUDITOR_PASSWORD, safe="")):
        assert secret not in result.stdout + result.stderr
    assert len([line for line in result.stderr.splitlines() if line.startswith("pdscan: skipped")]) == 1


def test_a_locked_table_times_out_and_the_rest_is_scanned(shop: MariaDBServer) -> None:
    locked, release = threading.Event(), threading.Event()

    def hold_lock() -> None:
        connection = admin(shop, "shop")
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLES {q(SPACED_TABLE)} WRITE")
            locked.set()
            release.wait(60)
            cursor.execute("UNLOCK TABLES")
        connection.close()

    holder = threading.Thread(target=hold_lock)
    holder.start()
    try:
        assert locked.wait(10)
        report, _ = json_scan(auditor_url(shop), "--statement-timeout", "1", "--exclude", "events")
    finally:
        release.set()
        holder.join()
    # MariaDB's write lock holds the table's definition too: the wait times out while reading its columns.
    reasons = [s["reason"] for s in report["skipped"] if SPACED_TABLE in s["reason"]]
    assert len(reasons) == 1 and ("timed out" in reasons[0] or "statement timeout" in reasons[0]), reasons
    assert ("customers", "notes") in categories(report)
