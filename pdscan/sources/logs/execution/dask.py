"""The Dask engine: the same units and the same `scan_unit`, run on a `dask.distributed` cluster.

pdscan builds no scheduler of its own. Batches of units (whole compressed files, byte ranges
of large plain files) become Dask tasks; Dask places them, retries a task whose worker died or
whose code raised, and reports one that could not be finished; pdscan takes the results in
unit order, so the merged report is the one a scan on this machine gives. A task that fails
for good stops the scan with no report: a report missing a file would read as "no personal
data there".

At most a few tasks per worker thread are in flight at once, so a scan of millions of units
does not hold them all in the scheduler. `distributed` is imported only here, and only when
`--engine dask` is asked for: it is an optional extra (`pip install 'pdscan[dask]'`).
"""

from __future__ import annotations

import asyncio
import gc
import logging
import threading
import uuid
from collections import deque
from collections.abc import Iterator, Sequence
from types import ModuleType, TracebackType
from typing import Any

from pdscan.sources.logs.execution.interface import ExecutionError, ExecutionSettings, Flush, OnRead, worker_processes
from pdscan.sources.logs.execution.local import batches_of, scan_batch
from pdscan.sources.logs.storage import shown_location
from pdscan.sources.logs.unit import Unit, UnitOptions, UnitResult
from pdscan.tracebacks import one_line

CONNECT_TIMEOUT = 10.0  # seconds to reach a scheduler, or to see its first worker
CLOSE_TIMEOUT = 10.0  # seconds a client or local cluster is given to shut down
RETRIES = 2  # a task whose code raised is run again this many times (a dead worker: Dask's allowed-failures)
IN_FLIGHT_PER_THREAD = 4  # tasks submitted ahead per worker thread: workers never wait, the scheduler stays small
TASK_PREFIX = "pdscan-scan"  # task keys are `pdscan-scan-<scan>-<index>`: one group on the dashboard
QUIET_LOGGERS = ("distributed", "bokeh", "tornado")  # their INFO lines on stderr would drown pdscan's own


class TaskFailed(ExecutionError):
    """A task the cluster gave up on, after its retries: the scan stops, no report is written."""


def _distributed() -> ModuleType:
    """`distributed`, or the one line saying which extra installs it."""
    try:
        import distributed
    except ImportError as error:
        raise ExecutionError("--engine dask needs the dask extra: pip install 'pdscan[dask]'") from error
    return distributed


def worker_rules_version() -> str:
    """Run on each worker: the pdscan version and bundled rules digest it would scan with."""
    from pdscan.scanner import rules_version

    return rules_version()


class WorkerMismatch(Exception):
    """Raised in a task by a worker with another pdscan: one that joined after the check."""


def scan_batch_on_worker(batch: list[Unit], options: UnitOptions, expected_version: str) -> list[UnitResult]:
    """One Dask task. A worker that joined the cluster after the check, with another pdscan,
    refuses it; a file the worker cannot read (a mount missing on that machine) is reported
    with the worker's address, since the machine running pdscan may read it fine."""
    found = worker_rules_version()
    if found != expected_version:
        raise WorkerMismatch(f"the worker runs pdscan {found}, this machine pdscan {expected_version}")
    results = scan_batch(batch, options)
    failed = [result for result in results if result.error and result.error.startswith("cannot read")]
    if failed:
        from distributed import get_worker

        address = get_worker().address
        for result in failed:
            result.error = f"{result.error} on the Dask worker {address}"
    return results


def _client_within(distributed: ModuleType, address: str, timeout: float) -> Any:
    """A client of the scheduler at `address`, connected in a thread of its own: a port where
    something else listens (the dashboard's, another service's) can keep Dask's handshake
    waiting past its own timeout, or answer with bytes Dask fails to decode. A client that
    failed is dropped in that thread too, where its clean-up (which waits on its own timeout
    and complains on stderr) neither delays nor clutters the one line the user gets."""
    outcome: list[Any] = []
    answered = threading.Event()

    def connect() -> None:
        try:
            outcome.append(distributed.Client(address, timeout=timeout, set_as_default=False))
        except BaseException as error:  # any failure, decoded garbage included: reported below
            outcome.append(_connect_failure(error))
        answered.set()
        gc.collect()  # a failed client is freed here, in this daemon thread, not at pdscan's exit

    threading.Thread(target=connect, name="pdscan-dask-connect", daemon=True).start()
    answered.wait(timeout + 1)
    if not outcome:
        raise ExecutionError(
            f"no Dask scheduler answered at {address} within {timeout:g} s; is that the scheduler's address "
            "(port 8786 by default; 8787 is its dashboard)?"
        )
    if isinstance(outcome[0], str):
        raise ExecutionError(
            f"cannot reach the Dask scheduler at {address} ({outcome[0]}); is it running, and is the address right?"
        )
    return outcome[0]


def _connect_failure(error: BaseException) -> str:
    """Why connecting failed, in words; an error that is no network error means something other
    than a Dask scheduler answered."""
    if isinstance(error, (OSError, TimeoutError, ValueError, TypeError)):
        return one_line(error, ())
    return f"something other than a Dask scheduler answered: {type(error).__name__}"


