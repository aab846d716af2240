"""Fingerprints and baselines: today's findings accepted, so CI fails only on new ones.

A finding is keyed on what it is — the schema or log it is in, its table and column (or field),
its category — never on a line number or a time (detect-secrets keys its baseline the same
way), so moving a column, reordering a CREATE TABLE or scanning again does not churn the file.
Sources are named relative to the baseline file's folder, so the baseline matches whatever
folder pdscan runs from. The file is sorted, indented JSON without timestamps, written
atomically: it diffs cleanly in review.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pdscan.model import (
    BaselineCheck,
    BaselineEntry,
    BaselineState,
    Finding,
    Location,
    Report,
    SourceKind,
    SourceSummary,
    Verdict,
    VerdictKind,
)
from pdscan.output_files import write_atomically
from pdscan.ruleset.yaml_lines import read_user_bytes
from pdscan.sources.discovery import log_identity
from pdscan.visible import json_text

BASELINE_NAME = ".pdscan-baseline.json"
BASELINE_VERSION = 1
# What a baseline accepts: every verdict that is a problem (ok and ignored need no acceptance).
ACCEPTED = frozenset(kind for kind in VerdictKind if kind.severity >= VerdictKind.UNDECLARED.severity)
ENTRY_KEYS = ("fingerprint", "source", "table", "column", "category", "verdict")


class BaselineError(Exception):
    """A baseline file that cannot be read or written: one line saying which and why (exit 2)."""


@dataclass(frozen=True)
class Baseline:
    path: Path
    entries: tuple[BaselineEntry, ...]


def fingerprint(finding: Finding, base: Path | None = None) -> str:
    """Stable identity of a finding: where and what, never a line number or a time.

    Table and column compare case-insensitively, as the schema replay does.
    """
    location = finding.location
    identity = "\x1f".join(
        (
            source_identity(location, base),
            (location.table or "").lower(),
            (location.column or "").lower(),
            finding.category or finding.data_type,
        )
    )
    return hashlib.sha256(identity.encode("utf-8")).hexdigest()[:16]


def source_identity(location: Location, base: Path | None = None) -> str:
    """The schema or log a finding is in, as a path relative to `base` (default: the current
    folder) with `/` separators; database URLs and standard input as they are."""
    identity = location.database or location.source
    if "://" in identity or identity.startswith("<"):
        return identity
    return _relative(identity, base)


def load_baseline(path: Path) -> Baseline:
    """Read a baseline file; any problem is one BaselineError naming the file."""
    try:
        text = read_user_bytes(path).decode("utf-8")
    except FileNotFoundError:
        raise BaselineError(f"{path}: no such baseline file (create it with `pdscan baseline`)") from None
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        raise BaselineError(f"{path}: cannot read the baseline: {reason}") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise BaselineError(
            f"{path}:{error.lineno}:{error.colno}: not a pdscan baseline (invalid JSON: {error.msg}); "
            "write it again with `pdscan baseline`"
        ) from None
    except RecursionError:  # json's decoder recurses once per nested array or object
        raise BaselineError(
            f"{path}: not a pdscan baseline (JSON nested too deeply); write it again with `pdscan baseline`"
        ) from None
    entries = _entries(document, path)
    lines = text.splitlines()
    return Baseline(path, tuple(replace(entry, line=_line_of(entry.fingerprint, lines)) for entry in entries))


def baseline_entries(report: Report, base: Path) -> tuple[BaselineEntry, ...]:
    """Every problem of the report as an entry, sources relative to `base`; one entry per
    fingerprint (two data types of one category at one place are one entry, at the worse verdict)."""
    entries: dict[str, BaselineEntry] = {}
    for verdict in report.verdicts:
        if verdict.kind not in ACCEPTED:
            continue
        finding = verdict.finding
        entry = BaselineEntry(
            fingerprint=fingerprint(finding, base),
            source=source_identity(finding.location, base),
            table=finding.location.table,
            column=finding.location.column,
            category=finding.category or finding.data_type,
            verdict=verdict.kind,
        )
        known = entries.get(entry.fingerprint)
        if known is None or entry.verdict.severity > known.verdict.severity:
            entries[entry.fingerprint] = entry
    return tuple(sorted(entries.values(), key=_entry_order))


BASELINE_ABOUT = "Findings accepted by `pdscan baseline`; `pdscan scan --baseline` fails only on others."


def baseline_text(entries: Iterable[BaselineEntry]) -> str:
    """The file's bytes: the same entries always give the same text, whatever their order."""
    document = {
        "version": BASELINE_VERSION,
        "about": BASELINE_ABOUT,
        "entries": [
            {
                "fingerprint": entry.fingerprint,
                "source": entry.source,
                "table": entry.table,
                "column": entry.column,
                "category": entry.category,
                "verdict": entry.verdict.value,
            }
            for entry in sorted(entries, key=_entry_order)
        ],
    }
    return json_text(document, indent=2) + "\n"


