"""Running pdscan with a pseudo-terminal where a user has a terminal: progress displays and
password prompts only show there."""

from __future__ import annotations

import os
import select
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path


def stderr_on_terminal(command: Sequence[str], cwd: Path, extra_env: dict[str, str]) -> str:
    """Run `command` to its end with stderr on a pseudo-terminal; what the terminal showed."""
    import pty

    leader, follower = pty.openpty()
    environment = {k: v for k, v in os.environ.items() if k not in ("CI", "NO_COLOR")} | extra_env
    subprocess.run(
        list(command),
        cwd=cwd,
        env=environment,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=follower,
        check=False,
        timeout=120,
    )
    os.close(follower)
    shown = read_until(leader, None, timeout=5)
    os.close(leader)
    return shown.decode("utf-8", "replace")


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
