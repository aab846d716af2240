"""The progress of a log scan moves as a large file is read, piece by piece, with one process
and with several: a 12 MB log no longer shows `0.0/11.9 MB` until its very end.

The scan is the real one (`scan_logs`, its executor, the terminal bar's own counting, not shown);
what is checked is the order of what the bar was told, never how long anything took."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from pdscan.formats.progress import ScanProgressBar
from pdscan.sources.discovery import LogInput, log_identity
from pdscan.sources.logs.reader import BLOCK
from pdscan.sources.logs.source import RANGE, LogScanOptions, scan_logs

QUIET_LINE = "2026-12-07T10:00:{second:02d}Z INFO worker-{n} finished job {n} in {ms} ms\n"
HOLDING_LINE = "2026-12-07T10:00:00Z WARN password reset asked by user{n}@example.com from 192.0.2.{host}\n"
HOLDING_EVERY = 500  # one line in this many holds personal data: the log reads fast and holds some


class RecordedBar(ScanProgressBar):
    """The terminal bar, not shown, keeping how far it was at each report."""

    def __init__(self) -> None:
        super().__init__(enabled=False)
        self.reports: list[int] = []

    def advance(self, done: int, tasks_done: int = 0) -> None:
        super().advance(done, tasks_done)
        self.reports.append(self.bytes_done)


def app_log(path: Path, size: int) -> Path:
    """An application log of about `size` bytes; one line in HOLDING_EVERY holds an e-mail and an IP."""
    lines = [
        HOLDING_LINE.format(n=n, host=n % 250 + 1)
        if n % HOLDING_EVERY == 0
        else QUIET_LINE.format(second=n % 60, n=n, ms=n % 997)
        for n in range(10_000)
    ]
    chunk = "".join(lines).encode()
    with path.open("wb") as log:
        for _ in range(size // len(chunk) + 1):
            log.write(chunk)
    return path


@pytest.fixture(scope="module")
def twelve_mb_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    log = app_log(tmp_path_factory.mktemp("progress") / "app.log", 12_000_000)
    assert log.stat().st_size < 2 * RANGE  # one unit with one process; two processes share it as two ranges
    return log


def scanned(log: Path, jobs: int) -> RecordedBar:
    bar = RecordedBar()
    scan = scan_logs([LogInput(log, log_identity(str(log)))], LogScanOptions(jobs=jobs), progress=bar)
    assert scan.summaries[0].status == "scanned" and scan.fields  # the log was read and held data
    return bar


@pytest.mark.parametrize("jobs", [1, 2])
def test_progress_moves_while_one_large_file_is_read(twelve_mb_log: Path, jobs: int) -> None:
    size = twelve_mb_log.stat().st_size
    bar = scanned(twelve_mb_log, jobs)
    assert bar.bytes_total == size
    assert bar.reports[-1] == size  # the bar ends full, never beyond
    assert bar.reports == sorted(bar.reports)
    before_the_end = [done for done in bar.reports if 0 < done < size]
    assert len(before_the_end) >= size // BLOCK - 1, bar.reports  # about one report per block read


def test_progress_moves_per_range_when_workers_share_a_file(tmp_path: Path) -> None:
    log = app_log(tmp_path / "app.log", 3 * RANGE)
    size = log.stat().st_size
    bar = scanned(log, jobs=2)
    assert bar.reports[-1] == size == bar.bytes_total
    assert bar.reports == sorted(bar.reports)
    assert len([done for done in bar.reports if 0 < done < size]) >= 2, bar.reports  # each range as it comes back


def test_progress_through_a_compressed_log_counts_its_bytes_on_disk(twelve_mb_log: Path, tmp_path: Path) -> None:
    """A `.gz` is one piece of work however big: the bar moves by the compressed bytes read so
    far, the size it was planned with, and ends exactly full."""
    compressed = tmp_path / "app.log.gz"
    compressed.write_bytes(gzip.compress(twelve_mb_log.read_bytes(), compresslevel=1))
    size = compressed.stat().st_size
    bar = scanned(compressed, jobs=1)
    assert bar.bytes_total == size and bar.reports[-1] == size
    assert bar.reports == sorted(bar.reports)
    assert len([done for done in bar.reports if 0 < done < size]) >= 2, bar.reports  # 12 MB of log: 3 blocks
