"""What an execution engine does, and the one way it may fail.

An executor is opened (pool or cluster started), asked for the results of the units it was
given, strictly in unit order (the merge relies on it: line numbers, first and last places and
streamed records come out as one process reading the files in turn would give them), then
closed: on success it ends its workers cleanly; on an exception or a stop signal it stops them
at once.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Protocol

from pdscan.sources.logs.counting import Record
from pdscan.sources.logs.unit import Unit, UnitOptions, UnitResult

Flush = Callable[[Unit, list[Record]], None]
OnRead = Callable[[Unit, int], None]  # a unit read in this process, and its bytes read so far
LOCAL = "local"
DASK = "dask"
EXECUTION_ENGINES = (LOCAL, DASK)


class ExecutionError(Exception):
    """The engine cannot run the scan (an extra not installed, a scheduler out of reach, workers
    of another pdscan version) or could not finish it: one line for the user, exit 2, and never
    a partial report."""


@dataclass(frozen=True)
class ExecutionSettings:
    """How the units of a log scan are run (`--engine`, `--jobs`, `--scheduler`)."""

    engine: str = LOCAL
    jobs: int = 1  # local: processes; dask without a scheduler: workers of the local cluster
    scheduler: str | None = None  # dask: the address of a running cluster's scheduler
    on_note: Callable[[str], None] = lambda note: None  # a line for the user (the dashboard link)


class Executor(Protocol):
    """Runs `scan_unit` over its units, possibly elsewhere, yielding the results in unit order."""

    tasks: int | None  # tasks the units were sent as, when worth showing (a cluster); else None
    tasks_done: int

    def __enter__(self) -> Executor: ...

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None: ...

    def results(
        self, options: UnitOptions, flush: Flush | None = None, on_read: OnRead | None = None
    ) -> Iterator[UnitResult]:
        """`flush` takes the records of a unit read in this process as they are found, and
        `on_read` how far it has read (an executor that reads elsewhere returns the records with
        the unit's result, and its progress is the result's arrival)."""
        ...


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity: a container's or `taskset`'s share),
    not the machine's."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def worker_processes(settings: ExecutionSettings, wanted: int) -> int:
    """`wanted` log processes on this machine, at most one per core: more only take turns on
    the same cores, each with its own memory and compiled engine. A lowered request is said."""
    cores = available_cores()
    if wanted <= cores:
        return wanted
    settings.on_note(f"--jobs {settings.jobs} lowered to {cores}: one log process per core this process may run on")
    return cores


def open_executor(settings: ExecutionSettings, units: Sequence[Unit]) -> Executor:
    """The executor `--engine` names for these units (files and ranges, never standard input).
    With no unit to send anywhere, no pool or cluster is started."""
    from pdscan.sources.logs.execution.local import LocalExecutor

    if settings.engine == DASK and units:
        from pdscan.sources.logs.execution.dask import DaskExecutor

        return DaskExecutor(settings, units)
    if settings.engine not in EXECUTION_ENGINES:
        raise ExecutionError(f"unknown execution engine {settings.engine!r}: use one of {', '.join(EXECUTION_ENGINES)}")
    return LocalExecutor(settings, units)
