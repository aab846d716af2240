"""The one place verdicts are decided: each finding held against the policy and declarations.

Order (DESIGN §3): ignored, not_in_policy, no_policy_purpose, undeclared,
purpose_not_permitted, ok. Formats only present what is decided here.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import replace

from pdscan.declarations import Declarations
from pdscan.model import Finding, Report, Verdict, VerdictKind
from pdscan.policy import Category, Policy, load_taxonomy


def audit(findings: Sequence[Finding], policy: Policy, declarations: Declarations) -> tuple[Verdict, ...]:
    taxonomy = load_taxonomy()
    verdicts = []
    for finding in findings:
        declared = declarations.for_location(finding.location)
        if declared.category_override is not None:
            finding = replace(finding, category=declared.category_override)
        category = policy.category(finding.category) if finding.category else None
        kind, explanation = _judge(finding, category, declared.purposes, taxonomy)
        verdicts.append(
            Verdict(
                finding=finding,
                kind=kind,
                declared_purposes=declared.purposes,
                permitted_purposes=category.purposes if category else (),
                explanation=explanation,
                fingerprint=fingerprint(finding),
                clause=category.clause if category else None,
                declared_in=declared.declared_in,
            )
        )
    return tuple(sorted(verdicts, key=_order))


def fingerprint(finding: Finding) -> str:
    """Stable identity of a finding: where and what, never a line number or a time."""
    location = finding.location
    identity = "\x1f".join(
        (
            location.database or location.source,
            location.table or "",
            location.column or "",
            finding.category or finding.data_type,
        )
    )
    return hashlib.sha256(identity.encode("utf-8")).hexdigest()[:16]


def fails(verdict: Verdict, fail_on: VerdictKind) -> bool:
    """Whether a verdict is at or above the --fail-on threshold (ignored never fails)."""
    return verdict.kind is not VerdictKind.IGNORED and verdict.kind.severity >= fail_on.severity


def report_fails(report: Report, fail_on: VerdictKind) -> bool:
    stale_fails = bool(report.stale_declarations) and VerdictKind.STALE_DECLARATION.severity >= fail_on.severity
    return stale_fails or any(fails(verdict, fail_on) for verdict in report.verdicts)


def _judge(
    finding: Finding, category: Category | None, declared: tuple[str, ...], taxonomy: dict[str, str]
) -> tuple[VerdictKind, str]:
    place = f"`{finding.location.place}`"
    if category is None:
        what = taxonomy.get(finding.data_type, finding.data_type)
        return VerdictKind.NOT_IN_POLICY, (
            f"{place} holds {what.lower()} ({finding.data_type}), which no category of the policy "
            "covers: the policy never says this data is collected"
        )
    held = f"{place} holds {category.title_en.lower()} ({category.clause})"
    if not category.purposes:
        return VerdictKind.NO_POLICY_PURPOSE, (
            f"{held}, but the policy names no purpose for it: nothing can be declared that it permits"
        )
    permitted = ", ".join(category.purposes)
    if not declared:
        return VerdictKind.UNDECLARED, (f"{held} but no purpose is declared for it; the policy permits: {permitted}")
    refused = [purpose for purpose in declared if purpose not in category.purposes]
    if refused:
        return VerdictKind.PURPOSE_NOT_PERMITTED, (
            f"{held}, declared for {', '.join(refused)}, which {category.clause} does not permit; "
            f"it permits: {permitted}"
        )
    return VerdictKind.OK, f"{held} for {', '.join(declared)}, as {category.clause} permits"


def _order(verdict: Verdict) -> tuple[str, str, str, str]:
    location = verdict.finding.location
    return (
        location.database or location.source,
        (location.table or "").lower(),
        (location.column or "").lower(),
        verdict.finding.data_type,
    )
