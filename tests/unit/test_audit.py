"""Verdicts: every kind, in DESIGN §3's order of precedence, explained with the clause."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from pdscan.audit import audit, fails, fingerprint
from pdscan.declarations import Declarations, load_data_map
from pdscan.formats.explanations import explanation
from pdscan.formats.wording import Wording
from pdscan.model import Evidence, Finding, Location, SourceKind, Verdict, VerdictKind
from pdscan.policy import Policy, load_policy

DATA_MAP = """\
databases:
  shop:
    tables:
      users:
        columns:
          phone: [delivery, customer_support]
          email: [user_notifications, advertising, delivery]
          birthday: [customer_support]
          allergies: [customer_support]
          consent_note: {purposes: [stated_at_collection], category: consented}
          health_note: {purposes: [usage_analysis], category: consented}
      payments:
        columns:
          card_number: [advertising, payment]
"""


def explained(policy: Policy, verdict: Verdict) -> str:
    """The sentence a report gives for the verdict, in English."""
    return explanation(verdict, Wording.build(policy))


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy()


@pytest.fixture()
def declarations(tmp_path: Path, policy: Policy) -> Declarations:
    path = tmp_path / "pdscan.yml"
    path.write_text(DATA_MAP, encoding="utf-8")
    return Declarations.build(load_data_map(path, policy), (), policy)


def finding(policy: Policy, table: str, column: str, data_type: str, line: int = 3) -> Finding:
    category = policy.category_for(data_type)
    return Finding(
        location=Location("db/shop.sql", SourceKind.DDL, table, column, line, "db/shop.sql"),
        data_type=data_type,
        category=category.id if category else None,
        confidence=0.9,
        evidence=(Evidence("name", "name.means", (("column", column), ("meaning", "a name"))),),
    )


def judge(policy: Policy, declarations: Declarations, table: str, column: str, data_type: str) -> Verdict:
    [verdict] = audit([finding(policy, table, column, data_type)], policy, declarations)
    return verdict


def test_ok_when_every_declared_purpose_is_permitted(policy: Policy, declarations: Declarations) -> None:
    verdict = judge(policy, declarations, "users", "phone", "user.contact.phone_number")
    assert verdict.kind is VerdictKind.OK
    assert verdict.declared_purposes == ("delivery", "customer_support")
    assert verdict.permitted_purposes == policy.category("phone").purposes
    assert verdict.clause == "§4c"
    assert re.fullmatch(r".*pdscan\.yml:6", verdict.declared_in[0])
    assert "`users.phone`" in explained(policy, verdict) and "§4c" in explained(policy, verdict)


def test_undeclared_names_the_clause_and_what_is_permitted(policy: Policy, declarations: Declarations) -> None:
    verdict = judge(policy, declarations, "users", "mobile", "user.contact.phone_number")
    assert verdict.kind is VerdictKind.UNDECLARED
    assert verdict.declared_purposes == () and verdict.declared_in == ()
    assert explained(policy, verdict) == (
        "`users.mobile` holds phone number (§4c) but no purpose is declared for it; the policy permits: "
        "inquiries, delivery, payment, customer_support, fraud_prevention, transaction_processing, "
        "third_party_provision"
    )


def test_purpose_not_permitted_lists_only_the_refused_purposes(policy: Policy, declarations: Declarations) -> None:
    verdict = judge(policy, declarations, "payments", "card_number", "user.financial.credit_card.number")
    assert verdict.kind is VerdictKind.PURPOSE_NOT_PERMITTED
    assert verdict.clause == "§4e"
    assert "declared for advertising (" in explained(policy, verdict)
    assert "payment (" not in explained(policy, verdict).split("which")[0]
    assert "credit_card (§4e)" in explained(policy, verdict)
    email = judge(policy, declarations, "users", "email", "user.contact.email")
    assert email.kind is VerdictKind.PURPOSE_NOT_PERMITTED
    assert "declared for advertising, delivery (" in explained(policy, email)  # §4d permits neither


def test_purpose_not_permitted_agrees_in_number_in_russian(policy: Policy, declarations: Declarations) -> None:
    """One refused purpose is "цели …, которую", several are "целей …, которых": Russian agrees."""
    russian = Wording.build(policy, "ru")
    card = judge(policy, declarations, "payments", "card_number", "user.financial.credit_card.number")
    assert "заявлены для цели advertising (" in explanation(card, russian)
    assert ", которую политика не разрешает для категории credit_card (§4e)" in explanation(card, russian)
    email = judge(policy, declarations, "users", "email", "user.contact.email")
    assert "заявлены для целей advertising, delivery (" in explanation(email, russian)
    assert ", которых политика не разрешает для категории email (§4d)" in explanation(email, russian)


def test_no_policy_purpose_beats_a_declaration(policy: Policy, declarations: Declarations) -> None:
    verdict = judge(policy, declarations, "users", "birthday", "user.demographic.date_of_birth")
    assert verdict.kind is VerdictKind.NO_POLICY_PURPOSE
    assert verdict.declared_purposes == ("customer_support",)
    assert verdict.permitted_purposes == ()
    assert verdict.clause == "§3a" and "§3a" in explained(policy, verdict)


def test_no_policy_purpose_also_when_undeclared(policy: Policy, declarations: Declarations) -> None:
    verdict = judge(policy, declarations, "users", "age", "user.demographic.age")
    assert verdict.kind is VerdictKind.NO_POLICY_PURPOSE


def test_not_in_policy_beats_everything_else(policy: Policy, declarations: Declarations) -> None:
    verdict = judge(policy, declarations, "users", "allergies", "user.health_and_medical")
    assert verdict.kind is VerdictKind.NOT_IN_POLICY
    assert verdict.finding.category is None and verdict.clause is None
    assert "health and medical data (user.health_and_medical)" in explained(policy, verdict)
    assert "no category of the policy covers" in explained(policy, verdict)


def test_an_explicit_category_in_the_data_map_replaces_the_detected_one(
    policy: Policy, declarations: Declarations
) -> None:
    consented = judge(policy, declarations, "users", "consent_note", "user.health_and_medical")
    assert consented.kind is VerdictKind.OK
    assert consented.finding.category == "consented" and consented.clause == "§4m"
    health = judge(policy, declarations, "users", "health_note", "user.health_and_medical")
    assert health.kind is VerdictKind.OK
    assert health.declared_purposes == ("usage_analysis",)


def test_every_kind_is_at_least_as_severe_as_the_next_check(policy: Policy, declarations: Declarations) -> None:
    columns = [
        ("users", "phone", "user.contact.phone_number"),
        ("users", "mobile", "user.contact.phone_number"),
        ("payments", "card_number", "user.financial.credit_card.number"),
        ("users", "birthday", "user.demographic.date_of_birth"),
        ("users", "allergies", "user.health_and_medical"),
    ]
    verdicts = audit([finding(policy, *column) for column in columns], policy, declarations)
    kinds = {verdict.finding.location.column: verdict.kind for verdict in verdicts}
    assert kinds == {
        "phone": VerdictKind.OK,
        "mobile": VerdictKind.UNDECLARED,
        "card_number": VerdictKind.PURPOSE_NOT_PERMITTED,
        "birthday": VerdictKind.NO_POLICY_PURPOSE,
        "allergies": VerdictKind.NOT_IN_POLICY,
    }


def test_verdicts_are_sorted_whatever_the_input_order(policy: Policy, declarations: Declarations) -> None:
    findings = [
        finding(policy, "users", "phone", "user.contact.phone_number"),
        finding(policy, "payments", "card_number", "user.financial.credit_card.number"),
        finding(policy, "users", "email", "user.contact.email"),
        finding(policy, "users", "email", "user.contact.address"),
    ]
    forward = audit(findings, policy, declarations)
    backward = audit(list(reversed(findings)), policy, declarations)
    assert forward == backward
    order = [(v.finding.location.table, v.finding.location.column, v.finding.data_type) for v in forward]
    assert order == [
        ("payments", "card_number", "user.financial.credit_card.number"),
        ("users", "email", "user.contact.address"),
        ("users", "email", "user.contact.email"),
        ("users", "phone", "user.contact.phone_number"),
    ]


def test_fingerprint_ignores_line_numbers_but_not_place_or_category(policy: Policy) -> None:
    base = finding(policy, "users", "email", "user.contact.email", line=3)
    assert re.fullmatch(r"[0-9a-f]{16}", fingerprint(base))
    assert fingerprint(base) == fingerprint(finding(policy, "users", "email", "user.contact.email", line=40))
    assert fingerprint(base) != fingerprint(finding(policy, "users", "email2", "user.contact.email"))
    assert fingerprint(base) != fingerprint(finding(policy, "clients", "email", "user.contact.email"))
    assert fingerprint(base) != fingerprint(finding(policy, "users", "email", "user.contact.phone_number"))
    moved = replace(base, location=replace(base.location, database="db/other.sql"))
    assert fingerprint(base) != fingerprint(moved)


@pytest.mark.parametrize(
    ("kind", "fail_on", "expected"),
    [
        (VerdictKind.OK, VerdictKind.UNDECLARED, False),
        (VerdictKind.UNDECLARED, VerdictKind.UNDECLARED, True),
        (VerdictKind.NOT_IN_POLICY, VerdictKind.UNDECLARED, True),
        (VerdictKind.PURPOSE_NOT_PERMITTED, VerdictKind.NO_POLICY_PURPOSE, False),
        (VerdictKind.OK, VerdictKind.OK, True),
        (VerdictKind.IGNORED, VerdictKind.IGNORED, False),
    ],
)
def test_fails_follows_the_severity_order(
    policy: Policy, kind: VerdictKind, fail_on: VerdictKind, expected: bool
) -> None:
    verdict = Verdict(finding(policy, "users", "email", "user.contact.email"), kind, (), (), "", "0" * 16)
    assert fails(verdict, fail_on) is expected
