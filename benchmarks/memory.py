"""Memory as the input or the findings grow: peak RSS must stay flat, or nearly.

Usage: python benchmarks/memory.py [--case stream|schema|words] [--size 3G] [--variant sparse|dense]
       [--checkpoints 6] [--tables 50000,200000] [--words-size 9M]

Case `stream` (the default) streams a generated log (the generator of benchmarks/logs.py, seeded; nothing is written to
disk) into `python -m pdscan scan - --format json` through a pipe, and at each checkpoint
(equal shares of --size) reads the pdscan process's peak resident set (VmHWM in
/proc/PID/status). Prints bytes fed, lines, peak RSS and the growth since the first checkpoint.
Target: peak RSS under 250 MB at every size, and growth from the first checkpoint to the last
under 10% (memory proportional to the input would grow with it).

Case `schema`: for each --tables count, a SQL file of that many `CREATE TABLE`s of three
personal columns (email, phone, first_name) is generated and scanned twice, `--format json` and
the terminal table; prints seconds and peak RSS of each. Target: a few hundred MB at most for
200,000 tables (600,000 findings): 634 MB measured, about 1 KB per finding with the schema itself.

Case `words`: a log of --words-size bytes of plain lines, and a rules file (`--rules`) whose
value detector matches every word: a million occurrences of one finding. Scanned with one
process, as json and as ndjson; prints seconds and peak RSS. Target: flat, as for `stream`.

A measurement, not a test: prints figures, asserts nothing, exits 0.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from logs import MB, START_EPOCH, build_pool, parse_size, render_batch

REPO = Path(__file__).resolve().parents[1]
TARGET_RSS_MB = 250.0
TARGET_GROWTH = 0.10
SCHEMA_COLUMNS = "email text, phone text, first_name text"
WORDS = ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet")
WORD_RULES = """\
value_detectors:
  - name: every_word
    data_type: user.name.first
    pattern: '\\b[a-z]+\\b'
    validator: none
    examples:
      match: ["hello there"]
      no_match: ["12345"]
"""


def peak_rss_mb(pid: int) -> float:
    """VmHWM: the highest resident set the process has had so far."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for process {pid}")


