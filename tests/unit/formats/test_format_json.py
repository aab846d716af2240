"""The JSON report: DESIGN §7 fields, deterministic bytes, and the shipped JSON Schema."""

from __future__ import annotations

import copy
import importlib.resources
import json
from typing import Any

import jsonschema
import pytest
from support.report_factory import ENGLISH, mixed_report, report, verdict

from pdscan.formats import FORMATS
from pdscan.formats.interface import FormatOptions
from pdscan.formats.json import JsonFormat
from pdscan.model import Evidence, Skipped, SourceKind, StaleDeclaration, VerdictKind

STALE = StaleDeclaration("customers.fax", "pdscan.yml:21", "stale.column", (("column", "customers.fax"),))
SKIPPED = Skipped("db/migrate/003_views.sql", "statement not understood: CREATE VIEW", 12)


def schema() -> dict[str, Any]:
    return json.loads((importlib.resources.files("pdscan") / "schemas" / "report.schema.json").read_text("utf-8"))


def validator() -> jsonschema.Draft202012Validator:
    jsonschema.Draft202012Validator.check_schema(schema())
    return jsonschema.Draft202012Validator(schema())


def as_json(built: Any) -> dict[str, Any]:
    return json.loads(JsonFormat(FormatOptions(ENGLISH)).format(built))


FIXTURES = {
    "mixed": mixed_report(),
    "empty": report(),
    "partial with stale declarations": mixed_report(skipped=(SKIPPED,), stale=(STALE,)),
    "fail on never": mixed_report(fail_on="never"),
    "sqlite without lines": report(
        (
            verdict(
                "ip",
                "user.device.ip_address",
                "ip_address",
                VerdictKind.OK,
                source="shop.db",
                database="shop.db",
                line=None,
                source_kind=SourceKind.SQLITE,
                declared=("fraud_prevention",),
            ),
        )
    ),
}


def test_the_schema_ships_inside_the_package() -> None:
    resource = importlib.resources.files("pdscan") / "schemas" / "report.schema.json"
    assert resource.is_file()
    loaded = json.loads(resource.read_text("utf-8"))
    assert loaded["$schema"] == "https://json-schema.org/draft/2020-12/schema"


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_every_report_validates_against_the_schema(name: str) -> None:
    document = as_json(FIXTURES[name])
    errors = sorted(validator().iter_errors(document), key=str)
    assert errors == []


@pytest.mark.parametrize(
    ("break_it", "why"),
    [
        (lambda d: d["findings"][0].update(verdict="looks_fine"), "unknown verdict"),
        (lambda d: d["findings"][0]["location"].update(kind="spreadsheet"), "unknown source kind"),
        (lambda d: d["sources"][0].update(status="half-done"), "unknown source status"),
        (lambda d: d["findings"][0].update(raw_value="jane@example.com"), "a field the schema does not know"),
        (lambda d: d.pop("summary"), "a missing section"),
        (lambda d: d["summary"]["by_verdict"].update(fine=1), "an unknown verdict in the summary"),
        (lambda d: d["findings"][0].update(confidence=1.5), "confidence above 1"),
        (lambda d: d["findings"][0]["evidence"].clear(), "a finding without evidence"),
        (lambda d: d.update(fail_on="ignored"), "a fail_on the CLI never takes"),
    ],
)
def test_a_broken_report_fails_validation(break_it: Any, why: str) -> None:
    document = as_json(mixed_report(skipped=(SKIPPED,)))
    broken = copy.deepcopy(document)
    break_it(broken)
    assert validator().is_valid(document)
    assert not validator().is_valid(broken), why


def test_fields_of_design_section_7_in_a_fixed_order() -> None:
    document = as_json(mixed_report(skipped=(SKIPPED,), stale=(STALE,)))
    assert list(document) == [
        "schema_version",
        "tool",
        "generated_at",
        "policy",
        "fail_on",
        "data_map",
        "show_data",
        "sources",
        "skipped",
        "findings",
        "stale_declarations",
        "baseline",
        "changed_since",
        "summary",
    ]
    assert document["tool"] == {"name": "pdscan", "version": "0.1.0", "rules_version": "0.1.0+0123456789ab"}
    assert document["policy"]["id"] == "engoo-dmm-2014"
    assert document["policy"]["sha256"] == "ab" * 32
    assert (document["data_map"], document["show_data"]) == (None, False)
    assert document["skipped"] == [
        {"source": "db/migrate/003_views.sql", "line": 12, "reason": "statement not understood: CREATE VIEW"}
    ]
    assert document["stale_declarations"] == [
        {
            "place": STALE.place,
            "declared_in": "pdscan.yml:21",
            "explanation": "column `customers.fax` is declared but not in the scanned schema: "
            "remove or rename the entry",
        }
    ]
    card = next(f for f in document["findings"] if f["location"]["column"] == "card_number")
    assert card == {
        "location": {
            "source": "db/migrate/002_payments.sql",
            "kind": "ddl",
            "database": "db/migrate",
            "table": "payments",
            "column": "card_number",
            "line": 3,
        },
        "data_type": "user.financial.credit_card.number",
        "category": "credit_card",
        "clause": "§4e",
        "confidence": 0.9,
        "evidence": [{"kind": "name", "text": "column name `card_number` means user.financial.credit_card.number"}],
        "declared_purposes": ["payment", "advertising"],
        "declared_in": ["pdscan.yml:14"],
        "permitted_purposes": ["payment", "transaction_processing"],
        "verdict": "purpose_not_permitted",
        "explanation": (
            "`payments.card_number` holds credit card information (§4e), declared for advertising (pdscan.yml:14), "
            "which the policy does not permit for credit_card (§4e); it permits: payment, transaction_processing"
        ),
        "fingerprint": "fedcba9876543210",
        "ignore_reason": None,
        "occurrences": None,
        "values": None,
        "warnings": [],
        "ignored_in": None,
        "baseline_state": None,
        "silenced_warnings": [],
    }


