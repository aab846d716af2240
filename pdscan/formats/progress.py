"""The progress bar of a log scan on a terminal: bytes read, MB/s, time left, and on a Dask
cluster the tasks finished. On stderr only."""

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
        self.tasks_total: int | None = None
        self.tasks_done = 0
        if enabled:
            self._progress = Progress(
                TextColumn("reading logs"),
                BarColumn(),
                DownloadColumn(),
                TransferSpeedColumn(),
                TimeRemainingColumn(),
                TextColumn("{task.fields[tasks]}"),
                console=Console(stderr=True),
                transient=True,
            )

    def __enter__(self) -> ScanProgressBar:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.stop()

    def plan(self, total: int, tasks: int | None = None) -> None:
        self.bytes_total += total
        self.tasks_total = tasks

    def start(self) -> None:
        if self._progress is not None:
            self._progress.start()
            self._task = self._progress.add_task("logs", total=self.bytes_total or None, tasks=self._tasks_text())

    def advance(self, done: int, tasks_done: int = 0) -> None:
        self.bytes_done += done
        self.tasks_done = tasks_done
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, advance=done, tasks=self._tasks_text())

    def _tasks_text(self) -> str:
        """`12/40 tasks` on a cluster, where a task is the unit of retry; nothing on one machine."""
        return "" if self.tasks_total is None else f"{self.tasks_done:,}/{self.tasks_total:,} tasks"
