"""Counts every format shows the same way: per category, per verdict, and what fails."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from pdscan.audit import report_fails
from pdscan.model import Report, VerdictKind

UNCATEGORISED = "(not in policy)"


@dataclass(frozen=True)
class Summary:
    total: int
    by_category: dict[str, int]
    by_verdict: dict[str, int]
    failing: int
    fails: bool
    partial: bool


def summarise(report: Report) -> Summary:
    fail_on = VerdictKind(report.fail_on) if report.fail_on != "never" else None
    by_category = Counter(v.finding.category or UNCATEGORISED for v in report.verdicts)
    by_verdict = Counter(v.kind.value for v in report.verdicts)
    failing = (
        0
        if fail_on is None
        else sum(
            1 for v in report.verdicts if v.kind is not VerdictKind.IGNORED and v.kind.severity >= fail_on.severity
        )
    )
    return Summary(
        total=len(report.verdicts),
        by_category=dict(sorted(by_category.items())),
        by_verdict={kind.value: by_verdict[kind.value] for kind in VerdictKind if by_verdict[kind.value]},
        failing=failing,
        fails=fail_on is not None and report_fails(report, fail_on),
        partial=bool(report.skipped),
    )