def run_child(command: list[str], cwd: Path) -> tuple[int, float, float]:
    """Exit code, wall seconds and peak RSS in MB (ru_maxrss via os.wait4) of one pdscan run."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    return os.waitstatus_to_exitcode(status), time.perf_counter() - started, usage.ru_maxrss / 1024


def write_schema(path: Path, tables: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        for number in range(tables):
            out.write(f"CREATE TABLE customer_{number:06d} (id bigint, {SCHEMA_COLUMNS});\n")


def write_words(path: Path, size: int, rng: random.Random) -> int:
    """Plain log lines of words; returns the number of lines."""
    written = lines = 0
    with path.open("w", encoding="utf-8") as out:
        while written < size:
            line = f"2026-03-01 worker: {' '.join(rng.choice(WORDS) for _ in range(12))}\n"
            out.write(line)
            written += len(line)
            lines += 1
    return lines


def scan_command(target: Path, format_name: str, output: Path, *extra: str) -> list[str]:
    command = [sys.executable, "-m", "pdscan", "scan", str(target), "--format", format_name, "--quiet"]
    return [*command, "--fail-on", "never", "--no-color", "--output", str(output), *extra]


def schema_case(counts: list[int]) -> None:
    print(f"{'tables':>8} {'findings':>9} {'format':>7} {'seconds':>8} {'peak RSS MB':>12}")
    with tempfile.TemporaryDirectory() as workdir:
        for tables in counts:
            schema = Path(workdir) / f"schema-{tables}.sql"
            write_schema(schema, tables)
            for format_name in ("json", "table"):
                command = scan_command(schema, format_name, Path(workdir) / f"report.{format_name}")
                code, seconds, rss = run_child(command, Path(workdir))
                failed = "" if code == 0 else f" (exit {code})"
                print(f"{tables:>8,} {tables * 3:>9,} {format_name:>7} {seconds:>8.1f} {rss:>12.1f}{failed}")
            schema.unlink()


def words_case(size: int, seed: int) -> None:
    with tempfile.TemporaryDirectory() as workdir:
        log, rules = Path(workdir) / "words.log", Path(workdir) / "words-rules.yaml"
        lines = write_words(log, size, random.Random(seed))
        rules.write_text(WORD_RULES, encoding="utf-8")
        print(f"{size / MB:,.1f} MB log, {lines:,} lines, {lines * 12:,} words matched by one rule")
        print(f"{'format':>7} {'seconds':>8} {'peak RSS MB':>12}")
        for format_name in ("json", "ndjson"):
            output = Path(workdir) / f"report.{format_name}"
            command = scan_command(log, format_name, output, "--rules", str(rules), "--jobs", "1")
            code, seconds, rss = run_child(command, Path(workdir))
            failed = "" if code == 0 else f" (exit {code})"
            print(f"{format_name:>7} {seconds:>8.1f} {rss:>12.1f}{failed}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--case", choices=("stream", "schema", "words"), default="stream")
    parser.add_argument("--size", default="3G", help="bytes streamed (decimal units: 3G = 3,000,000,000)")
    parser.add_argument("--variant", choices=("sparse", "dense"), default="sparse")
    parser.add_argument("--checkpoints", type=int, default=6)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--tables", default="50000,200000", help="schema: table counts, comma-separated")
    parser.add_argument("--words-size", default="9M", help="words: bytes of the log")
    arguments = parser.parse_args()
    if arguments.case == "schema":
        schema_case([int(count) for count in arguments.tables.split(",")])
        return
    if arguments.case == "words":
        words_case(parse_size(arguments.words_size), arguments.seed)
        return
    size = parse_size(arguments.size)
    rng = random.Random(f"{arguments.seed}-{arguments.variant}")
    pool = build_pool(arguments.variant, rng)
    clock = START_EPOCH

    with tempfile.TemporaryDirectory() as workdir:
        command = [sys.executable, "-m", "pdscan", "scan", "-", "--format", "json", "--quiet", "--fail-on", "never"]
        command += ["--output", str(Path(workdir) / "report.json")]
        started = time.perf_counter()
        process = subprocess.Popen(command, stdin=subprocess.PIPE, cwd=REPO)
        assert process.stdin is not None
        fed = lines = 0
        next_checkpoint = size // arguments.checkpoints
        rows: list[tuple[float, int, float]] = []
        while fed < size:
            data, clock = render_batch(pool, rng, clock)
            process.stdin.write(data)
            fed += len(data)
            lines += data.count(b"\n")
            if fed >= next_checkpoint:
                rows.append((fed / MB, lines, peak_rss_mb(process.pid)))
                next_checkpoint += size // arguments.checkpoints
        process.stdin.close()
        code = process.wait()
        seconds = time.perf_counter() - started

    print(
        f"pdscan scan - ({arguments.variant}), {fed / MB:,.0f} MB streamed in {seconds:,.0f} s "
        f"({fed / MB / seconds:,.1f} MB/s), exit {code}"
    )
    print(f"{'fed MB':>10} {'lines':>14} {'peak RSS MB':>12} {'growth':>8}")
    first = rows[0][2]
    for fed_mb, line_count, rss in rows:
        print(f"{fed_mb:>10,.0f} {line_count:>14,} {rss:>12.1f} {rss / first - 1:>8.1%}")
    worst, growth = max(rss for _, _, rss in rows), rows[-1][2] / first - 1
    print(f"peak RSS {worst:.1f} MB (target < {TARGET_RSS_MB:.0f}): {'ok' if worst < TARGET_RSS_MB else 'MISSED'}")
    print(f"growth {growth:.1%} (target < {TARGET_GROWTH:.0%}): {'ok' if growth < TARGET_GROWTH else 'MISSED'}")


if __name__ == "__main__":
    main()
