"""What every source gives the scan, whatever it reads: DDL and ORM schema files, a SQLite file,
a database server, logs.

Discovery (`discovery.discover_sources`) turns the targets into sources; the scanner hands each
the same `ScanContext` and merges what they return. A source knows its own kind: how to read it,
what to tell the user while it does, and how its columns or fields become findings. The scanner
knows none of that, only that findings come back in the report's order (`Finding.order`), so
merging them never needs a sort.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from pdscan.model import Finding, Skipped, SourceSummary, Table

if TYPE_CHECKING:
    from pdscan.detect.names import NameClassifier
    from pdscan.detect.values import ValueDetector
    from pdscan.model import LogRecord
    from pdscan.policy import Policy
    from pdscan.request import ScanRequest
    from pdscan.sources.database.source import DatabaseHooks
    from pdscan.sources.logs.source import Progress


@dataclass(frozen=True)
class ScanContext:
    """The request, the rules every source judges by, and the front end's ears."""

    request: ScanRequest
    policy: Policy
    classifier: NameClassifier
    values: ValueDetector  # the value rules sampled database values meet (built once per scan)
    on_skip: Callable[[Skipped], None]  # told of each Skipped as it happens
    on_note: Callable[[str], None]  # a line for the user about how logs are scanned (the Dask dashboard)
    on_record: Callable[[LogRecord], None] | None  # every value a log holds, as it is read (ndjson)
    progress: Progress | None  # how far the logs are read
    database: DatabaseHooks  # password prompt, notes and table progress of database scans


@dataclass(frozen=True)
class SourceResult:
    """What one source yielded. Each Skipped here was told to `on_skip` already."""

    summaries: tuple[SourceSummary, ...]
    skipped: tuple[Skipped, ...]
    tables: tuple[Table, ...]  # the schema the data map's declarations address (none for logs)
    findings: tuple[Finding, ...]  # in `Finding.order`


class Source(Protocol):
    def scan(self, context: ScanContext) -> SourceResult:
        """Read the source; whatever cannot be read is a Skipped, never an abort."""
        ...
