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


class Interrupted(BaseException):
    """A stop signal arrived; `progress` says what had been done (filled in on the way up)."""

    def __init__(self, signal_number: int) -> None:
        super().__init__(signal.Signals(signal_number).name)
        self.signal_name = signal.Signals(signal_number).name
        self.exit_code = 128 + signal_number
        self.progress = ""


def _raise(signal_number: int, frame: FrameType | None) -> None:
    raise Interrupted(signal_number)


@contextlib.contextmanager
def stop_signals_raise() -> Iterator[None]:
    """While the block runs, SIGINT and SIGTERM raise Interrupted; the old handlers come back after."""
    previous = {number: signal.signal(number, _raise) for number in STOP_SIGNALS}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


@contextlib.contextmanager
def stop_signals_held() -> Iterator[None]:
    """While the block runs, SIGINT and SIGTERM wait, and arrive when it ends. Around the forks
    of a pool: raised between two forks, a stop left the first worker running (the scan hung at
    exit); raised in `os.fork`'s after-fork callbacks, it was printed, ignored, and the scan went
    on. Workers forked meanwhile start with the signals held: `in_worker` lets them through."""
    if not hasattr(signal, "pthread_sigmask"):  # Windows: no fork either
        yield
        return
    held = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def in_worker() -> None:
    """The initializer of a worker process: the parent alone decides when the scan stops."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if hasattr(signal, "pthread_sigmask"):  # forked while the parent held them (stop_signals_held)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
