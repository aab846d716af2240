"""The installed `pdscan` command run in a subprocess, as users and CI run it, in one environment
every test shares: no colour, 160 columns, no git configuration of the machine, and no database
password or CI setting of the person running the tests unless the test gives one."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Literal, overload

from support.paths import REPO

PDSCAN = Path(sys.executable).parent / "pdscan"
WITHHELD = ("FORCE_COLOR", "PGPASSWORD", "MYSQL_PWD", "CI")
HANG_GUARD = 600  # seconds: a generous guard against a hang, never a speed measurement


def pdscan_environment(env: Mapping[str, str | None] | None = None) -> dict[str, str]:
    """The test environment, then `env` on top of it (a `None` value removes that variable)."""
    environment = {name: value for name, value in os.environ.items() if name not in WITHHELD}
    environment.update(NO_COLOR="1", COLUMNS="160", GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull)
    for name, value in (env or {}).items():
        if value is None:
            environment.pop(name, None)
        else:
            environment[name] = value
    return environment


@overload
def run_pdscan(
    *args: str,
    cwd: Path | None = None,
    env: Mapping[str, str | None] | None = None,
    stdin: str | None = None,
    text: Literal[True] = True,
    timeout: float = HANG_GUARD,
) -> subprocess.CompletedProcess[str]: ...


@overload
def run_pdscan(
    *args: str,
    cwd: Path | None = None,
    env: Mapping[str, str | None] | None = None,
    stdin: bytes | None = None,
    text: Literal[False],
    timeout: float = HANG_GUARD,
) -> subprocess.CompletedProcess[bytes]: ...


def run_pdscan(
    *args: str,
    cwd: Path | None = None,
    env: Mapping[str, str | None] | None = None,
    stdin: str | bytes | None = None,
    text: bool = True,
    timeout: float = HANG_GUARD,
) -> subprocess.CompletedProcess[str] | subprocess.CompletedProcess[bytes]:
    """`pdscan ARGS…` in `cwd` (the repository by default), reading `stdin` (nothing when not
    given, never the terminal of the person running the tests); text out, or bytes where a test
    reads the bytes themselves (a CSV's byte-order mark and CRLF)."""
    return subprocess.run(
        [str(PDSCAN), *args],
        input=stdin,
        stdin=subprocess.DEVNULL if stdin is None else None,
        capture_output=True,
        text=text,
        cwd=cwd or REPO,
        env=pdscan_environment(env),
        check=False,
        timeout=timeout,
    )