class DaskExecutor:
    """A client of a running cluster (`--scheduler`), or of a local cluster of `--jobs`
    single-threaded worker processes on loopback started for this scan."""

    def __init__(self, settings: ExecutionSettings, units: Sequence[Unit]) -> None:
        self.settings = settings
        self.units = list(units)
        self.batches = list(batches_of(self.units))
        self.tasks: int | None = len(self.batches)
        self.tasks_done = 0
        self.client: Any = None
        self.cluster: Any = None
        self.in_flight: deque[tuple[int, Any]] = deque()  # (batch index, future), in batch order

    def __enter__(self) -> DaskExecutor:
        distributed = _distributed()
        for name in QUIET_LOGGERS:
            logging.getLogger(name).setLevel(logging.ERROR)
        try:
            if self.settings.scheduler:
                self.client = self._connect(distributed, self.settings.scheduler)
            else:
                self.cluster = distributed.LocalCluster(
                    n_workers=worker_processes(self.settings, max(1, self.settings.jobs)),
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",
                    dashboard_address="127.0.0.1:0",
                    silence_logs=logging.ERROR,
                )
                self.client = distributed.Client(self.cluster, set_as_default=False)
                from pdscan.sources.logs.execution.dask_worker import IgnoreInterrupts

                self.client.register_plugin(IgnoreInterrupts(), name="pdscan-ignore-interrupts")
            self._check_workers()
            self._announce_dashboard()
        except BaseException:
            self._close()
            raise
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._close()

    def results(
        self, options: UnitOptions, flush: Flush | None = None, on_read: OnRead | None = None
    ) -> Iterator[UnitResult]:
        """Each batch's results, in batch order; tasks are submitted a window ahead. Records
        come back with each unit's result (`flush` and `on_read` are for units read in this
        process: none here)."""
        scan_id = uuid.uuid4().hex[:12]
        version = worker_rules_version()
        pending = iter(enumerate(self.batches))
        window = IN_FLIGHT_PER_THREAD * max(1, sum(self.client.nthreads().values()))

        def submit_next() -> None:
            for index, batch in pending:
                key = f"{TASK_PREFIX}-{scan_id}-{index}"
                future = self.client.submit(
                    scan_batch_on_worker, batch, options, version, key=key, pure=False, retries=RETRIES
                )
                self.in_flight.append((index, future))
                return

        while len(self.in_flight) < window and len(self.in_flight) < len(self.batches):
            submit_next()
        while self.in_flight:
            index, future = self.in_flight[0]
            try:
                batch_results = future.result()
            except (Exception, asyncio.CancelledError) as error:
                raise TaskFailed(self._failure(index, error)) from error
            self.in_flight.popleft()
            future.release()
            self.tasks_done += 1
            submit_next()  # before the merge of this batch, so the workers stay busy meanwhile
            yield from batch_results

    def _connect(self, distributed: ModuleType, address: str) -> Any:
        """A client of the running cluster; out of reach or without workers: one line, exit 2."""
        client = _client_within(distributed, address, CONNECT_TIMEOUT)
        try:
            client.wait_for_workers(1, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError) as error:
            client.close()
            raise ExecutionError(
                f"the Dask scheduler at {address} has no worker after {CONNECT_TIMEOUT:g} s; start some "
                "(`dask worker ADDRESS`)"
            ) from error
        return client

    def _check_workers(self) -> None:
        """Every worker must scan with this pdscan and these bundled rules, or the report would
        depend on where each task happened to run."""
        expected = worker_rules_version()
        try:
            found: dict[str, str] = self.client.run(worker_rules_version)
        except Exception as error:
            raise ExecutionError(
                f"the Dask workers cannot run pdscan {expected} ({one_line(error, ())}); "
                "install the same pdscan version on every worker"
            ) from None
        for address, version in sorted(found.items()):
            if version != expected:
                raise ExecutionError(
                    f"the Dask worker {address} runs pdscan {version}, this machine pdscan {expected}: "
                    "install the same pdscan version (and rules) on every worker"
                )

    def _announce_dashboard(self) -> None:
        """The dashboard link, when the scheduler serves one (it needs bokeh)."""
        services = self.client.scheduler_info(n_workers=0).get("services", {})
        if "dashboard" in services:
            self.settings.on_note(f"Dask dashboard at {self.client.dashboard_link}")

    def _failure(self, index: int, error: BaseException) -> str:
        """What could not be finished, and why, in one line."""
        batch = self.batches[index]
        files = list(dict.fromkeys(shown_location(unit.path) for unit in batch))
        where = files[0] + (f" and {len(files) - 1} more file(s)" if len(files) > 1 else "")
        if type(error).__name__ == "KilledWorker":
            reason = "every worker that ran it died (Dask's allowed failures reached)"
        elif isinstance(error, asyncio.CancelledError):
            reason = "it was cancelled (the scheduler or the connection to it went away)"
        else:
            reason = one_line(error, ())
        return (
            f"the Dask cluster could not finish task {index + 1} of {len(self.batches)} ({where}): {reason}; "
            "no report written"
        )

    def _close(self) -> None:
        """Tasks still queued are cancelled; the client, and a cluster started here, shut down."""
        try:
            if self.client is not None:
                if self.in_flight:
                    self.client.cancel([future for _, future in self.in_flight], force=True)
                    self.in_flight.clear()
                self.client.close(timeout=CLOSE_TIMEOUT)
        finally:
            self.client = None
            if self.cluster is not None:
                cluster, self.cluster = self.cluster, None
                cluster.close(timeout=CLOSE_TIMEOUT)
