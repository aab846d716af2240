"""Where CI tools point for a finding: a file relative to the repository, and a line.

Code scanning and workflow annotations resolve paths against the repository root, so pdscan
is run from there and paths are given relative to the current folder. A column points at the
line that (last) defined it; a log value at the file and line where it was first seen; a live
database has no file. Shared by the SARIF and GitHub formats so both point at the same line.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from pdscan.audit import fails, stale_declarations_fail
from pdscan.model import BaselineEntry, Report, Skipped, SourceKind, StaleDeclaration, Verdict, VerdictKind


@dataclass(frozen=True)
class CodeLocation:
    path: str  # `/`-separated, relative to the current folder when inside it; or a storage URL
    line: int | None


def verdict_location(verdict: Verdict) -> CodeLocation | None:
    location = verdict.finding.location
    if location.kind is SourceKind.DATABASE or location.source.startswith("<"):
        return None
    if location.kind is SourceKind.LOG:
        first = verdict.finding.occurrences.first if verdict.finding.occurrences else ""
        path, line = _split_line(first)
        return CodeLocation(_display(path or location.source), line)
    line = location.line if location.kind is SourceKind.DDL else None
    return CodeLocation(_display(location.source), line)


def declaration_location(stale: StaleDeclaration) -> CodeLocation:
    return written_location(stale.declared_in)


def written_location(written_in: str) -> CodeLocation:
    """Where a declaration, ignore or silence was written (`pdscan.yml:40`)."""
    path, line = _split_line(written_in)
    return CodeLocation(_display(path), line)


def baseline_location(report: Report, entry: BaselineEntry) -> CodeLocation | None:
    if report.baseline is None:
        return None
    return CodeLocation(_display(report.baseline.path), entry.line)


def skipped_location(skipped: Skipped) -> CodeLocation | None:
    if skipped.source.startswith("<") or "://" in skipped.source:
        return None
    return CodeLocation(_display(skipped.source), skipped.line)


def failing(report: Report, verdict: Verdict) -> bool:
    """Whether this verdict makes the scan exit 1 (audit.py decides; this only reads --fail-on)."""
    return report.fail_on != "never" and fails(verdict, VerdictKind(report.fail_on))


def stale_fails(report: Report) -> bool:
    """Whether the report's stale declarations make the scan exit 1."""
    return report.fail_on != "never" and stale_declarations_fail(VerdictKind(report.fail_on))


def place_name(verdict: Verdict) -> str:
    """`users.phone`, or `logs/app.jsonl` field `card` / (free text): how messages name a place."""
    location = verdict.finding.location
    if location.kind is SourceKind.LOG:
        return f"{location.source} " + (f"field {location.column}" if location.column else "(free text)")
    return location.place or location.source


def _split_line(text: str) -> tuple[str, int | None]:
    """`path:12` -> (`path`, 12); a path without a line number stays whole."""
    path, colon, number = text.rpartition(":")
    if colon and number.isdigit() and path:
        return path, int(number)
    return text, None


def _display(path: str) -> str:
    if "://" in path:  # an object in remote storage: its URL, as the report names it
        return path
    relative = os.path.relpath(os.path.abspath(path)) if os.path.isabs(path) else os.path.normpath(path)
    if relative.startswith(".."):
        return Path(os.path.abspath(path)).as_posix()
    return Path(relative).as_posix()
