"""Files pdscan writes, whole or not at all: the text goes to a temporary file beside the target
and is renamed into place, so an interrupted run never leaves half a file for CI to read.

Reports may hold personal data (samples with --show-data) and stay readable by their owner only;
the files meant to be committed (pdscan.yml, the baseline) are readable by everyone.
"""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from pdscan.interruption import stop_signals_deferred

REPOSITORY_FILE_MODE = 0o644  # a report keeps mkstemp's 0o600


def write_atomically(path: Path, text: str) -> None:
    """Replace `path` with `text` (a file for the repository); raises OSError when the folder
    cannot be written."""
    with ReportOutput(path, mode=REPOSITORY_FILE_MODE) as output:
        output.stream.write(text)


class ReportOutput:
    """Where the output goes: stdout, or a file renamed into place only when the run finished."""

    def __init__(self, path: Path | None, mode: int | None = None) -> None:
        self.path = path
        self.mode = mode
        self.stream: TextIO = sys.stdout
        self._temporary: str | None = None

    def __enter__(self) -> ReportOutput:
        if self.path is not None and _special(self.path):
            # `-o /dev/null`, `-o /dev/stdout`, a named pipe: written to, never replaced by a
            # regular file (as root, a rename would have put the report where /dev/null was).
            self.stream = open(self.path, "w", encoding="utf-8")
            self.path = None
            return self
        if self.path is not None:
            # Through a symbolic link to the file it names: the link stays a link.
            self.path = Path(os.path.realpath(self.path))
            directory = self.path.parent if str(self.path.parent) else Path(".")
            handle, self._temporary = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=directory)
            self.stream = os.fdopen(handle, "w", encoding="utf-8")
        return self

    def write_whole(self, text: str | Iterable[str]) -> None:
        """Write `text` (or its pieces, made as they are written) with a final newline, a stop
        signal held until it is written: on stdout a report is never cut in the middle (a signal
        then still ends the run, after it, whichever thread received it)."""
        with stop_signals_deferred():
            last = ""
            for piece in [text] if isinstance(text, str) else text:
                self.stream.write(piece)
                last = piece or last
            if not last.endswith("\n"):
                self.stream.write("\n")
            self.stream.flush()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: object) -> None:
        if self.path is None or self._temporary is None:
            if self.stream is sys.stdout:
                self.stream.flush()
            else:
                self.stream.close()
            return
        try:
            self.stream.close()  # flushes: a full disk fails here
            if kind is None:
                if self.mode is not None:
                    os.chmod(self._temporary, self.mode)
                os.replace(self._temporary, self.path)
                return
        except OSError:
            Path(self._temporary).unlink(missing_ok=True)  # no half report left behind, nor its values
            raise
        Path(self._temporary).unlink(missing_ok=True)


def _special(path: Path) -> bool:
    """A device, a named pipe or a socket: something to write to, not a file to replace."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False  # not there yet (or unreadable): created, as any report
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)
