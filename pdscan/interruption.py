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


def in_worker() -> None:
    """The initializer of a worker process: the parent alone decides when the scan stops."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
