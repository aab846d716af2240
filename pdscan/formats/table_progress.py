"""The progress display of a database scan on a terminal: tables done of all, and a line per
table being sampled right now. On stderr only; worker threads report into it."""

from __future__ import annotations

import threading

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn


class TableProgressBar:
    """Shown only when enabled (a terminal, not CI, not --quiet); otherwise does nothing."""

    def __init__(self, enabled: bool) -> None:
        self._progress: Progress | None = None
        self._overall: TaskID | None = None
        self._running: dict[str, TaskID] = {}
        self._lock = threading.Lock()
        self.tables_total = 0  # counted even when not shown: an interrupted scan says how far it got
        self.tables_done = 0
        if enabled:
            self._progress = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=True,
            )

    def __enter__(self) -> TableProgressBar:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._progress is not None and self._overall is not None:
            self._progress.stop()

    def start_tables(self, source: str, total: int) -> None:
        self.tables_total += total
        if self._progress is None:
            return
        with self._lock:
            if self._overall is None:
                self._progress.start()
            else:
                self._progress.remove_task(self._overall)
            self._overall = self._progress.add_task(f"sampling {source}", total=total or None)

    def table_started(self, table: str) -> None:
        if self._progress is None:
            return
        with self._lock:
            self._running[table] = self._progress.add_task(f"  {table}", total=None)

    def table_done(self, table: str) -> None:
        with self._lock:
            self.tables_done += 1
        if self._progress is None:
            return
        with self._lock:
            task = self._running.pop(table, None)
            if task is not None:
                self._progress.remove_task(task)
            if self._overall is not None:
                self._progress.advance(self._overall, 1)
