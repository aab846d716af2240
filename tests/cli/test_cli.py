"""End to end through the installed `pdscan` command, as users and CI run it."""

import json
from pathlib import Path

import jsonschema
import pytest
from support.command import run_pdscan
from support.file_state import tree_state
from support.json_reports import json_report, report_schema, verdicts_by_place
from support.paths import REPO

EXAMPLE = REPO / "examples" / "shop"


def test_version_and_help_with_examples() -> None:
    assert run_pdscan("--version").stdout.strip().startswith("pdscan, version ")
    for command in ((), ("scan",), ("policy",), ("explain",)):
        result = run_pdscan(*command, "--help")
        assert result.returncode == 0
        assert "Examples:" in result.stdout


def test_the_example_shop_report_judges_every_place(tmp_path: Path) -> None:
    before = tree_state(EXAMPLE)
    report, result = json_report(str(EXAMPLE.relative_to(REPO)))
    assert result.returncode == 1, "the example holds undeclared personal data"
    places = verdicts_by_place(report)
    assert places["customers.email"] == "ok"  # inline -- pdscan: purpose=…
    assert places["customers.first_name"] == "ok"  # COMMENT ON COLUMN … 'purpose: …'
    assert places["customers.phone_number"] == "ok"  # renamed in 003, declared by its new name
    assert places["customers.date_of_birth"] == "no_policy_purpose"
    assert places["customers.gender"] == "undeclared"
    assert places["payments.card_number"] == "purpose_not_permitted"  # declared for advertising
    assert places["customer_health_notes.allergies"] == "not_in_policy"
    assert places["sessions.session_id"] == "ok"  # inline purposes stored in shop.db's DDL
    assert places["support_tickets.customer_email"] == "ok"  # table-level purpose
    assert "customers.email_verified" not in places
    assert not any(place.startswith(("products.", "stores.")) for place in places)
    phone = next(f for f in report["findings"] if f["location"]["column"] == "phone_number")
    assert phone["location"]["source"].endswith("003_profile.sql")
    assert phone["clause"] == "§4c"
    assert not report["skipped"]
    logs = {
        (Path(f["location"]["source"]).name, f["location"]["column"], f["category"]): f
        for f in report["findings"]
        if f["location"]["kind"] == "log"
    }
    client = logs[("access.log", "remote_host", "ip_address")]
    assert client["verdict"] == "ok"  # declared per category for logs/access.log
    assert client["occurrences"]["count"] == 5, "the rotated access.log.1.gz counts as the same log"
    assert client["occurrences"]["first"].endswith("access.log.1.gz:1"), "oldest copy first"
    card = logs[("app.jsonl", "card", "credit_card")]
    assert (card["verdict"], card["warnings"]) == ("undeclared", ["plaintext_sensitive"])
    assert card["occurrences"]["samples"] == ["4*** **** **** 1111"]
    assert logs[("app.jsonl", "customer.email", "email")]["verdict"] == "ok"
    assert logs[("auth.log", None, "account")]["verdict"] == "ok"
    assert "4111 1111 1111 1111" not in json.dumps(report), "values are masked without --show-data"
    assert tree_state(EXAMPLE) == before, "pdscan must never write to what it scans"


def test_the_table_report_groups_by_table_and_says_what_to_do(tmp_path: Path) -> None:
    result = run_pdscan("scan", "examples/shop")
    assert result.returncode == 1
    out = result.stdout
    for text in ("customers", "payments", "undeclared", "purpose_not_permitted", "§4c"):
        assert text in out
    assert "\x1b[" not in out, "no colour codes when NO_COLOR is set or stdout is a pipe"
    assert out.splitlines()[-1].startswith("Next: 2 place(s) hold data the policy never mentions")
    assert "values found in the log" in out and "plaintext_sensitive" in out


