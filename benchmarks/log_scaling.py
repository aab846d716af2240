"""Where a log scan with several processes spends its time, measured so a busy machine matters less.

Usage: python benchmarks/log_scaling.py FILE [--jobs 1 2] [--repeat 3]

Runs `pdscan scan FILE --format json --quiet --jobs N` in a child that records, in CPU time, the
start before the first unit (imports, rules, planning), each unit's time in the worker that read
it, and what follows the last result (merge, report). On a machine shared with other work, wall
times say little (the second core may be busy: `--jobs 2` then takes as long as `--jobs 1`);
the estimate printed beside them is the wall time the scan would take with a core of its own per
process: start + the busier worker's units + the end. Units are read in the order the pool hands
them out, which a busy machine changes a little. A measurement, not a test: prints, asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

CHILD = """
import json, os, sys, time
trace = open(sys.argv[1], "a", buffering=1)
def mark(what, **more):
    trace.write(json.dumps({"what": what, "pid": os.getpid(), "cpu": time.process_time(), **more}) + "\\n")
import pdscan.cli.commands as commands
from pdscan.sources.logs import source
from pdscan.sources.logs.execution import local
scan_unit, open_executor, merge = local.scan_unit, source.open_executor, source._merge
def traced_unit(unit, *args, **kwargs):
    began = time.process_time()
    result = scan_unit(unit, *args, **kwargs)
    mark("unit", seconds=time.process_time() - began)
    return result
def traced_open(*args):
    mark("planned")
    return open_executor(*args)
def traced_merge(*args):
    merge(*args)
    mark("merged")
local.scan_unit, source.open_executor, source._merge = traced_unit, traced_open, traced_merge
sys.argv = ["pdscan", *sys.argv[2:]]
try:
    commands.run()
finally:
    mark("end")
"""


def traced_run(python: str, path: Path, jobs: int) -> tuple[float, float, list[float]]:
    """Wall seconds, the estimate with a core per process, and each worker's unit CPU seconds."""
    with tempfile.TemporaryDirectory() as folder:
        trace = Path(folder) / "trace.jsonl"
        command = [python, "-c", CHILD, str(trace), "scan", str(path), "--format", "json"]
        command += ["--output", str(Path(folder) / "report.json"), "--quiet", "--fail-on", "never", "--jobs", str(jobs)]
        started = time.perf_counter()
        subprocess.run(command, check=True)
        wall = time.perf_counter() - started
        events = [json.loads(line) for line in trace.read_text().splitlines()]
    parent = next(event["pid"] for event in events if event["what"] == "planned")
    own = {e["what"]: e["cpu"] for e in events if e["pid"] == parent}  # the last of each kind
    workers: dict[int, float] = defaultdict(float)
    for event in events:
        if event["what"] == "unit":
            workers[event["pid"]] += event["seconds"]
    after = own["end"] - own.get("merged", own["end"])
    return wall, own["planned"] + max(workers.values()) + after, sorted(workers.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--python", default=sys.executable, help="interpreter that runs pdscan")
    arguments = parser.parse_args()
    runs: dict[int, list[tuple[float, float, list[float]]]] = defaultdict(list)
    for _ in range(arguments.repeat):  # interleaved: a burst of other work hits every job count
        for jobs in arguments.jobs:
            runs[jobs].append(traced_run(arguments.python, arguments.file, jobs))
    base = None
    for jobs in arguments.jobs:
        walls = [wall for wall, _, _ in runs[jobs]]
        estimates = [estimate for _, estimate, _ in runs[jobs]]
        estimate = statistics.median(estimates)
        base = base or estimate
        workers = " ".join("/".join(f"{seconds:.2f}" for seconds in per) for _, _, per in runs[jobs])
        print(
            f"--jobs {jobs}: wall best {min(walls):.2f} s, median {statistics.median(walls):.2f} s; with a core per "
            f"process about {estimate:.2f} s ({base / estimate:.2f}x); workers' unit CPU s per run: {workers}"
        )


if __name__ == "__main__":
    main()
