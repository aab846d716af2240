"""One scan, start to finish: sources -> detection -> audit -> a Report.

The CLI only gathers options and prints; everything a scan decides happens here or in the
stages it calls, so tests and other front ends get the same answer. What each kind of source
reads and finds is its own (pdscan/sources/interface.py); here they are run in turn and merged.
"""

from __future__ import annotations

import datetime
import hashlib
import heapq
import importlib.resources
from collections.abc import Callable, Sequence
from operator import attrgetter
from pathlib import Path

from pdscan import __version__
from pdscan.audit import audit
from pdscan.declarations import DataMap, Declarations
from pdscan.detect.names import NameClassifier
from pdscan.detect.values import ValueDetector
from pdscan.model import DataMapRef, Finding, LogRecord, Report, Skipped, SourceSummary, Table
from pdscan.policy import Policy
from pdscan.request import ScanRequest
from pdscan.sources.database.source import DatabaseHooks
from pdscan.sources.discovery import discover_sources
from pdscan.sources.interface import ScanContext
from pdscan.sources.logs.source import Progress

# 1.8: per source `sample`; 1.7: per finding `silenced_warnings`; 1.6: per source `notes`; 1.5: per source
# `encoding`; 1.4: `baseline`, `changed_since`, per finding `baseline_state` and `ignored_in`; 1.3: `data_map` and
# `show_data`; the changelog is docs/report.md
REPORT_SCHEMA_VERSION = "1.8.0"
RULE_FILES = ("taxonomy.yaml", "datatypes.yaml", "logs.yaml")


def run_scan(
    request: ScanRequest,
    policy: Policy,
    data_map: DataMap | None,
    classifier: NameClassifier,
    on_skip: Callable[[Skipped], None] = lambda skipped: None,
    on_record: Callable[[LogRecord], None] | None = None,
    progress: Progress | None = None,
    database_hooks: DatabaseHooks | None = None,
    on_note: Callable[[str], None] = lambda note: None,
) -> Report:
    """Scan every target; a source that cannot be read becomes a Skipped, never an abort.

    `on_record` receives every value found in a log as it is read (for streaming formats);
    `on_note` a line for the user about how the logs are scanned (the Dask dashboard link).
    """
    hooks = database_hooks or DatabaseHooks()
    values = ValueDetector(classifier.rules.value_detectors)
    discovered = discover_sources(request, hooks.prompt)
    for item in discovered.skipped:
        on_skip(item)
    for path, report_format in discovered.own_reports:
        on_note(f"left out {path}: pdscan's own report ({report_format}); name it to scan it")
    context = ScanContext(request, policy, classifier, values, on_skip, on_note, on_record, progress, hooks)
    summaries: list[SourceSummary] = []
    skipped: list[Skipped] = list(discovered.skipped)
    tables: list[Table] = []
    found: list[Sequence[Finding]] = []
    for source in discovered.sources:
        result = source.scan(context)
        summaries.extend(result.summaries)
        skipped.extend(result.skipped)
        tables.extend(result.tables)
        found.append(result.findings)
    # Each source's findings are in the report's order: merged, they need no sort (nor its keys' memory).
    findings = found[0] if len(found) == 1 else list(heapq.merge(*found, key=attrgetter("order")))
    declarations = Declarations.build(data_map, tables, policy)
    verdicts = audit(findings, policy, declarations)
    return Report(
        schema_version=REPORT_SCHEMA_VERSION,
        tool_version=__version__,
        rules_version=rules_version(classifier.rules.extended_by),
        generated_at=datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        policy=policy.ref,
        sources=tuple(summaries),
        skipped=tuple(skipped),
        verdicts=verdicts,
        stale_declarations=declarations.stale(tables, [verdict.finding for verdict in verdicts]),
        fail_on=request.fail_on,
        data_map=_data_map_ref(data_map),
        show_data=request.show_data,
    )


def _data_map_ref(data_map: DataMap | None) -> DataMapRef | None:
    if data_map is None:
        return None
    return DataMapRef(data_map.path, hashlib.sha256(Path(data_map.path).read_bytes()).hexdigest())


def rules_version(user_rules_digest: str = "") -> str:
    """Version plus a digest of the bundled rule files (and of the user's, `--rules`), so a
    report names the exact rules."""
    digest = hashlib.sha256()
    rules = importlib.resources.files("pdscan.rules")
    for name in RULE_FILES:
        digest.update((rules / name).read_bytes())
    version = f"{__version__}+{digest.hexdigest()[:12]}"
    return f"{version}.user-{user_rules_digest}" if user_rules_digest else version
