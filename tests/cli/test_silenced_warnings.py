"""Silencing a `plaintext_sensitive` warning once the team confirmed the values are masked or
tokenised: a `silence:` entry in pdscan.yml, always with a reason, shown in every report with
where it was written, as an ignore is."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import jsonschema
import pytest
from support.ci_repo import validate_sarif
from support.command import run_pdscan
from support.json_reports import report_schema

from pdscan.declarations import DeclarationError, load_data_map
from pdscan.policy import load_policy

REASON = "PSP tokens that pass the Luhn check, confirmed with the PSP (SEC-42)"
DATA_MAP = f"""\
version: 1
logs:
  "logs/pay.log":
    fields:
      card: [payment]
silence:
  - warning: plaintext_sensitive
    place: card
    source: "logs/*.log"
    reason: {REASON}
"""
WHERE = "pdscan.yml:7"


def payments_log(root: Path, data_map: str = DATA_MAP) -> None:
    """Card numbers (tokens, the team says) under `card`, and an IBAN in clear text under `iban`."""
    (root / "logs").mkdir()
    (root / "logs" / "pay.log").write_text("card=4111 1111 1111 1111 iban=GB82WEST12345698765432\n")
    (root / "pdscan.yml").write_text(data_map)


def scan(root: Path, output: str, *args: str) -> str:
    done = run_pdscan("scan", "logs", "--format", output, *args, cwd=root)
    assert done.returncode == 1, done.stderr  # the undeclared IBAN fails; warnings never do
    return done.stdout


def test_a_silenced_warning_leaves_the_warnings_and_keeps_its_reason_and_line(tmp_path: Path) -> None:
    payments_log(tmp_path)
    report = json.loads(scan(tmp_path, "json"))
    jsonschema.Draft202012Validator(report_schema()).validate(report)
    found = {f["location"]["column"]: f for f in report["findings"]}
    assert found["card"]["warnings"] == []
    assert found["card"]["silenced_warnings"] == [
        {"warning": "plaintext_sensitive", "reason": REASON, "silenced_in": WHERE}
    ]
    assert (found["iban"]["warnings"], found["iban"]["silenced_warnings"]) == (["plaintext_sensitive"], [])
    assert found["card"]["verdict"] == "ok", "silencing a warning changes no verdict"


def test_every_report_shows_the_silenced_warning_with_its_reason_and_where(tmp_path: Path) -> None:
    payments_log(tmp_path)
    for output in ("table", "markdown", "html", "csv"):
        text = scan(tmp_path, output)
        assert REASON in text and WHERE in text, output
    rows = list(csv.DictReader(io.StringIO(scan(tmp_path, "csv").lstrip("\ufeff"))))
    card = next(row for row in rows if row["column or field"] == "card")
    assert (card["warnings"], card["silenced warnings"]) == ("", f"plaintext_sensitive ({WHERE}): {REASON}")
    github = scan(tmp_path, "github").splitlines()
    [silenced] = [line for line in github if "card" in line and "plaintext_sensitive" in line]
    assert silenced.startswith("::notice ") and REASON in silenced and WHERE in silenced
    assert [line for line in github if line.startswith("::warning") and "iban" in line], "the IBAN still warns"
    assert github[-1].endswith("1 warning(s), failing nothing; 1 warning(s) silenced"), github[-1]
    sarif = json.loads(scan(tmp_path, "sarif"))
    validate_sarif(sarif)
    warnings = {
        r["message"]["text"].split(":")[0]: r
        for r in sarif["runs"][0]["results"]
        if r["ruleId"] == "plaintext_sensitive"
    }
    card_result, iban_result = warnings["logs/pay.log field card"], warnings["logs/pay.log field iban"]
    [suppression] = card_result["suppressions"]
    assert (suppression["kind"], suppression["status"], suppression["justification"]) == (
        "external",
        "accepted",
        REASON,
    )
    assert suppression["location"]["physicalLocation"]["artifactLocation"]["uri"] == "pdscan.yml"
    assert suppression["location"]["physicalLocation"]["region"]["startLine"] == 7
    assert "suppressions" not in iban_result


def test_the_inventory_shows_it_too(tmp_path: Path) -> None:
    payments_log(tmp_path)
    done = run_pdscan("inventory", "logs", "--category", "credit_card", "--format", "markdown", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert REASON in done.stdout and WHERE in done.stdout


@pytest.mark.parametrize(
    ("entry", "line", "message"),
    [
        ("  - warning: plaintext_sensitive\n    place: card\n", 2, "a silence entry needs a 'reason'"),
        ("  - warning: plaintext_sensitive\n    place: card\n    reason: ' '\n", 4, "a silence entry needs a 'reason'"),
        (
            "  - warning: plaintext_sensitiv\n    place: card\n    reason: tokens\n",
            2,
            "unknown warning 'plaintext_sensitiv' (pdscan's warnings: plaintext_sensitive); "
            "did you mean `plaintext_sensitive`?",
        ),
        ("  - place: card\n    reason: tokens\n", 2, "a silence entry needs 'warning'"),
        ("  - warning: plaintext_sensitive\n    reason: tokens\n", 2, "a silence entry needs 'place'"),
        ("  - warning: plaintext_sensitive\n    place: card\n    reason: x\n    field: y\n", 5, "unknown key 'field'"),
        ("  plaintext_sensitive: tokens\n", 2, "'silence' must be a list"),
    ],
)
def test_a_silence_without_a_reason_or_with_an_unknown_warning_is_an_error_at_its_line(
    tmp_path: Path, entry: str, line: int, message: str
) -> None:
    path = tmp_path / "pdscan.yml"
    path.write_text("silence:\n" + entry)
    with pytest.raises(DeclarationError) as raised:
        load_data_map(path, load_policy())
    found = [problem for problem in raised.value.problems if message in problem.message]
    assert found, [str(problem) for problem in raised.value.problems]
    assert (found[0].path, found[0].line) == (str(path), line)
    done = run_pdscan("scan", str(path.parent), cwd=tmp_path)
    assert done.returncode == 2 and message in done.stderr
