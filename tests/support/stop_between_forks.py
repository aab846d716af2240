"""A stop signal that arrives between the forks of the log pool, every time rather than one run
in eight on a loaded machine: once the first worker is forked, the signal is sent and known to
have arrived before the next fork.

It is sent to the process, or to a bystander thread that lets every signal through: a progress
bar's or a storage reader's, a thread the kernel may choose for a signal sent to the process.
It arrives once `os.fork` has returned, or while Python runs its own after-fork callbacks
(which print an exception raised in them, and go on).

Run as a script, it is `pdscan` with that stop:
`python stop_between_forks.py SIGTERM bystander in_fork_callbacks scan ...`.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Literal, cast

Receiver = Literal["process", "bystander"]
Moment = Literal["after_fork", "in_fork_callbacks"]
ARRIVAL_GUARD = 30  # seconds: a hang guard, never a speed measurement


@contextlib.contextmanager
def stop_sender(stop: int, receiver: Receiver) -> Iterator[Callable[[], None]]:
    """Yields a function that sends `stop` to `receiver` and returns once it has arrived: the
    Python handler then runs in the main thread at its next instruction."""
    bystander_done = threading.Event()
    bystander = threading.Thread(target=bystander_done.wait, name="bystander", daemon=True)
    bystander.start()
    # Python's C-level handler writes the signal's number here, from whichever thread received it.
    arrived, wakeup = socket.socketpair()
    wakeup.setblocking(False)
    arrived.settimeout(ARRIVAL_GUARD)
    previous_wakeup = signal.set_wakeup_fd(wakeup.fileno())

    def send() -> None:
        if receiver == "process":
            os.kill(os.getpid(), stop)
        else:
            signal.pthread_kill(bystander.ident or 0, stop)
        arrived.recv(1)

    try:
        yield send
    finally:
        signal.set_wakeup_fd(previous_wakeup)
        bystander_done.set()
        arrived.close()
        wakeup.close()


@contextlib.contextmanager
def stop_between_forks(stop: int, receiver: Receiver, moment: Moment) -> Iterator[list[int]]:
    """While the block runs, the first fork is followed by `stop`, sent to `receiver` at
    `moment`; yields the pids this process forked."""
    forked: list[int] = []
    real_fork = os.fork

    def fork_then_stop() -> int:
        pid = real_fork()
        if pid:  # in this process
            forked.append(pid)
            if moment == "after_fork" and len(forked) == 1:
                send()
        return pid

    def in_fork_callbacks() -> None:
        if moment == "in_fork_callbacks" and os.fork is fork_then_stop and not forked:
            send()

    with stop_sender(stop, receiver) as send:
        os.register_at_fork(after_in_parent=in_fork_callbacks)  # for good: idle once the block ended
        os.fork = fork_then_stop
        try:
            yield forked
        finally:
            os.fork = real_fork


def main() -> None:
    stop_name, receiver, moment, *arguments = sys.argv[1:]
    assert receiver in ("process", "bystander") and moment in ("after_fork", "in_fork_callbacks")
    sys.argv[1:] = arguments
    from pdscan.cli.commands import run

    with stop_between_forks(signal.Signals[stop_name], cast(Receiver, receiver), cast(Moment, moment)):
        run()


if __name__ == "__main__":
    main()
