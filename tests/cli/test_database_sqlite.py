"""SQLite databases scanned live through the CLI: sampled values, decoys, awkward names, safety."""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from pathlib import Path

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
from support.terminal import stderr_on_terminal

from pdscan.declarations import load_data_map
from pdscan.detect.names import NameClassifier
from pdscan.policy import load_policy
from pdscan.scanner import DatabaseHooks, ScanRequest, run_scan


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def build_shop(path: Path) -> Path:
    connection = sqlite3.connect(path)
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
        CREATE TABLE {quoted(SPACED_TABLE)} (id INTEGER PRIMARY KEY, {quoted(SPACED_COLUMN)} TEXT);
        CREATE TABLE {quoted(UNICODE_TABLE)} (id INTEGER PRIMARY KEY, {quoted(UNICODE_COLUMN)} TEXT);
        CREATE TABLE {quoted(ODD_TABLE)} (id INTEGER PRIMARY KEY, ip TEXT);
        """
    )
    rows = [customer_row(customer) for customer in customers()]
    connection.executemany(f"INSERT INTO customers ({CUSTOMER_COLUMNS}) VALUES ({','.join('?' * 12)})", rows)
    connection.executemany("INSERT INTO products VALUES (?, ?, ?)", PRODUCTS)
    emails = [(c.id, c.email) for c in customers()]
    connection.executemany(f"INSERT INTO {quoted(SPACED_TABLE)} VALUES (?, ?)", emails)
    connection.executemany(f"INSERT INTO {quoted(UNICODE_TABLE)} VALUES (?, ?)", emails)
    connection.executemany(f"INSERT INTO {quoted(ODD_TABLE)} VALUES (?, ?)", [(n, client_ip(n)) for n in range(1, 101)])
    connection.commit()
    connection.close()
    return path


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    return build_shop(tmp_path / "shop.db")


def state(directory: Path) -> dict[str, tuple[str, int]]:
    return {
        path.name: (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns)
        for path in sorted(directory.iterdir())
    }


def test_sampled_values_and_names_find_personal_data_and_leave_decoys(shop: Path) -> None:
    report, result = json_scan(f"sqlite:///{shop}")
    found = categories(report)
    for place, category in EXPECTED.items():
        assert category in found.get(place, set()), (place, found.get(place))
    for place in NOT_PERSONAL:
        assert place not in found, (place, findings(report)[place])
    (notes,) = findings(report)[("customers", "notes")]
    assert notes["data_type"] == "user.contact.email"
    assert notes["values"]["matched"] == CUSTOMERS // 2
    assert notes["values"]["sampled"] == CUSTOMERS
    assert f"{CUSTOMERS // 2} of {CUSTOMERS} sampled values hold an e-mail address" in notes["evidence"][0]["text"]
    assert all("***@" in sample for sample in notes["values"]["samples"]), "samples are masked"
    source = next(s for s in report["sources"] if s["source"] == str(shop))
    assert source["kind"] == "sqlite" and source["status"] == "scanned"
    assert source["rows"] == CUSTOMERS + len(PRODUCTS) + 2 * CUSTOMERS + 100
    assert "binary column(s) `label_image` not read" in result.stderr


def test_name_and_values_agree_and_json_keys_are_read_by_path(shop: Path) -> None:
    report, _ = json_scan(f"sqlite:///{shop}")
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


def test_inline_purposes_in_the_stored_ddl_and_the_data_map_by_database_name(shop: Path, tmp_path: Path) -> None:
    data_map = tmp_path / "pdscan.yml"
    data_map.write_text(
        "version: 1\ndatabases:\n  shop:\n    tables:\n      customers:\n        columns:\n"
        "          notes: [customer_support]\n",
        encoding="utf-8",
    )
    report, _ = json_scan(f"sqlite:///{shop}", "--config", str(data_map))
    verdicts = {place: items[0]["verdict"] for place, items in findings(report).items()}
    assert verdicts[("customers", "email")] == "ok"  # -- pdscan: purpose=user_notifications
    assert verdicts[("customers", "phone")] == "ok"  # -- pdscan: purpose=customer_support
    assert verdicts[("customers", "notes")] == "ok"  # pdscan.yml, database `shop`
    assert verdicts[(SPACED_TABLE, SPACED_COLUMN)] == "undeclared"


def test_schema_only_reads_no_row(shop: Path) -> None:
    report, _ = json_scan(f"sqlite:///{shop}", "--schema-only")
    found = categories(report)
    assert ("customers", "email") in found, "names are still judged"
    assert ("customers", "notes") not in found, "a name that says nothing needs values"
    assert all(finding["values"] is None for finding in report["findings"])
    assert report["sources"][0]["rows"] == 0


def test_the_file_is_never_written_and_a_missing_one_never_created(shop: Path, tmp_path: Path) -> None:
    before = state(tmp_path)
    json_scan(f"sqlite:///{shop}", "--jobs", "4")
    json_scan(str(shop), "--schema-only")
    assert state(tmp_path) == before, "no byte, no mtime, no journal or WAL file"

    missing = tmp_path / "nothere.db"
    result = run_pdscan("scan", f"sqlite:///{missing}")
    assert result.returncode == 2
    assert "no such SQLite database file" in result.stderr and "Traceback" not in result.stderr
    assert not missing.exists()


def test_include_and_exclude_choose_tables(shop: Path) -> None:
    report, _ = json_scan(f"sqlite:///{shop}", "--include", "cust*", "--exclude", "*accounts")
    tables = {table for table, _ in findings(report)}
    assert tables == {"customers"}


def test_sampling_is_bounded_by_the_sample_size(tmp_path: Path) -> None:
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


def test_the_table_time_limit_cuts_a_sample_short_and_says_so(tmp_path: Path) -> None:
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


def test_invalid_utf8_and_binary_values_in_text_columns_are_one_line_each(tmp_path: Path) -> None:
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
                writer.execute(f"DROP TABLE {quoted(table)}")
                writer.commit()
                writer.close()

    def table_done(self, table: str) -> None:
        del table


def test_a_table_dropped_during_the_scan_is_reported_and_the_rest_scanned(shop: Path) -> None:
    policy = load_policy()
    skipped = []
    report = run_scan(
        ScanRequest(targets=(f"sqlite:///{shop}",), jobs=2),
        policy,
        None,
        NameClassifier.bundled(),
        skipped.append,
        database_hooks=DatabaseHooks(progress=DropWhenStarted(shop, "products")),
    )
    assert [str(item) for item in report.skipped] == [f"{shop}: table `products`: it disappeared during the scan"]
    assert report.sources[0].status == "partial"
    places = {(v.finding.location.table, v.finding.location.column) for v in report.verdicts}
    assert ("customers", "notes") in places


def test_a_corrupt_file_alone_means_nothing_was_scanned(tmp_path: Path) -> None:
    corrupt = tmp_path / "broken.db"
    corrupt.write_bytes(b"SQLite format 3\x00" + b"\xff" * 200)
    result = run_pdscan("scan", f"sqlite:///{corrupt}")
    assert result.returncode == 2
    assert "cannot read the SQLite database" in result.stderr
    assert "nothing could be scanned" in result.stderr and "Traceback" not in result.stderr


def test_declarations_address_the_database_by_name(tmp_path: Path) -> None:
    shop = build_shop(tmp_path / "shop.db")
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


def test_the_table_progress_shows_on_a_terminal_but_not_in_ci(tmp_path: Path) -> None:
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
