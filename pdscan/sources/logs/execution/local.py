"""The local engine: a process pool on this machine (`--jobs`), or this process alone.

Workers are forked (on Linux) after the engine was compiled, so they inherit it; small units
go to them in batches, and results come back in unit order through `imap`. What they inherit
is frozen out of the garbage collector first (`gc.freeze`): modules, rules and engine live as
long as the workers, and the collections walking them in each worker cost it a few percent of
its time (measured: half its collector's time), copying the pages they touched.
"""

from __future__ import annotations

import gc
import itertools
import multiprocessing
import multiprocessing.pool
import sys
from collections.abc import Iterator, Sequence
from functools import partial
from types import TracebackType

from pdscan.interruption import in_worker, stop_signals_deferred
from pdscan.sources.logs.execution.interface import ExecutionSettings, Flush, OnRead, worker_processes
from pdscan.sources.logs.unit import Unit, UnitOptions, UnitResult, scan_unit

BATCH_BYTES = 1 << 23  # at most this much work per batch: the ranges (8 MiB) of a large file go to different workers
BATCH_UNITS = 64  # small units sent to a worker together: one round trip for many small files
COMPRESSED_WORK = 8  # a compressed byte is about this many log bytes to read (gzip on logs: 5-10x; zstd, xz more)


class LocalExecutor:
    """A process pool when there is more than one file or range to share, else this process."""

    tasks: int | None = None  # a bar over bytes says enough on one machine
    tasks_done = 0

    def __init__(self, settings: ExecutionSettings, units: Sequence[Unit]) -> None:
        self.units = list(units)
        self.settings = settings
        self.pool: multiprocessing.pool.Pool | None = None

    def __enter__(self) -> LocalExecutor:
        if self.settings.jobs > 1 and len(self.units) > 1:
            processes = worker_processes(self.settings, min(self.settings.jobs, len(self.units)))
            if processes > 1:
                context = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
                gc.freeze()  # left out of collections until the pool ends, here and in the workers
                try:
                    with stop_signals_deferred():  # a stop is raised once every worker is in the pool
                        self.pool = context.Pool(processes, initializer=in_worker)
                except BaseException:  # stopped as the pool started (`with` calls no __exit__ then)
                    if self.pool is not None:
                        self.pool.terminate()
                    gc.unfreeze()
                    raise
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self.pool is None:
            return
        try:
            if error is not None:  # interrupted or failed: the workers are killed, not awaited
                self.pool.terminate()
                return
            # Every task is done: the workers are told to end and end on their own. (Terminating a pool
            # whose work is finished races with idle workers: under load one was seen to outlive it.)
            self.pool.close()
            self.pool.join()
        finally:
            gc.unfreeze()  # what became garbage meanwhile can be collected again

    def results(
        self, options: UnitOptions, flush: Flush | None = None, on_read: OnRead | None = None
    ) -> Iterator[UnitResult]:
        """Results in unit order. Workers get units in batches: a hundred thousand tiny files
        sent one by one cost more in round trips than in reading. Read in this process, a unit
        hands its records to `flush` and tells `on_read` how far it got block by block: a
        compressed log, or a plain one under two ranges, is one unit, however big."""
        if self.pool is None:
            for unit in self.units:
                yield scan_unit(
                    unit, options, partial(flush, unit) if flush else None, partial(on_read, unit) if on_read else None
                )
            return
        batches = self.pool.imap(partial(scan_batch, options=options), batches_of(self.units))
        yield from itertools.chain.from_iterable(batches)


def scan_batch(batch: list[Unit], options: UnitOptions) -> list[UnitResult]:
    """One worker task: the batch's units, in order."""
    return [scan_unit(unit, options) for unit in batch]


def batches_of(units: Sequence[Unit]) -> Iterator[list[Unit]]:
    """Consecutive units, at most BATCH_UNITS of them and about BATCH_BYTES of log to read
    together, so the ranges of a large file still go to different workers and sixty-four
    rotated `.gz` copies do not make one batch that one worker reads alone."""
    batch: list[Unit] = []
    work = 0
    for unit in units:
        unit_work = unit.size * (COMPRESSED_WORK if unit.compression else 1)
        if batch and (len(batch) == BATCH_UNITS or work + unit_work > BATCH_BYTES):
            yield batch
            batch, work = [], 0
        batch.append(unit)
        work += unit_work
    if batch:
        yield batch
