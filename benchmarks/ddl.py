"""DDL scanning speed and memory: MB/s and peak RSS, each case in a fresh process.

Usage: python benchmarks/ddl.py [--size-mb 20] [--rails-tables 1000] [--corpus ../shared/corpus]

Cases: the largest schema of the corpus (when present), a generated pg_dump-style schema of
about --size-mb MB (thousands of tables with comments, indexes, functions and COPY data), and a
generated Rails `db/schema.rb` of --rails-tables tables, read alone and scanned whole through the
CLI (reading, detection, audit, JSON report).
Targets: >= 2 MB/s of DDL per core, peak RSS < 300 MB; a schema.rb of 1,000 tables scanned in
under 2 s. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COLUMN_TYPES = (
    "bigint",
    "integer",
    "text",
    "character varying(255)",
    "numeric(12,2)",
    "boolean",
    "timestamp with time zone",
    "jsonb",
    "inet",
    "uuid",
)
COLUMN_NAMES = (
    "email",
    "first_name",
    "last_name",
    "phone",
    "address_1",
    "city",
    "postcode",
    "status",
    "created_at",
    "updated_at",
    "amount",
    "total",
    "sku",
    "title",
    "description",
    "ip_address",
    "user_agent",
    "session_id",
    "notes",
    "country",
    "birth_date",
    "price",
    "quantity",
    "flags",
)


def generate_pg_dump(path: Path, size_mb: float, seed: int = 7) -> None:
    """A pg_dump-like schema: tables, comments, indexes, a function per 50 tables, COPY data."""
    rng = random.Random(seed)
    target = int(size_mb * 1_000_000)
    written = 0
    with path.open("w", encoding="utf-8") as out:
        out.write("--\n-- PostgreSQL database dump\n--\nSET statement_timeout = 0;\nSET client_encoding = 'UTF8';\n\n")
        table = 0
        while written < target:
            table += 1
            name = f"public.table_{table:05d}"
            count = rng.randint(5, 40)
            columns = [f"    {rng.choice(COLUMN_NAMES)}_{i} {rng.choice(COLUMN_TYPES)}" for i in range(count)]
            chunk = [f"CREATE TABLE {name} (\n    id bigint NOT NULL,\n" + ",\n".join(columns) + "\n);\n"]
            chunk.append(f"COMMENT ON COLUMN {name}.id IS 'Surrogate key; purpose: customer_support';\n")
            chunk.append(f"CREATE INDEX idx_{table} ON {name} USING btree (id);\n")
            chunk.append(f"ALTER TABLE ONLY {name} ADD CONSTRAINT pk_{table} PRIMARY KEY (id);\n")
            if table % 50 == 0:
                chunk.append(
                    f"CREATE FUNCTION public.f_{table}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
                    "BEGIN\n  NEW.updated_at := now(); -- ; CREATE TABLE nope (x int);\n  RETURN NEW;\nEND;\n$$;\n"
                )
            if table % 10 == 0:
                rows = "".join(f"{i}\tuser{i}@example.com\tAiko; Sato\t192.0.2.{i % 250}\n" for i in range(200))
                chunk.append(f"COPY {name} (id, email_0, first_name_1, ip_address_2) FROM stdin;\n{rows}\\.\n")
            text = "".join(chunk) + "\n"
            out.write(text)
            written += len(text.encode("utf-8"))


RAILS_TYPES = ("string", "text", "integer", "bigint", "boolean", "datetime", "decimal", "inet", "jsonb", "date")


def generate_schema_rb(path: Path, tables: int, seed: int = 7) -> None:
    """A Rails schema.rb: create_table blocks with typed columns, comments, references, indexes."""
    rng = random.Random(seed)
    lines = ["ActiveRecord::Schema[7.1].define(version: 2026_11_01_000000) do", '  enable_extension "plpgsql"', ""]
    for table in range(1, tables + 1):
        lines.append(f'  create_table "table_{table:05d}", force: :cascade do |t|')
        for index in range(rng.randint(5, 30)):
            comment = ', comment: "purpose: customer_support"' if index == 0 else ""
            column = f"{rng.choice(COLUMN_NAMES)}_{index}"
            lines.append(f'    t.{rng.choice(RAILS_TYPES)} "{column}", null: false{comment}')
        lines += ['    t.references "account", null: false, foreign_key: true', "    t.timestamps"]
        lines += [f'    t.index ["account_id"], name: "index_{table}_on_account_id"', "  end", ""]
    lines.append("end")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def measure_cli(path: Path) -> float:
    """Seconds for a whole `pdscan scan FILE --format json` in a fresh process."""
    started = time.perf_counter()
    command = [sys.executable, "-m", "pdscan", "scan", str(path), "--format", "json", "--quiet", "--fail-on", "never"]
    subprocess.run(command, capture_output=True, check=True)
    return time.perf_counter() - started


def measure(path: Path) -> dict[str, float]:
    """Scan in a fresh interpreter so its peak RSS is this scan's alone."""
    program = (
        "import json, resource, sys, time\n"
        "from pathlib import Path\n"
        "from pdscan.sources.ddl.source import scan_ddl_files\n"
        "path = Path(sys.argv[1])\n"
        "start = time.perf_counter()\n"
        "result = scan_ddl_files([path], database=str(path))\n"
        "seconds = time.perf_counter() - start\n"
        "print(json.dumps({'seconds': seconds, 'tables': len(result.tables),\n"
        "  'columns': sum(len(t.columns) for t in result.tables), 'skipped': len(result.skipped),\n"
        "  'peak_rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))\n"
    )
    output = subprocess.run([sys.executable, "-c", program, str(path)], capture_output=True, text=True, check=True)
    return json.loads(output.stdout)


def report(label: str, path: Path) -> None:
    size_mb = path.stat().st_size / 1_000_000
    figures = measure(path)
    print(
        f"{label:38} {size_mb:7.2f} MB  {figures['seconds']:6.2f} s  {size_mb / figures['seconds']:6.2f} MB/s  "
        f"peak RSS {figures['peak_rss_mb']:6.1f} MB  {figures['tables']:6d} tables {figures['columns']:7d} columns "
        f"{figures['skipped']} skipped"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=float, default=20.0)
    parser.add_argument("--rails-tables", type=int, default=1000)
    parser.add_argument("--corpus", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "corpus")
    arguments = parser.parse_args()
    print("case                                       size      time      speed   memory")
    schemas = sorted((arguments.corpus / "schemas").glob("*.sql"), key=lambda p: p.stat().st_size)
    if schemas:
        report(f"corpus: {schemas[-1].name}", schemas[-1])
    with tempfile.TemporaryDirectory() as directory:
        generated = Path(directory) / "structure.sql"
        started = time.perf_counter()
        generate_pg_dump(generated, arguments.size_mb)
        print(f"(generated {generated.stat().st_size / 1e6:.1f} MB in {time.perf_counter() - started:.1f} s)")
        report("generated pg_dump", generated)
        schema_rb = Path(directory) / "schema.rb"
        generate_schema_rb(schema_rb, arguments.rails_tables)
        report(f"generated schema.rb ({arguments.rails_tables} tables)", schema_rb)
        print(f"{'  the same, whole CLI scan to JSON':38} {measure_cli(schema_rb):17.2f} s")


if __name__ == "__main__":
    main()
