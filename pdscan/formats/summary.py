"""What every format shows the same way: the order of findings, counts per category, per
verdict and of what fails, the warnings that remain and those silenced.

Counting only: which verdict a finding has and whether it fails are decided in audit.py.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from itertools import pairwise

from pdscan.audit import fails, report_fails
from pdscan.model import Report, SilencedWarning, Verdict, VerdictKind

UNCATEGORISED = "(not in policy)"


@dataclass(frozen=True)
class Summary:
    total: int
    by_category: dict[str, int]  # category id -> findings; UNCATEGORISED for data no category covers
    by_verdict: dict[str, int]  # verdict kind -> findings, in severity order, kinds present only
    failing: int  # findings at or above --fail-on
    fails: bool  # the scan exits 1: a finding or a stale declaration is at or above --fail-on
    partial: bool  # something was skipped
    nothing_scanned: bool  # every source was skipped: the report says nothing about personal data
    warnings: dict[str, int]  # warning id -> findings carrying it (ignored findings left out); never fails
    silenced: int  # warnings a `silence:` entry covers (ignored findings left out)


def summarise(report: Report) -> Summary:
    fail_on = None if report.fail_on == "never" else VerdictKind(report.fail_on)
    by_category = Counter(v.finding.category or UNCATEGORISED for v in report.verdicts)
    by_verdict = Counter(v.kind for v in report.verdicts)
    by_warning = Counter(warning for _, warning in warned(report.verdicts))
    return Summary(
        total=len(report.verdicts),
        by_category=dict(sorted(by_category.items())),
        by_verdict={kind.value: by_verdict[kind] for kind in VerdictKind if by_verdict[kind]},
        failing=0 if fail_on is None else sum(1 for v in report.verdicts if fails(v, fail_on)),
        fails=fail_on is not None and report_fails(report, fail_on),
        partial=bool(report.skipped),
        nothing_scanned=nothing_scanned(report),
        warnings=dict(sorted(by_warning.items())),
        silenced=len(silenced(report.verdicts)),
    )


def nothing_scanned(report: Report) -> bool:
    """Every source given was skipped (a server down, a wrong password, a bucket that cannot be
    listed, only unreadable files): the scan read nothing, so it found nothing and fixes nothing."""
    if not report.sources:
        return bool(report.skipped)
    return all(source.status == "skipped" for source in report.sources)


def warned(verdicts: tuple[Verdict, ...]) -> list[tuple[Verdict, str]]:
    """Each warning with its finding, in place order: what CI outputs flag besides verdicts. An
    ignored finding's warnings are left out: the ignore and its reason cover the place."""
    warning_places = tuple(v for v in verdicts if v.warnings and v.kind is not VerdictKind.IGNORED)
    return [(v, warning) for v in in_place_order(warning_places) for warning in v.warnings]


def silenced(verdicts: tuple[Verdict, ...]) -> list[tuple[Verdict, SilencedWarning]]:
    """Each silenced warning with its finding, in place order: shown with its reason where
    `warned` ones are (an ignored finding's are left out, as its warnings are)."""
    places = tuple(v for v in verdicts if v.silenced_warnings and v.kind is not VerdictKind.IGNORED)
    return [(v, silence) for v in in_place_order(places) for silence in v.silenced_warnings]


def in_place_order(verdicts: tuple[Verdict, ...]) -> list[Verdict]:
    """By database, table, column (case-insensitively, as people read them), then data type.
    Verdicts come from audit.py nearly in this order: when they are in it already, no key is
    made for each of them (600,000 sort keys took more than 100 MB)."""
    if all(_place(first) <= _place(second) for first, second in pairwise(verdicts)):
        return list(verdicts)
    return sorted(verdicts, key=_place)


def _place(verdict: Verdict) -> tuple[str, str, str, str, str, str]:
    location = verdict.finding.location
    table, column = location.table or "", location.column or ""
    database = location.database or location.source
    return (database, table.lower(), column.lower(), verdict.finding.data_type, table, column)