def write_baseline(path: Path, entries: Iterable[BaselineEntry]) -> None:
    """Write atomically (never half a baseline for CI to read)."""
    try:
        write_atomically(path, baseline_text(entries))
    except OSError as error:
        raise BaselineError(f"{path}: cannot write the baseline: {error.strerror or error}") from None


def compare(report: Report, baseline: Baseline) -> Report:
    """Mark each verdict `new` or `unchanged` and list the entries that match nothing any more.

    A finding is unchanged when an entry has its fingerprint and the verdict then was at least as
    severe as now: a place accepted as undeclared that is now declared for a purpose the policy
    does not permit is new again. An entry is stale when its source was scanned and none of its
    findings is there; entries of sources not scanned this time are left alone.
    """
    base = baseline.path.parent
    accepted = {entry.fingerprint: entry for entry in baseline.entries}
    verdicts = []
    present: set[str] = set()
    for verdict in report.verdicts:
        key = fingerprint(verdict.finding, base)
        present.add(key)
        verdicts.append(replace(verdict, baseline_state=_state(verdict, accepted.get(key))))
    scanned = {_scanned_identity(source, base) for source in report.sources if source.status != "skipped"}
    stale = tuple(entry for entry in baseline.entries if entry.fingerprint not in present and entry.source in scanned)
    return replace(
        report,
        verdicts=tuple(verdicts),
        baseline=BaselineCheck(str(baseline.path), len(baseline.entries), stale),
    )


def _state(verdict: Verdict, entry: BaselineEntry | None) -> BaselineState:
    if entry is not None and verdict.kind.severity <= entry.verdict.severity:
        return BaselineState.UNCHANGED
    return BaselineState.NEW


def _scanned_identity(source: SourceSummary, base: Path) -> str:
    """A scanned source named as findings name it: a rotated log copy as its log."""
    name = log_identity(source.source) if source.kind is SourceKind.LOG else source.source
    return source_identity(Location(name, source.kind), base)


def _relative(path: str, base: Path | None) -> str:
    start = os.path.abspath(base if base is not None else os.curdir)
    try:
        return Path(os.path.relpath(os.path.abspath(path), start)).as_posix()
    except ValueError:  # another drive (Windows): nothing relative to say
        return Path(os.path.abspath(path)).as_posix()


def _entries(document: Any, path: Path) -> list[BaselineEntry]:
    if not isinstance(document, dict) or not isinstance(document.get("entries"), list):
        raise BaselineError(f"{path}: not a pdscan baseline (no 'entries' list); write it again with `pdscan baseline`")
    if document.get("version") != BASELINE_VERSION:
        raise BaselineError(
            f"{path}: baseline version {document.get('version')!r} is not one this pdscan reads "
            f"({BASELINE_VERSION}); write it again with `pdscan baseline`"
        )
    entries = []
    for number, item in enumerate(document["entries"], start=1):
        problem = _entry_problem(item)
        if problem:
            raise BaselineError(f"{path}: entry {number} {problem}; write the baseline again with `pdscan baseline`")
        entries.append(
            BaselineEntry(
                item["fingerprint"],
                item["source"],
                item["table"],
                item["column"],
                item["category"],
                VerdictKind(item["verdict"]),
            )
        )
    return entries


def _entry_problem(item: Any) -> str | None:
    if not isinstance(item, dict):
        return "is not an object"
    missing = [key for key in ENTRY_KEYS if key not in item]
    if missing:
        return f"lacks {', '.join(missing)}"
    for key in ("fingerprint", "source", "category", "verdict"):
        if not isinstance(item[key], str) or not item[key]:
            return f"has no text in '{key}'"
    for key in ("table", "column"):
        if item[key] is not None and not isinstance(item[key], str):
            return f"has a '{key}' that is neither text nor null"
    if item["verdict"] not in {kind.value for kind in ACCEPTED}:
        return f"has the verdict '{item['verdict']}', which a baseline does not accept"
    return None


def _line_of(fingerprint_text: str, lines: list[str]) -> int | None:
    needle = json.dumps(fingerprint_text)
    for number, line in enumerate(lines, start=1):
        if needle in line:
            return number
    return None


def _entry_order(entry: BaselineEntry) -> tuple[str, str, str, str, str]:
    return (entry.source, (entry.table or "").lower(), (entry.column or "").lower(), entry.category, entry.fingerprint)
