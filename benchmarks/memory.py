"""Memory of a log scan through standard input as the stream grows: peak RSS must stay flat.

Usage: python benchmarks/memory.py [--size 3G] [--variant sparse|dense] [--checkpoints 6]

Streams a generated log (the generator of benchmarks/logs.py, seeded; nothing is written to
disk) into `python -m pdscan scan - --format json` through a pipe, and at each checkpoint
(equal shares of --size) reads the pdscan process's peak resident set (VmHWM in
/proc/PID/status). Prints bytes fed, lines, peak RSS and the growth since the first checkpoint.
Target: peak RSS under 250 MB at every size, and growth from the first checkpoint to the last
under 10% (memory proportional to the input would grow with it). A measurement, not a test:
prints figures, asserts nothing, exits 0.
"""

from __future__ import annotations

import argparse
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


def peak_rss_mb(pid: int) -> float:
    """VmHWM: the highest resident set the process has had so far."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for process {pid}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="3G", help="bytes streamed (decimal units: 3G = 3,000,000,000)")
    parser.add_argument("--variant", choices=("sparse", "dense"), default="sparse")
    parser.add_argument("--checkpoints", type=int, default=6)
    parser.add_argument("--seed", type=int, default=7)
    arguments = parser.parse_args()
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
