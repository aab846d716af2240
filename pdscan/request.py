"""What a scan is asked to do: the targets and every setting that changes what is read or found.

Its own module so that the sources can read it without importing the scanner that drives them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pdscan.model import VerdictKind
from pdscan.sources.logs.execution.interface import LOCAL


@dataclass(frozen=True)
class ScanRequest:
    """What to scan and how; frozen so a report can record exactly what produced it."""

    targets: tuple[str, ...]
    rules_files: tuple[Path, ...] = ()  # the user's rules (--rules), added to the bundled ones
    dialect: str | None = None
    schema_format: str | None = None  # None: told from each file's name and content
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    fail_on: str = VerdictKind.UNDECLARED.value  # a verdict kind, or "never"
    jobs: int = 1  # 0: the default of each source (a process per core for logs, DEFAULT_TABLE_JOBS tables)
    log_format: str | None = None  # None: detected per file
    text_engine: str | None = None  # None: the fastest that loads
    log_sample: int | None = None  # --log-sample: bytes read of each larger log (None: every log whole)
    engine: str = LOCAL  # where logs are scanned: "local" or "dask" (databases are always read here)
    scheduler: str | None = None  # --engine dask: a running cluster's scheduler; None: a local cluster
    show_data: bool = False
    sample_size: int = 1000  # rows sampled per database table
    schema_only: bool = False  # databases: the catalog only, no row is read
    statement_timeout: float = 30.0  # seconds, per database statement
    table_timeout: float = 120.0  # seconds, per database table