def test_identity_documents_in_a_log_are_reported_with_the_plaintext_warning(tmp_path: Path) -> None:
    """The user's report: passport and SSN numbers in a log were "No personal data found"."""
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "id.log").write_text("passport_number=TX1234567 ssn=078-05-1120\n")
    report, result = json_report("logs", cwd=tmp_path)
    assert result.returncode == 1
    found = {(f["location"]["column"], f["category"], tuple(f["warnings"])) for f in report["findings"]}
    assert found == {
        ("passport_number", "identity_document", ("plaintext_sensitive",)),
        ("ssn", "identity_document", ("plaintext_sensitive",)),
    }
    assert "TX1234567" not in result.stdout and "078-05-1120" not in result.stdout
    table = run_pdscan("scan", "logs", cwd=tmp_path).stdout
    assert "identity_document" in table and "plaintext_sensitive" in table and "passport_number" in table


def test_a_declared_card_number_in_clear_text_is_warned_of_in_every_ci_output_and_exits_zero(tmp_path: Path) -> None:
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "pay.log").write_text("card=4111 1111 1111 1111\n")
    (tmp_path / "pdscan.yml").write_text('version: 1\nlogs:\n  "logs/pay.log":\n    fields:\n      card: [payment]\n')
    table = run_pdscan("scan", "logs", cwd=tmp_path)
    assert table.returncode == 0, "a warning fails nothing"
    last = table.stdout.splitlines()[-1]
    assert "Nothing to do" not in last and last.startswith("Next: 1 place(s) hold card, bank-account or identity")
    github = run_pdscan("scan", "logs", "--format", "github", cwd=tmp_path)
    assert github.returncode == 0
    assert github.stdout.startswith("::warning file=logs/pay.log,line=1,title=pdscan%3A plaintext_sensitive")
    sarif = run_pdscan("scan", "logs", "--format", "sarif", cwd=tmp_path)
    assert sarif.returncode == 0
    [result] = json.loads(sarif.stdout)["runs"][0]["results"]
    assert (result["ruleId"], result["level"]) == ("plaintext_sensitive", "warning")


@pytest.mark.parametrize(
    ("fail_on", "expected"),
    [("never", 0), ("undeclared", 1), ("not_in_policy", 1), ("ok", 1)],
)
def test_fail_on_sets_the_exit_code(fail_on: str, expected: int) -> None:
    assert run_pdscan("scan", "examples/shop", "--fail-on", fail_on, "-q").returncode == expected


