"""The one place verdicts are decided: each finding held against the policy and declarations.

Order (DESIGN §3): ignored, not_in_policy, no_policy_purpose, undeclared,
purpose_not_permitted, ok. Formats only present what is decided here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from pdscan.baseline import fingerprint
from pdscan.declarations import Declarations, DeclaredPlace, Ignore
from pdscan.detect.log_rules import LogRules, bundled_log_rules
from pdscan.model import PLAINTEXT_SENSITIVE, BaselineState, Finding, Location, Report, SourceKind, Verdict, VerdictKind
from pdscan.policy import Category, Policy, as_phrase, load_taxonomy

WARNING_EXPLANATIONS = {PLAINTEXT_SENSITIVE: "readable in clear text; the policy promises encryption (§1a)"}


def audit(findings: Sequence[Finding], policy: Policy, declarations: Declarations) -> tuple[Verdict, ...]:
    """One verdict per finding, sorted by database, table, column and data type."""
    taxonomy = load_taxonomy()
    log_rules = bundled_log_rules()
    verdicts = []
    for finding in findings:
        declared = declarations.for_location(finding.location, finding.category)
        if declared.category_override is not None:
            finding = replace(finding, category=declared.category_override)
        category = policy.category(finding.category) if finding.category else None
        kind, explanation = _judge(finding, category, declared, taxonomy)
        ignore = declarations.ignore_for(finding.location, finding.category or finding.data_type)
        if ignore is not None:
            kind, explanation = _ignored(finding, ignore, kind)
        warnings, silenced = declarations.silence(finding.location, _warnings(finding, log_rules))
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
                ignore_reason=ignore.reason if ignore else None,
                warnings=warnings,
                ignored_in=ignore.declared_in if ignore else None,
                silenced_warnings=silenced,
            )
        )
    return tuple(sorted(verdicts, key=_order))


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


def _judge(
    finding: Finding, category: Category | None, declared: DeclaredPlace, taxonomy: Mapping[str, str]
) -> tuple[VerdictKind, str]:
    place = _place(finding.location)
    if category is None:
        what = as_phrase(taxonomy.get(finding.data_type, finding.data_type))
        return VerdictKind.NOT_IN_POLICY, (
            f"{place} holds {what} ({finding.data_type}), which no category of the policy covers: "
            "the policy never says this data is collected; stop holding it or extend the policy"
        )
    held = f"{place} holds {as_phrase(category.title_en)} ({category.clause})"
    if not category.purposes:
        return VerdictKind.NO_POLICY_PURPOSE, (
            f"{held}, but the policy names no purpose for it, so no declared purpose can make holding it "
            "permitted; stop holding it or have the policy name a purpose"
        )
    permitted = ", ".join(category.purposes)
    if not declared.purposes:
        return VerdictKind.UNDECLARED, f"{held} but no purpose is declared for it; the policy permits: {permitted}"
    refused = [purpose for purpose in declared.purposes if purpose not in category.purposes]
    sources = f" ({', '.join(declared.declared_in)})" if declared.declared_in else ""
    if refused:
        return VerdictKind.PURPOSE_NOT_PERMITTED, (
            f"{held}, declared for {', '.join(refused)}{sources}, which the policy does not permit for "
            f"{category.id} ({category.clause}); it permits: {permitted}"
        )
    return VerdictKind.OK, (
        f"{held}, declared for {', '.join(declared.purposes)}{sources}; the policy permits "
        f"{'it' if len(declared.purposes) == 1 else 'each'} for {category.id} ({category.clause})"
    )


def _ignored(finding: Finding, ignore: Ignore, judged: VerdictKind) -> tuple[VerdictKind, str]:
    return VerdictKind.IGNORED, (
        f"{_place(finding.location)} is ignored ({ignore.declared_in}): {ignore.reason}; "
        f"without the ignore it would be {judged.value}"
    )


def _place(location: Location) -> str:
    if location.kind is SourceKind.LOG:
        return f"`{location.source}` " + (f"field `{location.column}`" if location.column else "(free text)")
    return f"`{location.place or location.source}`"


def _order(verdict: Verdict) -> tuple[str, str, str, str]:
    location = verdict.finding.location
    return (
        location.database or location.source,
        (location.table or "").lower(),
        (location.column or "").lower(),
        verdict.finding.data_type,
    )
