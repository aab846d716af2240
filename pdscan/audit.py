"""The one place verdicts are decided: each finding held against the policy and declarations.

Order (docs/architecture.md, "Categories and verdicts"): ignored, not_in_policy,
no_policy_purpose, undeclared, purpose_not_permitted, ok. Formats only present what is decided here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from itertools import pairwise

from pdscan.baseline import fingerprint
from pdscan.declarations import Declarations, DeclaredPlace
from pdscan.model import PLAINTEXT_SENSITIVE, BaselineState, Finding, Report, SourceKind, Verdict, VerdictKind
from pdscan.policy import Category, Policy
from pdscan.ruleset.log_rules import LogRules, bundled_log_rules

WARNING_EXPLANATIONS = {PLAINTEXT_SENSITIVE: "readable in clear text; the policy promises encryption (§1a)"}


def audit(findings: Sequence[Finding], policy: Policy, declarations: Declarations) -> tuple[Verdict, ...]:
    """One verdict per finding, sorted by database, table, column and data type."""
    log_rules = bundled_log_rules()
    verdicts = []
    for finding in findings:
        declared = declarations.for_location(finding.location, finding.category)
        if declared.category_override is not None:
            finding = replace(finding, category=declared.category_override)
        category = policy.category(finding.category) if finding.category else None
        kind = _judge(category, declared)
        ignore = declarations.ignore_for(finding.location, finding.category or finding.data_type)
        warnings, silenced = declarations.silence(finding.location, _warnings(finding, log_rules))
        verdicts.append(
            Verdict(
                finding=finding,
                kind=VerdictKind.IGNORED if ignore else kind,
                declared_purposes=declared.purposes,
                permitted_purposes=category.purposes if category else (),
                fingerprint=fingerprint(finding),
                clause=category.clause if category else None,
                declared_in=declared.declared_in,
                ignore_reason=ignore.reason if ignore else None,
                warnings=warnings,
                ignored_in=ignore.declared_in if ignore else None,
                unignored_kind=kind if ignore else None,
                silenced_warnings=silenced,
            )
        )
    if not all(_order(first) <= _order(second) for first, second in pairwise(verdicts)):
        verdicts.sort(key=_order)  # findings come in this order from schemas; 600,000 sort keys are 100 MB
    return tuple(verdicts)


def fails(verdict: Verdict, fail_on: VerdictKind) -> bool:
    """Whether a verdict is at or above the --fail-on threshold (ignored never fails, nor does
    a finding the baseline accepted)."""
    if verdict.kind is VerdictKind.IGNORED or verdict.baseline_state is BaselineState.UNCHANGED:
        return False
    return verdict.kind.severity >= fail_on.severity


def stale_declarations_fail(fail_on: VerdictKind) -> bool:
    """Whether stale declarations are at or above the threshold (stale baseline entries never fail)."""
    return VerdictKind.STALE_DECLARATION.severity >= fail_on.severity


def report_fails(report: Report, fail_on: VerdictKind) -> bool:
    """Whether any verdict, or any stale declaration, is at or above the threshold."""
    stale_fails = bool(report.stale_declarations) and stale_declarations_fail(fail_on)
    return stale_fails or any(fails(verdict, fail_on) for verdict in report.verdicts)


def _warnings(finding: Finding, log_rules: LogRules) -> tuple[str, ...]:
    """`plaintext_sensitive`: card, bank-account or identity-document numbers readable in a log
    (the policy strives to protect such data by encryption, §1a)."""
    if finding.location.kind is SourceKind.LOG and log_rules.is_plaintext_sensitive(finding.data_type):
        return (PLAINTEXT_SENSITIVE,)
    return ()


def _judge(category: Category | None, declared: DeclaredPlace) -> VerdictKind:
    if category is None:
        return VerdictKind.NOT_IN_POLICY
    if not category.purposes:
        return VerdictKind.NO_POLICY_PURPOSE
    if not declared.purposes:
        return VerdictKind.UNDECLARED
    if any(purpose not in category.purposes for purpose in declared.purposes):
        return VerdictKind.PURPOSE_NOT_PERMITTED
    return VerdictKind.OK


def _order(verdict: Verdict) -> tuple[str, str, str, str]:
    return verdict.finding.order
