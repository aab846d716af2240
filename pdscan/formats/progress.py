"""The progress bar of a log scan on a terminal: bytes read, MB/s, time left. On stderr only."""

from __future__ import annotations

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)


class ScanProgressBar:
    """Shown only when enabled (a terminal, not CI, not --quiet); otherwise does nothing."""

    def __init__(self, enabled: bool) -> None:
        self._progress: Progress | None = None
        self._task: TaskID | None = None
        self.bytes_total = 0  # counted even when not shown: an interrupted scan says how far it got
        self.bytes_done = 0
        if enabled:
            self._progress = Progress(
                TextColumn("reading logs"),
                BarColumn(),
                DownloadColumn(),
                TransferSpeedColumn(),
                TimeRemainingColumn(),
                console=Console(stderr=True),
                transient=True,
            )

    def __enter__(self) -> ScanProgressBar:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.stop()

    def start(self, total: int) -> None:
        self.bytes_total += total
        if self._progress is not None:
            self._progress.start()
            self._task = self._progress.add_task("logs", total=total or None)

    def advance(self, done: int) -> None:
        self.bytes_done += done
        if self._progress is not None and self._task is not None:
            self._progress.advance(self._task, done)
