"""Ctrl-C and SIGTERM end a scan cleanly: the workers stop, the temporary report is removed on
the way out, one line says what had been done, and the exit code is the shell's (130, 143).

Both signals raise `Interrupted` in the main thread, a BaseException so that no `except
Exception` on the way up can swallow it. Log workers are separate processes: they ignore
SIGINT (a terminal sends it to the whole process group; the parent decides) and die on the
SIGTERM their pool sends when the parent stops it.
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator
from types import FrameType

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)

_deferred: list[int] | None = None  # the stops that arrived in `stop_signals_deferred`, while it runs


class Interrupted(BaseException):
    """A stop signal arrived; `progress` says what had been done (filled in on the way up)."""

    def __init__(self, signal_number: int) -> None:
        super().__init__(signal.Signals(signal_number).name)
        self.signal_name = signal.Signals(signal_number).name
        self.exit_code = 128 + signal_number
        self.progress = ""


def _stop(signal_number: int, frame: FrameType | None) -> None:
    """The one place a stop signal becomes `Interrupted`: at once, or when a deferring block ends.
    Python runs it in the main thread, whichever thread the signal was delivered to."""
    if _deferred is not None:
        _deferred.append(signal_number)
        return
    raise Interrupted(signal_number)


@contextlib.contextmanager
def stop_signals_raise() -> Iterator[None]:
    """While the block runs, SIGINT and SIGTERM raise Interrupted; the old handlers come back after."""
    previous = {number: signal.signal(number, _stop) for number in STOP_SIGNALS}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


@contextlib.contextmanager
def stop_signals_deferred() -> Iterator[None]:
    """While the block runs, a stop waits; it is delivered again when the block ends (even by an
    error: the stop wins). Around the forks of a pool: raised between two forks, a stop left the
    first worker running unknown to the pool; raised in Python's after-fork callbacks, it was
    printed there and lost, and the scan went on. Around a report written: it is never cut.

    It takes two holds. The mask holds the signals in this thread, so a worker forked here
    starts with them held until `in_worker` has set its own handling. But the kernel gives a
    signal sent to the process to any thread that lets it through (a progress bar's, a storage
    reader's), and Python then runs the handler in the main thread at once: so `_stop` also
    defers, which holds whichever thread received the signal.
    """
    global _deferred
    _deferred = []
    held = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)  # one held here arrives now, and is deferred
        arrived, _deferred = _deferred, None
        if arrived:
            signal.raise_signal(arrived[0])  # to the handler in force: `_stop` raises it now


def in_worker() -> None:
    """The initializer of a worker process: the parent alone decides when the scan stops. The
    signals, held when it was forked (`stop_signals_deferred`), are let through once handled
    here: a SIGTERM its pool sent meanwhile ends it now."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
