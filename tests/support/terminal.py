"""Running pdscan with a pseudo-terminal where a user has a terminal: progress displays and
password prompts only show there."""

from __future__ import annotations

import os
import select
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

HUNG = 600  # seconds: only a hung program runs this long; the tests' own waits are on events


def stderr_on_terminal(command: Sequence[str], cwd: Path, extra_env: dict[str, str]) -> str:
    """Run `command` to its end with stderr on a pseudo-terminal; what the terminal showed.

    The terminal is read while the program runs: a terminal holds only a few kilobytes unread,
    and a progress bar redrawn over a long (or slowed) scan writes more, so waiting for the end
    before reading blocked the program on its own output until the wait ran out."""
    import pty

    leader, follower = pty.openpty()
    environment = {k: v for k, v in os.environ.items() if k not in ("CI", "NO_COLOR")} | extra_env
    process = subprocess.Popen(
        list(command), cwd=cwd, env=environment, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=follower
    )
    os.close(follower)
    seen = b""
    hung_at = time.monotonic() + HUNG
    try:
        while time.monotonic() < hung_at:
            ready, _, _ = select.select([leader], [], [], 0.5)
            if not ready:
                if process.poll() is not None:
                    break  # it has ended and everything it wrote is read
                continue
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # every writer closed the terminal
                break
            if not chunk:
                break
            seen += chunk
        process.wait(timeout=max(0.0, hung_at - time.monotonic()))
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(leader)
    return seen.decode("utf-8", "replace")


def read_until(fd: int, marker: bytes | None, timeout: float = 60) -> bytes:
    """What the terminal shows until `marker` appears (None: until the program closes it)."""
    seen = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and (marker is None or marker not in seen):
        ready, _, _ = select.select([fd], [], [], 0.5)
        if not ready:
            if marker is None and seen:
                break  # the program is done and nothing more is coming
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # the program exited and the terminal closed
            break
        if not chunk:
            break
        seen += chunk
    return seen
