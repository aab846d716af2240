"""Scan log text through the real log source, in process, and read back what it found; the
compressions a log may come in."""

from __future__ import annotations

import bz2
import gzip
import lzma
from collections.abc import Callable
from pathlib import Path

import zstandard

from pdscan.model import LogRecord
from pdscan.policy import load_policy
from pdscan.sources.discovery import LogInput, log_identity
from pdscan.sources.logs.source import LogScan, LogScanOptions, scan_logs

POLICY = load_policy()
COMPRESSORS: dict[str, Callable[[bytes], bytes]] = {
    "gz": gzip.compress,
    "bz2": bz2.compress,
    "xz": lzma.compress,
    "zst": lambda data: zstandard.ZstdCompressor().compress(data),
}


def category(data_type: str) -> str:
    found = POLICY.category_for(data_type)
    return found.id if found else "not_in_policy"


def scan_paths(*paths: Path, keep_records: bool = True, **options: object) -> tuple[LogScan, list[LogRecord]]:
    """Scan files with --show-data semantics unless told otherwise; every record kept, or none
    (only counted, as the JSON report needs: positional logs are then read by distinct values)."""
    records: list[LogRecord] = []
    settings = {"show_data": True, **options}
    scan = scan_logs(
        [LogInput(path, log_identity(str(path))) for path in paths],
        LogScanOptions(**settings),  # type: ignore[arg-type]
        on_record=records.append if keep_records else None,
    )
    return scan, records


def found_in(tmp_path: Path, text: str, name: str = "app.log", **options: object) -> set[tuple[str | None, str, str]]:
    """(field, category, value) of every value found in `text` written as a log file."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    _, records = scan_paths(path, **options)
    return {(record.field, category(record.data_type), record.value) for record in records}