def test_findings_are_sorted_by_database_table_column_and_data_type() -> None:
    phone, email, undeclared = "user.contact.phone_number", "user.contact.email", VerdictKind.UNDECLARED
    shuffled = (
        verdict("Phone", phone, "phone", undeclared, table="users", database="b.sql"),
        verdict("email", email, "email", undeclared, table="Users", database="b.sql"),
        verdict("zip", "user.contact.address.postal_code", None, VerdictKind.NOT_IN_POLICY, database="a.sql"),
        verdict("contact", phone, "phone", undeclared, table="users", database="b.sql"),
        verdict("contact", email, "email", undeclared, table="users", database="b.sql"),
    )
    findings = as_json(report(shuffled))["findings"]
    assert [(f["location"]["database"], f["location"]["column"], f["data_type"]) for f in findings] == [
        ("a.sql", "zip", "user.contact.address.postal_code"),
        ("b.sql", "contact", "user.contact.email"),
        ("b.sql", "contact", "user.contact.phone_number"),
        ("b.sql", "email", "user.contact.email"),
        ("b.sql", "Phone", "user.contact.phone_number"),
    ]


def test_identical_reports_give_identical_bytes_but_for_the_time() -> None:
    first = JsonFormat(FormatOptions(ENGLISH)).format(mixed_report(skipped=(SKIPPED,), stale=(STALE,)))
    again = JsonFormat(FormatOptions(ENGLISH)).format(mixed_report(skipped=(SKIPPED,), stale=(STALE,)))
    later = JsonFormat(FormatOptions(ENGLISH)).format(
        mixed_report(skipped=(SKIPPED,), stale=(STALE,), generated_at="2024-05-02T08:30:00+00:00")
    )
    assert first == again
    changed = [(a, b) for a, b in zip(first.splitlines(), later.splitlines(), strict=True) if a != b]
    assert changed == [
        ('  "generated_at": "2024-05-01T12:00:00+00:00",', '  "generated_at": "2024-05-02T08:30:00+00:00",')
    ]
    assert first.endswith("}\n") and first.startswith('{\n  "schema_version": "1.0.0",')


def test_text_stays_readable_unicode() -> None:
    russian = Evidence("name", "name.means", (("column", "tel"), ("meaning", "комментарий к столбцу: телефон клиента")))
    built = report((verdict("tel", "user.contact.phone_number", "phone", VerdictKind.UNDECLARED, evidence=(russian,)),))
    text = JsonFormat(FormatOptions(ENGLISH)).format(built)
    assert "комментарий к столбцу" in text
    assert "\\u" not in text


def test_the_summary_counts_the_verdicts_it_is_given() -> None:
    summary = as_json(mixed_report(skipped=(SKIPPED,)))["summary"]
    assert summary == {
        "total": 6,
        "by_category": {"(not in policy)": 1, "credit_card": 1, "date_of_birth": 1, "email": 2, "phone": 1},
        "by_verdict": {
            "ignored": 1,
            "ok": 1,
            "undeclared": 1,
            "purpose_not_permitted": 1,
            "no_policy_purpose": 1,
            "not_in_policy": 1,
        },
        "failing": 4,
        "fails": True,
        "partial": True,
    }


@pytest.mark.parametrize(
    ("fail_on", "failing", "fails"),
    [
        ("ok", 5, True),  # every finding but the ignored one
        ("undeclared", 4, True),
        ("no_policy_purpose", 2, True),
        ("not_in_policy", 1, True),
        ("never", 0, False),
    ],
)
def test_failing_follows_fail_on_and_never_counts_ignored(fail_on: str, failing: int, fails: bool) -> None:
    summary = as_json(mixed_report(fail_on=fail_on))["summary"]
    assert (summary["failing"], summary["fails"]) == (failing, fails)


def test_a_stale_declaration_alone_fails_at_its_threshold() -> None:
    only_ok = (verdict("email", "user.contact.email", "email", VerdictKind.OK, declared=("payment",)),)
    at_stale = as_json(report(only_ok, stale=(STALE,), fail_on="stale_declaration"))["summary"]
    at_undeclared = as_json(report(only_ok, stale=(STALE,), fail_on="undeclared"))["summary"]
    assert (at_stale["failing"], at_stale["fails"]) == (0, True)
    assert at_undeclared["fails"] is False
    assert at_stale["partial"] is False


def test_the_format_presents_verdicts_and_never_re_decides_them() -> None:
    # Declared for a purpose the category does not permit, yet judged ok: the JSON says ok.
    judged = verdict("email", "user.contact.email", "email", VerdictKind.OK, declared=("advertising",))
    document = as_json(report((judged,)))
    assert document["findings"][0]["verdict"] == "ok"
    assert document["summary"]["by_verdict"] == {"ok": 1}


def test_the_registry_builds_json_as_the_cli_does() -> None:
    assert {"table", "json", "csv", "markdown", "html", "fides"} <= set(FORMATS)
    built = FORMATS["json"](FormatOptions(ENGLISH, color=True)).format(mixed_report())
    assert json.loads(built)["schema_version"] == "1.0.0"
    assert "\x1b[" not in built
