"""Live-database scanning speed: schema-only time for many tables, sampling time for large ones.

Builds (in a temporary directory) a database of 1,000 tables x 20 columns and one of 50 tables
x 200,000 rows, in SQLite always and in PostgreSQL when its server binaries are installed
(started on loopback like the tests do), and prints for each: schema-only time, sampling time
and rows sampled per second, and the peak RSS of the scanning process. Prints figures only.

    .venv/bin/python benchmarks/databases.py [--rows 200000] [--tables 1000] [--no-postgres]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
COLUMN_NAMES = (
    "email", "phone", "first_name", "last_name", "notes", "created_at", "status", "amount", "city", "zip_code",
    "ip_address", "user_agent", "sku", "title", "description", "quantity", "updated_at", "locale", "referrer", "flags",
)  # fmt: skip


def wide_schema_sql(tables: int) -> list[str]:
    columns = ", ".join(f"{name} text" for name in COLUMN_NAMES)
    return [f"CREATE TABLE t{n:04d} (id integer PRIMARY KEY, {columns})" for n in range(tables)]


def row(seed: random.Random, number: int) -> tuple:
    return (
        number,
        f"user{number}@example.com",
        f"203.0.113.{number % 250 + 1}",
        f"Note for order {seed.randint(1, 10**6)}; contact user{number}@mail.example.org",
    )


# Runs the CLI in a process that writes its own peak RSS (KiB) to the file named by PDSCAN_RSS_FILE.
WRAPPER = (
    "import atexit, os, resource, sys\n"
    "atexit.register(lambda: open(os.environ['PDSCAN_RSS_FILE'], 'w').write("
    "str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)))\n"
    "from pdscan.cli.commands import main\n"
    "sys.argv[0] = 'pdscan'\n"
    "main()\n"
)


def scan(target: str, *args: str) -> tuple[float, dict, int]:
    """Seconds, the JSON report, and the peak RSS (KiB) of one `pdscan scan`."""
    with tempfile.NamedTemporaryFile(prefix="pdscan-rss-") as rss:
        started = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-c", WRAPPER, "scan", target, "--format", "json", "--fail-on", "never", "-q", *args],
            capture_output=True,
            text=True,
            env={**os.environ, "PDSCAN_RSS_FILE": rss.name},
            check=False,
        )
        elapsed = time.perf_counter() - started
        peak = int(Path(rss.name).read_text() or 0)
    if result.returncode != 0:
        raise SystemExit(f"pdscan failed ({result.returncode}): {result.stderr}")
    return elapsed, json.loads(result.stdout), peak


def report(label: str, seconds: float, document: dict, peak_kib: int) -> None:
    rows = sum(source.get("rows", 0) for source in document["sources"])
    tables = sum(source["tables"] for source in document["sources"])
    rate = f", {rows / seconds:,.0f} rows/s" if rows else ""
    print(
        f"{label:<48} {seconds:7.2f} s  {tables:5d} tables  {rows:9,d} rows sampled{rate}  "
        f"peak RSS {peak_kib / 1024:,.0f} MB"
    )


def sqlite_benchmarks(work: Path, tables: int, big_tables: int, rows: int) -> None:
    wide = work / "wide.db"
    with sqlite3.connect(wide) as connection:
        for statement in wide_schema_sql(tables):
            connection.execute(statement)
    connection.close()
    report(f"sqlite {tables} tables x 21 columns, --schema-only", *scan(f"sqlite:///{wide}", "--schema-only"))
    report(f"sqlite {tables} tables x 21 columns, sampled (empty)", *scan(f"sqlite:///{wide}"))

    big = work / "big.db"
    seed = random.Random(1)
    with sqlite3.connect(big) as connection:
        for n in range(big_tables):
            connection.execute(
                f"CREATE TABLE big{n:02d} (id integer PRIMARY KEY, email text, remote_addr text, memo text)"
            )
            connection.executemany(f"INSERT INTO big{n:02d} VALUES (?, ?, ?, ?)", (row(seed, i) for i in range(rows)))
    connection.close()
    print(f"  (built {big_tables} x {rows:,} rows: {big.stat().st_size / 2**20:,.0f} MB)")
    report(f"sqlite {big_tables} tables x {rows:,} rows, --schema-only", *scan(f"sqlite:///{big}", "--schema-only"))
    for jobs in ("1", "2"):
        report(
            f"sqlite {big_tables} x {rows:,} rows, sample 1000, --jobs {jobs}", *scan(f"sqlite:///{big}", "-j", jobs)
        )


def postgres_benchmarks(tables: int, big_tables: int, rows: int) -> None:
    sys.path.insert(0, str(REPO / "tests"))
    try:
        import psycopg
        from db_servers import ServerUnavailable, start_postgres
    except ImportError as error:
        print(f"postgresql: skipped ({error})")
        return
    try:
        server = start_postgres()
    except ServerUnavailable as error:
        print(f"postgresql: skipped, the server did not start: {error}")
        return
    try:
        with psycopg.connect(server.url(), autocommit=True) as admin:
            admin.execute("CREATE DATABASE wide")
            admin.execute("CREATE DATABASE big")
        with psycopg.connect(server.url(database="wide")) as connection:
            for statement in wide_schema_sql(tables):
                connection.execute(statement)
        report(
            f"postgresql {tables} tables x 21 columns, --schema-only",
            *scan(server.url(database="wide"), "--schema-only"),
        )
        with psycopg.connect(server.url(database="big")) as connection:
            for n in range(big_tables):
                connection.execute(
                    f"CREATE TABLE big{n:02d} AS SELECT i AS id, 'user' || i || '@example.com' AS email, "
                    f"'203.0.113.' || (i % 250 + 1) AS remote_addr, "
                    f"'Note ' || i || '; contact user' || i || '@mail.example.org' AS memo "
                    f"FROM generate_series(1, {rows}) AS i"
                )
            connection.commit()
        with psycopg.connect(server.url(database="big"), autocommit=True) as connection:
            connection.execute("ANALYZE")
        target = server.url(database="big")
        report(f"postgresql {big_tables} x {rows:,} rows, --schema-only", *scan(target, "--schema-only"))
        for jobs in ("1", "2", "4"):
            report(f"postgresql {big_tables} x {rows:,} rows, sample 1000, --jobs {jobs}", *scan(target, "-j", jobs))
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tables", type=int, default=1000)
    parser.add_argument("--big-tables", type=int, default=50)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--no-postgres", action="store_true")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pdscan-bench-db-") as work:
        sqlite_benchmarks(Path(work), options.tables, options.big_tables, options.rows)
    if not options.no_postgres:
        postgres_benchmarks(options.tables, options.big_tables, options.rows)


if __name__ == "__main__":
    main()
