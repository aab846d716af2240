"""Log scanning on a Dask cluster against the local process pool, on the same archive.

Usage: python benchmarks/distributed.py [--size 200M] [--repeat 1] [--workdir DIR]

Generates (once, reused from --workdir) a deterministic archive with the generator of
benchmarks/logs.py (sparse variant, seeded): one large plain log of about half of --size (cut
into 8 MiB byte ranges), eight plain logs and eight gzip-rotated copies sharing the rest. Then
times `python -m pdscan scan DIR --format json --output ... --quiet --fail-on never` (best wall
time of --repeat runs) with:
  local --jobs 1, local --jobs 2        the multi-process engine on this machine;
  dask, local cluster, 1 and 2 workers  `--engine dask --jobs N`: cluster start included;
  dask, running cluster, 1 and 2        `--engine dask --scheduler ADDRESS` against a LocalCluster this
                                        script started beforehand and warmed with one scan (steady state:
                                        no cluster start, workers' engines already compiled);
and prints MB/s over the uncompressed bytes read (the report's `bytes`), the speed-up from 1 to 2
workers, and the overhead of dask with 2 workers against local --jobs 2 (time ratio). Each report is
checked to equal the local --jobs 1 report apart from `generated_at`. A measurement, not a test:
prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import importlib.util
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
MB = 1_000_000
SEED = 20240301
SMALL_FILES = 8
# This file is named distributed.py: its folder, first on sys.path when run as a script, would
# shadow the `distributed` package.
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != HERE]


def _log_generator() -> ModuleType:
    """benchmarks/logs.py, whose generator this archive reuses."""
    name = "pdscan_bench_logs"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, HERE / "logs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def ensure_archive(workdir: Path, size: int) -> Path:
    """The archive for --size, generated once."""
    folder = workdir / f"archive-{size}-seed{SEED}"
    if folder.is_dir():
        print(f"reusing {folder}")
        return folder
    generator = _log_generator()
    started = time.perf_counter()
    building = folder.with_name(folder.name + ".part")
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir(parents=True)
    generator.write_log(building / "app.log", "sparse", size // 2, SEED)
    piece = size // 2 // (2 * SMALL_FILES)
    for index in range(SMALL_FILES):
        generator.write_log(building / f"service-{index}.log", "sparse", piece, SEED + index + 1)
        rotated = building / f"service-{index}.log.1"
        generator.write_log(rotated, "sparse", piece, SEED + 100 + index)
        rotated.with_name(rotated.name + ".gz").write_bytes(gzip.compress(rotated.read_bytes(), 1, mtime=0))
        rotated.unlink()
    building.rename(folder)
    print(f"generated {folder} in {time.perf_counter() - started:.1f} s")
    return folder


def scan(python: str, folder: Path, output: Path, *engine: str) -> tuple[float, str]:
    """(wall seconds, report text) of one scan."""
    command = [python, "-m", "pdscan", "scan", str(folder), "--format", "json", "--output", str(output)]
    command += ["--quiet", "--fail-on", "never", *engine]
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, check=False, cwd=REPO)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"pdscan failed (exit {result.returncode}): {' '.join(command)}\n{result.stderr}")
    return seconds, output.read_text()


def best(python: str, folder: Path, workdir: Path, repeat: int, *engine: str) -> tuple[float, str]:
    runs = [scan(python, folder, workdir / "report.json", *engine) for _ in range(repeat)]
    return min(runs, key=lambda run: run[0])


def without_time(report: str) -> str:
    return re.sub(r'"generated_at": "[^"]*"', "", report)


@contextlib.contextmanager
def running_cluster(workers: int) -> Iterator[str]:
    """A LocalCluster on loopback, as a long-running cluster would be: its scheduler address."""
    import distributed

    with distributed.LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        silence_logs=logging.ERROR,
    ) as cluster:
        yield cluster.scheduler_address


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="200M", help="archive size, decimal: 200M, 1G")
    parser.add_argument("--repeat", type=int, default=1, help="runs per measurement; the best wall time counts")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "pdscan-bench-distributed")
    parser.add_argument("--python", default=str(REPO / ".venv" / "bin" / "python"))
    arguments = parser.parse_args()
    size = _log_generator().parse_size(arguments.size)
    arguments.workdir.mkdir(parents=True, exist_ok=True)
    folder = ensure_archive(arguments.workdir, size)
    print(f"{os.cpu_count()} CPUs; best of {arguments.repeat}; python {arguments.python}")

    reference_seconds, reference = best(arguments.python, folder, arguments.workdir, arguments.repeat, "--jobs", "1")
    read = sum(source.get("bytes") or 0 for source in json.loads(reference)["sources"]) / MB
    print(f"archive: {read:,.1f} MB read (uncompressed), {len(json.loads(reference)['sources'])} files\n")
    seconds = {"local --jobs 1": reference_seconds}

    def measure(label: str, *engine: str) -> None:
        elapsed, report = best(arguments.python, folder, arguments.workdir, arguments.repeat, *engine)
        same = "same report" if without_time(report) == without_time(reference) else "REPORT DIFFERS"
        seconds[label] = elapsed
        print(f"{label:<38} {elapsed:7.2f} s {read / elapsed:8.1f} MB/s   {same}")

    print(f"{'local --jobs 1':<38} {reference_seconds:7.2f} s {read / reference_seconds:8.1f} MB/s")
    measure("local --jobs 2", "--jobs", "2")
    for workers in (1, 2):
        measure(f"dask local cluster, {workers} worker(s), with start", "--engine", "dask", "--jobs", str(workers))
    for workers in (1, 2):
        with running_cluster(workers) as address:
            scan(arguments.python, folder, arguments.workdir / "warm.json", "--engine", "dask", "--scheduler", address)
            measure(f"dask running cluster, {workers} worker(s)", "--engine", "dask", "--scheduler", address)

    print()
    for kind in ("dask local cluster, {} worker(s), with start", "dask running cluster, {} worker(s)"):
        one, two = seconds[kind.format(1)], seconds[kind.format(2)]
        print(f"speed-up 1 -> 2 workers ({kind.format('N')}): {one / two:.2f}x")
    local_two = seconds["local --jobs 2"]
    for kind in ("dask local cluster, 2 worker(s), with start", "dask running cluster, 2 worker(s)"):
        print(f"overhead {kind} vs local --jobs 2: {seconds[kind] / local_two:.2f}x the time")


if __name__ == "__main__":
    main()
