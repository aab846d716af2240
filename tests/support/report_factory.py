"""Reports built by hand from the model's records, so format tests need no scan.

Verdicts here are written as audit.py would decide them; the formats under test must only
present them.
"""

from __future__ import annotations

from pdscan.formats.wording import Wording
from pdscan.model import (
    Evidence,
    Finding,
    Location,
    PolicyRef,
    Report,
    Skipped,
    SourceKind,
    SourceSummary,
    StaleDeclaration,
    Verdict,
    VerdictKind,
)
from pdscan.policy import load_policy

ENGLISH = Wording.build(load_policy())  # the bundled policy's words: its categories are the ones used here
POLICY = PolicyRef(
    policy_id="engoo-dmm-2014",
    title="Engoo Privacy Policy (DMM.com LLC)",
    version="2014-05-28",
    sha256="ab" * 32,
    path="pdscan/rules/policy.yaml",
)
PERMITTED = {
    "email": ("inquiries", "payment", "customer_support", "user_notifications"),
    "phone": ("inquiries", "delivery", "customer_support"),
    "credit_card": ("payment", "transaction_processing"),
    "date_of_birth": (),
}
CLAUSES = {"email": "§4d", "phone": "§4c", "credit_card": "§4e", "date_of_birth": "§3a"}


def verdict(
    column: str,
    data_type: str,
    category: str | None,
    kind: VerdictKind,
    *,
    table: str = "customers",
    database: str = "db/migrate",
    source: str = "db/migrate/001_init.sql",
    line: int | None = 3,
    source_kind: SourceKind = SourceKind.DDL,
    declared: tuple[str, ...] = (),
    declared_in: tuple[str, ...] = (),
    evidence: tuple[Evidence, ...] | None = None,
    fingerprint: str = "0123456789abcdef",
    ignore_reason: str | None = None,
    ignored_in: str | None = None,
) -> Verdict:
    location = Location(source, source_kind, table=table, column=column, line=line, database=database)
    return Verdict(
        finding=Finding(
            location=location,
            data_type=data_type,
            category=category,
            confidence=0.9,
            evidence=evidence or (Evidence("name", "name.means", (("column", column), ("meaning", data_type))),),
        ),
        kind=kind,
        declared_purposes=declared,
        permitted_purposes=PERMITTED.get(category or "", ()),
        fingerprint=fingerprint,
        clause=CLAUSES.get(category or ""),
        declared_in=declared_in,
        ignore_reason=ignore_reason,
        ignored_in=ignored_in,
    )


def report(
    verdicts: tuple[Verdict, ...] = (),
    *,
    skipped: tuple[Skipped, ...] = (),
    stale: tuple[StaleDeclaration, ...] = (),
    fail_on: str = "undeclared",
    generated_at: str = "2024-05-01T12:00:00+00:00",
) -> Report:
    return Report(
        schema_version="1.0.0",
        tool_version="0.1.0",
        rules_version="0.1.0+0123456789ab",
        generated_at=generated_at,
        policy=POLICY,
        sources=(SourceSummary("db/migrate", SourceKind.DDL, "partial" if skipped else "scanned", 2, 9, "postgres"),),
        skipped=skipped,
        verdicts=verdicts,
        stale_declarations=stale,
        fail_on=fail_on,
    )


def mixed_report(
    *,
    skipped: tuple[Skipped, ...] = (),
    stale: tuple[StaleDeclaration, ...] = (),
    fail_on: str = "undeclared",
    generated_at: str = "2024-05-01T12:00:00+00:00",
) -> Report:
    """Every verdict kind a DDL scan gives, in two tables, listed out of order on purpose."""
    verdicts = (
        verdict("phone", "user.contact.phone_number", "phone", VerdictKind.UNDECLARED, line=5),
        verdict(
            "card_number",
            "user.financial.credit_card.number",
            "credit_card",
            VerdictKind.PURPOSE_NOT_PERMITTED,
            table="payments",
            source="db/migrate/002_payments.sql",
            declared=("payment", "advertising"),
            declared_in=("pdscan.yml:14",),
            fingerprint="fedcba9876543210",
        ),
        verdict(
            "email",
            "user.contact.email",
            "email",
            VerdictKind.OK,
            line=4,
            declared=("user_notifications", "customer_support"),
            declared_in=("pdscan.yml:9",),
        ),
        verdict("birth_date", "user.demographic.date_of_birth", "date_of_birth", VerdictKind.NO_POLICY_PURPOSE),
        verdict("allergies", "user.health_and_medical", None, VerdictKind.NOT_IN_POLICY, line=7),
        verdict(
            "legacy_email",
            "user.contact.email",
            "email",
            VerdictKind.IGNORED,
            line=8,
            ignore_reason="deleted in the next release",
            ignored_in="pdscan.yml:30",
        ),
    )
    return report(verdicts, skipped=skipped, stale=stale, fail_on=fail_on, generated_at=generated_at)
