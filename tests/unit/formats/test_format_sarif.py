"""`--format sarif` and `--format github`: what code scanning and workflow annotations read,
checked against the official SARIF 2.1.0 schema (tests/fixtures/sarif) and GitHub's command
syntax. Reports are built by hand, so only the formats are under test."""

from __future__ import annotations

import json
from dataclasses import replace

from support.ci_repo import sarif_schema, validate_sarif
from support.command import run_pdscan
from support.paths import REPO
from support.report_factory import ENGLISH, mixed_report, report, verdict

from pdscan.formats.code_locations import CodeLocation
from pdscan.formats.github import GithubFormat, command
from pdscan.formats.interface import FormatOptions
from pdscan.formats.sarif import SarifFormat
from pdscan.model import (
    BaselineCheck,
    BaselineEntry,
    BaselineState,
    Occurrences,
    Skipped,
    SourceKind,
    StaleDeclaration,
    Verdict,
    VerdictKind,
)

STALE = StaleDeclaration("shop.users.fax", "pdscan.yml:21", "stale.column", (("column", "users.fax"),))


def sarif(built: object) -> dict:
    document = json.loads(SarifFormat(FormatOptions(ENGLISH)).format(built))  # type: ignore[arg-type]
    validate_sarif(document)
    return document


def test_the_vendored_schema_is_the_official_sarif_2_1_0_schema() -> None:
    schema = sarif_schema()
    assert schema["title"] == "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    assert schema["properties"]["version"]["enum"] == ["2.1.0"]
    assert "partialFingerprints" in schema["definitions"]["result"]["properties"]


def test_one_rule_per_verdict_kind_and_results_for_what_needs_attention() -> None:
    document = sarif(mixed_report(stale=(STALE,)))
    assert document["version"] == "2.1.0"
    [run] = document["runs"]
    rules = run["tool"]["driver"]["rules"]
    expected_rules = {kind.value for kind in VerdictKind} | {"stale_baseline_entry", "plaintext_sensitive"}
    assert {rule["id"] for rule in rules} == expected_rules
    results = run["results"]
    assert "ok" not in {result["ruleId"] for result in results}, "nothing to act on"
    for result in results:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    by_rule = {result["ruleId"]: result for result in results}
    assert set(by_rule) == {
        "undeclared",
        "purpose_not_permitted",
        "no_policy_purpose",
        "not_in_policy",
        "ignored",
        "stale_declaration",
    }
    card = by_rule["purpose_not_permitted"]
    assert card["level"] == "error"
    assert card["message"]["text"].startswith("payments.card_number: category `credit_card` (§4e) is declared for")
    assert card["partialFingerprints"] == {"pdscanFingerprint/v1": "fedcba9876543210"}
    assert card["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "db/migrate/002_payments.sql"},
        "region": {"startLine": 3},
    }
    assert card["properties"]["clause"] == "§4e"
    assert card["properties"]["declaredPurposes"] == ["payment", "advertising"]
    assert "baselineState" not in card, "no baseline, no baseline state"
    stale = by_rule["stale_declaration"]
    assert stale["level"] == "warning", "stale declarations do not fail at --fail-on undeclared"
    assert stale["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "pdscan.yml"},
        "region": {"startLine": 21},
    }
    ignored = by_rule["ignored"]
    assert ignored["level"] == "note"
    assert ignored["suppressions"][0]["justification"] == "deleted in the next release"
    assert ignored["suppressions"][0]["location"]["physicalLocation"] == {
        "artifactLocation": {"uri": "pdscan.yml"},
        "region": {"startLine": 30},
    }, "where the ignore was written, as for a silenced warning"


def phone_verdict(column: str, state: BaselineState) -> object:
    return replace(verdict(column, "user.contact.phone_number", "phone", VerdictKind.UNDECLARED), baseline_state=state)