def test_a_fully_declared_schema_exits_zero(tmp_path: Path) -> None:
    (tmp_path / "schema.sql").write_text(
        "CREATE TABLE users (\n  id int,\n  email varchar(255) -- pdscan: purpose=user_notifications\n);\n"
    )
    result = run_pdscan("scan", "schema.sql", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_json_output_file_is_written_and_validates(tmp_path: Path) -> None:
    output = tmp_path / "report.json"
    result = run_pdscan("scan", "examples/shop", "--format", "json", "--output", str(output))
    assert result.returncode == 1
    assert result.stdout == ""
    report = json.loads(output.read_text())
    jsonschema.Draft202012Validator(report_schema()).validate(report)
    assert report["summary"]["by_verdict"]["undeclared"] >= 1
    assert report["policy"]["id"] == "engoo-dmm-2014"


def test_standard_input_is_scanned(tmp_path: Path) -> None:
    report, _ = json_report(
        "-",
        "--dialect",
        "mysql",
        cwd=tmp_path,
        stdin="CREATE TABLE `customers` (`telephone` varchar(32));\n",
    )
    assert verdicts_by_place(report) == {"customers.telephone": "undeclared"}


def test_bad_files_are_skipped_with_a_line_and_the_scan_goes_on(tmp_path: Path) -> None:
    (tmp_path / "001_ok.sql").write_text("CREATE TABLE users (id int, email text);\n")
    (tmp_path / "002_binary.sql").write_bytes(b"\x00\x01\x02SQLite\x00\xff" * 50)
    (tmp_path / "003_cp1251.sql").write_bytes(
        "CREATE TABLE clients (familiya varchar(50)); -- фамилия\n".encode("cp1251")
    )
    report, result = json_report(".", cwd=tmp_path)
    assert {"users.email", "clients.familiya"} <= set(verdicts_by_place(report))
    assert any("002_binary.sql" in s["source"] for s in report["skipped"])
    assert "002_binary.sql" in result.stderr
    assert run_pdscan("scan", ".", "--strict", "-q", cwd=tmp_path).returncode == 2


def test_usage_errors_exit_two_with_one_clear_line(tmp_path: Path) -> None:
    missing = run_pdscan("scan", "nowhere.sql", cwd=tmp_path)
    assert missing.returncode == 2
    assert "nowhere.sql" in missing.stderr and "Traceback" not in missing.stderr

    bad_policy = tmp_path / "policy.yaml"
    bad_policy.write_text("id: broken\ncategories: [1, 2\n")
    result = run_pdscan("scan", str(EXAMPLE), "--policy", str(bad_policy), cwd=tmp_path)
    assert result.returncode == 2
    assert f"{bad_policy}:" in result.stderr and "Traceback" not in result.stderr


def test_an_unknown_purpose_in_the_data_map_is_an_error_with_its_line(tmp_path: Path) -> None:
    (tmp_path / "schema.sql").write_text("CREATE TABLE users (email text);\n")
    (tmp_path / "pdscan.yml").write_text(
        "version: 1\ndatabases:\n  app:\n    files: ['*.sql']\n    tables:\n      users:\n"
        "        columns:\n          email: [spamming]\n"
    )
    result = run_pdscan("scan", "schema.sql", cwd=tmp_path)
    assert result.returncode == 2
    assert "pdscan.yml:8" in result.stderr and "spamming" in result.stderr


def test_an_unwritable_output_is_an_error(tmp_path: Path) -> None:
    result = run_pdscan("scan", str(EXAMPLE), "--output", str(tmp_path / "missing" / "r.json"))
    assert result.returncode == 2
    assert "cannot write the report" in result.stderr


def test_policy_shows_categories_in_both_languages_and_checks_files(tmp_path: Path) -> None:
    shown = run_pdscan("policy")
    assert shown.returncode == 0
    for text in (
        "credit_card",
        "§4e",
        "IP адрес",
        "Имя",
        "identity_verification",
        "Подтверждение личности",
    ):
        assert text in shown.stdout
    bundled = REPO / "rules" / "policy.yaml"
    assert run_pdscan("policy", "--check", str(bundled)).returncode == 0
    broken = tmp_path / "mine.yaml"
    broken.write_text(
        bundled.read_text(encoding="utf-8").replace("purposes: [", "purposes: [no_such_purpose, ", 1),
        encoding="utf-8",
    )
    result = run_pdscan("policy", "--check", str(broken))
    assert result.returncode == 2
    assert f"{broken}:" in result.stderr and "no_such_purpose" in result.stderr


def test_identical_scans_give_identical_json_but_for_the_time(tmp_path: Path) -> None:
    first, _ = json_report("examples/shop")
    second, _ = json_report("examples/shop")
    assert first.pop("generated_at") and second.pop("generated_at")
    assert first == second
    places = [(f["location"]["database"], f["location"]["table"], f["location"]["column"]) for f in first["findings"]]
    assert places == sorted(places, key=lambda p: (p[0], (p[1] or "").lower(), (p[2] or "").lower()))
    assert len({f["fingerprint"] for f in first["findings"]}) == len(first["findings"])


def test_fingerprints_do_not_move_with_line_numbers(tmp_path: Path) -> None:
    schema = tmp_path / "schema.sql"
    schema.write_text("CREATE TABLE users (id int, email text);\n")
    before, _ = json_report("schema.sql", cwd=tmp_path)
    schema.write_text("-- a new header line\n\nCREATE TABLE users (\n  id int,\n  email text\n);\n")
    after, _ = json_report("schema.sql", cwd=tmp_path)
    assert before["findings"][0]["location"]["line"] != after["findings"][0]["location"]["line"]
    assert before["findings"][0]["fingerprint"] == after["findings"][0]["fingerprint"]


def test_show_data_warns_on_stderr_even_when_quiet(tmp_path: Path) -> None:
    """`--quiet` silences progress and notes, never the warning that the output is personal data."""
    (tmp_path / "app.log").write_text("login from 192.0.2.7\n")
    for extra in ((), ("--quiet",)):
        result = run_pdscan("scan", "app.log", "--format", "ndjson", "--show-data", *extra, cwd=tmp_path)
        assert "192.0.2.7" in result.stdout
        assert "pdscan: warning: --show-data: personal values appear unmasked" in result.stderr, extra