def test_levels_follow_fail_on_and_the_baseline() -> None:
    never = sarif(mixed_report(fail_on="never"))
    assert {r["level"] for r in never["runs"][0]["results"] if r["ruleId"] != "ignored"} == {"warning"}
    accepted = phone_verdict("phone", BaselineState.UNCHANGED)
    new = phone_verdict("fax", BaselineState.NEW)
    entry = BaselineEntry("00ff00ff00ff00ff", "db/migrate", "customers", "mobile", "phone", VerdictKind.UNDECLARED, 9)
    built = replace(report((accepted, new)), baseline=BaselineCheck(".pdscan-baseline.json", 3, (entry,)))
    results = sarif(built)["runs"][0]["results"]
    states = {(r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"], r["baselineState"], r["level"])
              for r in results}  # fmt: skip
    assert states == {
        ("customers.phone", "unchanged", "warning"),
        ("customers.fax", "new", "error"),
        ("db/migrate customers.mobile", "absent", "note"),
    }
    absent = next(r for r in results if r["baselineState"] == "absent")
    assert absent["locations"][0]["physicalLocation"]["region"] == {"startLine": 9}


def test_logs_point_at_their_first_value_databases_at_no_file_and_skips_are_notifications() -> None:
    log = verdict(
        "client_ip", "user.device.ip_address", "ip_address", VerdictKind.UNDECLARED,
        table=None, database="logs/access.log", source="logs/access.log", line=None, source_kind=SourceKind.LOG,
    )  # fmt: skip
    seen = Occurrences(5, "logs/access.log.1.gz:12", "logs/access.log:3", ())
    log = replace(log, finding=replace(log.finding, occurrences=seen))
    live = verdict(
        "email", "user.contact.email", "email", VerdictKind.UNDECLARED,
        database="postgresql://auditor@db/shop", source="postgresql://auditor@db/shop", line=None,
        source_kind=SourceKind.DATABASE,
    )  # fmt: skip
    built = report((log, live), skipped=(Skipped("db/migrate/003 views.sql", "statement not understood", 4),))
    run = sarif(built)["runs"][0]
    by_name = {r["locations"][0]["logicalLocations"][0]["name"]: r for r in run["results"]}
    assert by_name["client_ip"]["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "logs/access.log.1.gz"},
        "region": {"startLine": 12},
    }
    assert "physicalLocation" not in by_name["email"]["locations"][0]
    [notification] = run["invocations"][0]["toolExecutionNotifications"]
    assert notification["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "db/migrate/003%20views.sql"


def test_logs_in_remote_storage_keep_their_url_in_sarif_and_are_no_file_in_github() -> None:
    """`s3://bucket/…` is no path of the repository: SARIF names it as the absolute URI it is
    (not `s3%3A/bucket`), and a workflow annotation carries no file= GitHub could not resolve."""
    url = "s3://acme-logs/2026/nginx/access.log"
    log = verdict(
        "client_ip", "user.device.ip_address", "ip_address", VerdictKind.UNDECLARED,
        table=None, database=url, source=url, line=None, source_kind=SourceKind.LOG,
    )  # fmt: skip
    seen = Occurrences(5, f"{url}.1.gz:12", f"{url}:3", ())
    built = report((replace(log, finding=replace(log.finding, occurrences=seen)),))
    [result] = sarif(built)["runs"][0]["results"]
    assert result["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": f"{url}.1.gz"},
        "region": {"startLine": 12},
    }
    validate_sarif(sarif(built))
    [annotation] = [
        line for line in GithubFormat(FormatOptions(ENGLISH)).format(built).splitlines() if "client_ip" in line
    ]
    assert annotation.startswith("::error title=") and "file=" not in annotation
    assert f"::{url}.1.gz:12: `{url}` field `client_ip` holds IP address" in annotation


def test_the_example_shop_in_sarif_is_valid_and_matches_the_json_report() -> None:
    sarif_run = run_pdscan("scan", "examples/shop", "--format", "sarif", cwd=REPO)
    json_run = run_pdscan("scan", "examples/shop", "--format", "json", cwd=REPO)
    assert sarif_run.returncode == json_run.returncode == 1
    document = json.loads(sarif_run.stdout)
    validate_sarif(document)
    findings = json.loads(json_run.stdout)["findings"]
    expected = {f["fingerprint"] for f in findings if f["verdict"] != "ok"}
    expected |= {f"{w}:{f['fingerprint']}" for f in findings if f["verdict"] != "ignored" for w in f["warnings"]}
    assert {r["partialFingerprints"]["pdscanFingerprint/v1"] for r in document["runs"][0]["results"]} == expected
    again = run_pdscan("scan", "examples/shop", "--format", "sarif", cwd=REPO)
    assert again.stdout == sarif_run.stdout, "deterministic: no time, no random ids"


def test_github_annotations_say_error_for_what_fails_and_notice_for_what_the_baseline_accepted() -> None:
    accepted = phone_verdict("phone", BaselineState.UNCHANGED)
    uncovered = verdict("allergies", "user.health_and_medical", None, VerdictKind.NOT_IN_POLICY, line=7)
    failing = verdict("fax", "user.contact.fax_number", "phone", VerdictKind.UNDECLARED, line=11)
    quiet = verdict("email", "user.contact.email", "email", VerdictKind.OK)
    checked = BaselineCheck(".pdscan-baseline.json", 1, ())
    built = replace(report((accepted, uncovered, failing, quiet), stale=(STALE,)), baseline=checked)
    lines = GithubFormat(FormatOptions(ENGLISH)).format(built).splitlines()
    assert lines[-1].startswith("pdscan: 2 finding(s) fail this scan (--fail-on undeclared); 1 accepted by")
    annotations = {line.split(" ", 1)[0]: line for line in lines[:-1] if "customers." in line or "stale" in line}
    assert set(annotations) == {"::error", "::notice", "::warning"}
    errors = [line for line in lines if line.startswith("::error ")]
    assert len(errors) == 2 and not any("email" in line for line in lines[:-1]), "ok places are not annotated"
    fax = next(line for line in errors if "fax" in line)
    assert fax.startswith("::error file=db/migrate/001_init.sql,line=11,title=pdscan%3A undeclared (phone%2C §4c)::")
    notice = "::notice file=db/migrate/001_init.sql,line=3,title=pdscan%3A undeclared (phone%2C §4c) (accepted"
    assert any(line.startswith(notice) for line in lines)
    assert "::warning file=pdscan.yml,line=21,title=pdscan%3A stale_declaration" in "\n".join(lines)


def card_in_log(kind: VerdictKind, **changes: object) -> Verdict:
    """A card number in clear text in a log, judged `kind`, with the `plaintext_sensitive` warning."""
    card = verdict(
        "card", "user.financial.credit_card.number", "credit_card", kind,
        table=None, database="logs/pay.log", source="logs/pay.log", line=None, source_kind=SourceKind.LOG,
        fingerprint="c4c4c4c4c4c4c4c4",
    )  # fmt: skip
    seen = Occurrences(1, "logs/pay.log.1:7", "logs/pay.log:1", ())
    return replace(card, finding=replace(card.finding, occurrences=seen), warnings=("plaintext_sensitive",), **changes)


def test_a_plaintext_warning_is_a_sarif_result_of_its_own_rule_even_on_a_permitted_place() -> None:
    permitted = card_in_log(VerdictKind.OK, declared_purposes=("payment",))
    run = sarif(report((permitted,)))["runs"][0]
    [result] = run["results"]
    rule = run["tool"]["driver"]["rules"][result["ruleIndex"]]
    assert result["ruleId"] == rule["id"] == "plaintext_sensitive"
    assert (result["level"], rule["defaultConfiguration"]["level"]) == ("warning", "warning")
    assert result["message"]["text"].startswith("logs/pay.log field card: category `credit_card` (§4e) is readable")
    assert result["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "logs/pay.log.1"},
        "region": {"startLine": 7},
    }
    assert result["partialFingerprints"] == {"pdscanFingerprint/v1": "plaintext_sensitive:c4c4c4c4c4c4c4c4"}
    failing_card = card_in_log(VerdictKind.UNDECLARED)
    levels = {(r["ruleId"], r["level"]) for r in sarif(report((failing_card,)))["runs"][0]["results"]}
    assert levels == {("undeclared", "error"), ("plaintext_sensitive", "warning")}, "a warning never fails"
    ignored = card_in_log(VerdictKind.IGNORED, ignore_reason="test data only")
    assert [r["ruleId"] for r in sarif(report((ignored,)))["runs"][0]["results"]] == ["ignored"], "ignored with it"


def test_a_plaintext_warning_is_a_github_warning_at_the_first_value() -> None:
    permitted = card_in_log(VerdictKind.OK, declared_purposes=("payment",))
    accepted = replace(card_in_log(VerdictKind.UNDECLARED), baseline_state=BaselineState.UNCHANGED)
    lines = GithubFormat(FormatOptions(ENGLISH)).format(report((permitted,))).splitlines()
    title = "title=pdscan%3A plaintext_sensitive (credit_card%2C §4e)::"
    assert lines[0].startswith(f"::warning file=logs/pay.log.1,line=7,{title}logs/pay.log field card: ")
    assert "readable in clear text" in lines[0]
    assert lines[1] == "pdscan: 0 finding(s) fail this scan (--fail-on undeclared); 1 warning(s), failing nothing"
    checked = replace(report((accepted,)), baseline=BaselineCheck(".pdscan-baseline.json", 1, ()))
    lines = GithubFormat(FormatOptions(ENGLISH)).format(checked).splitlines()
    assert [line.split(" ", 1)[0] for line in lines[:-1]] == ["::notice", "::notice"], "the baseline accepted both"
    ignored = card_in_log(VerdictKind.IGNORED, ignore_reason="test data only")
    assert GithubFormat(FormatOptions(ENGLISH)).format(report((ignored,))).splitlines() == [
        "pdscan: 0 finding(s) fail this scan (--fail-on undeclared)"
    ]


def test_github_commands_escape_what_would_end_them() -> None:
    line = command("error", CodeLocation("db/a,b:c.sql", 4), "t: x, y", "100% sure\nsecond line\r")
    assert line == "::error file=db/a%2Cb%3Ac.sql,line=4,title=t%3A x%2C y::100%25 sure%0Asecond line%0D"
    assert command("warning", None, "pdscan: skipped", "x") == "::warning title=pdscan%3A skipped::x"
