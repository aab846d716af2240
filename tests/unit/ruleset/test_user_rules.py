"""Users' own rules (`--rules`): what they add is found in schemas, logs and sampled rows; what
could hang a scan (a pattern needing backtracking) or is broken (examples it gets wrong) is
refused at load with file:line and the reason; classic catastrophic patterns that RE2 accepts
run in linear time."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from pathlib import Path

import pytest
from support.command import run_pdscan

from pdscan.detect.engine import ENGINE_NAMES
from pdscan.ruleset.linear_patterns import UnsafePattern, compile_linear

SNILS_RULES = r"""version: 1
data_types:
  user.government_id.insurance_number:
    names:
      - words: [strakhovoi, nomer]
    examples:
      match: [{column: strakhovoi_nomer, table: employees}]
      no_match: [{column: nomer_zakaza, table: orders}]
value_detectors:
  - name: snils
    data_type: user.government_id.insurance_number
    pattern: '\b\d{3}-\d{3}-\d{3} \d{2}\b'
    validator: none
    examples:
      match: ["snils 112-233-445 95 ok"]
      no_match: ["112-233-44", "1112-233-445 95"]
"""
SNILS_VALUES = ["112-233-445 95", "120-331-987 04", "203-114-556 21", "318-442-009 77", "427-551-338 12"]
INSURANCE = "user.government_id.insurance_number"


def _value_rule(name: str, pattern: str, match: str, no_match: str) -> str:
    return f"""
  - name: {name}
    data_type: {INSURANCE}
    pattern: '{pattern}'
    validator: none
    examples: {{match: ["{match}"], no_match: ["{no_match}"]}}
"""


def _findings(result: subprocess.CompletedProcess[str]) -> list[dict]:
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)["findings"]


def test_user_rules_are_found_in_schemas_logs_and_sampled_rows(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(SNILS_RULES)
    (tmp_path / "employees.sql").write_text("CREATE TABLE employees (id int, strakhovoi_nomer text);\n")
    (tmp_path / "app.log").write_text("".join(f"2026-11-25 checked snils {value} ok\n" for value in SNILS_VALUES))
    with sqlite3.connect(tmp_path / "hr.db") as connection:
        connection.execute("CREATE TABLE staff (id integer, remark text)")
        connection.executemany(
            "INSERT INTO staff VALUES (?, ?)", [(i, f"SNILS {v}") for i, v in enumerate(SNILS_VALUES)]
        )
    targets = [str(tmp_path / name) for name in ("employees.sql", "app.log", "hr.db")]

    without = _findings(run_pdscan("scan", *targets, "--format", "json", "-q"))
    assert not [finding for finding in without if finding["data_type"] == INSURANCE]

    result = run_pdscan("scan", *targets, "--rules", str(rules), "--format", "json", "-q")
    found = {
        (finding["location"]["kind"], finding["location"]["column"])
        for finding in _findings(result)
        if finding["data_type"] == INSURANCE
    }
    assert found == {("ddl", "strakhovoi_nomer"), ("log", None), ("sqlite", "remark")}
    report = json.loads(result.stdout)
    assert ".user-" in report["tool"]["rules_version"]  # the report names the rules that made it
    for value in SNILS_VALUES:
        assert value not in result.stdout  # masked like every other value


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        (r"(?<![\d-])\d{11}", "uses a negative look-behind `(?<!`, which needs a backtracking engine"),
        (r"\d{11}(?=\s)", "uses a look-ahead `(?=`, which needs a backtracking engine"),
        (r"(\d)\1{10}", r"uses a back-reference (\1), which needs a backtracking engine"),
        (r"(\d{1000}){1000}", "is too large for a linear-time engine"),
    ],
)
def test_patterns_that_need_backtracking_are_refused_with_the_reason(tmp_path: Path, pattern: str, reason: str) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text("value_detectors:" + _value_rule("mine", pattern, "12345678901", "1"))
    (tmp_path / "app.log").write_text("nothing here\n")
    result = run_pdscan("scan", str(tmp_path / "app.log"), "--rules", str(rules), "-q")
    assert result.returncode == 2
    assert f"{rules}:4:14: 'pattern' is refused: it {reason}" in result.stderr, result.stderr
    assert result.stdout == ""  # no report from rules that were refused


def test_examples_are_checked_at_load_and_every_problem_named(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "value_detectors:"
        + _value_rule("wrong_way", r"X\d+", "Y12", "X1")
        + _value_rule("email", r"\S+@\S+", "a@b.example", "nothing")
        + "data_types:\n"
        + "  user.government_id.insurance_number:\n"
        + "    names: [{words: [snils]}]\n"
        + "    examples: {match: [{column: snils, table: employees}], no_match: [{column: id}]}\n"
    )
    (tmp_path / "app.log").write_text("nothing here\n")
    result = run_pdscan("scan", str(tmp_path / "app.log"), "--rules", str(rules), "-q")
    assert result.returncode == 2
    errors = result.stderr.splitlines()
    assert (
        f"pdscan: error: {rules}:6:15: value detector 'wrong_way': the example 'Y12' must match but does not" in errors
    )
    assert (
        f"pdscan: error: {rules}:6:15: value detector 'wrong_way': the example 'X1' must not match but does" in errors
    )
    assert any(f"{rules}:8:11: a value detector named 'email' exists already" in line for line in errors), errors


def test_a_column_example_another_rule_claims_is_refused(tmp_path: Path) -> None:
    """The bundled rules read `snils` as a national number: a user's rule saying otherwise for
    the same name would make every scan ambiguous, so it is named at the data type's line."""
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "data_types:\n"
        "  user.government_id.insurance_number:\n"
        "    names: [{words: [snils]}]\n"
        "    examples: {match: [{column: snils, table: employees}], no_match: [{column: id}]}\n"
    )
    result = run_pdscan("scan", str(tmp_path), "--rules", str(rules), "-q")
    assert result.returncode == 2
    assert (
        f"{rules}:2:3: data type '{INSURANCE}': the column example 'snils' must match but comes out as "
        "user.government_id.national_identification_number"
    ) in result.stderr


# Patterns that take exponential time on a backtracking engine (Python's `re` needs longer
# than the age of the universe for these lines); RE2 reads each line once.
CATASTROPHIC = [  # pattern, a hostile line, an example it matches
    (r"(a+)+$", "a" * 30_000 + "!", "aaa"),
    (r"(a|aa)+$", "a" * 30_000 + "!", "aa"),
    (r"(x+x+)+y", "x" * 30_000, "xxy"),
    (r"^(\w+\s?)+$", "word " * 6_000 + "!", "two words"),
    (r"(\d+)*[a-z]@", "1" * 30_000, "12a@"),
]


def test_catastrophic_patterns_scan_in_linear_time(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "value_detectors:"
        + "".join(
            _value_rule(f"evil_{index}", pattern, example, "!")
            for index, (pattern, _, example) in enumerate(CATASTROPHIC)
        )
    )
    log = tmp_path / "hostile.log"
    log.write_text("".join(line + "\n" for _, line, _ in CATASTROPHIC) * 20)
    # A value is searched whole wherever a trigger fired in it (the `a` at its end), so a
    # backtracking engine would try every way to split the run before it.
    with sqlite3.connect(tmp_path / "hostile.db") as connection:
        connection.execute("CREATE TABLE notes (id integer, body text)")
        connection.executemany(
            "INSERT INTO notes VALUES (?, ?)", [(i, f"{line} a xxy") for i, (_, line, _) in enumerate(CATASTROPHIC)]
        )
    # A generous guard against a hang, not a speed measurement: the scan takes seconds.
    result = run_pdscan(
        "scan", str(log), str(tmp_path / "hostile.db"), "--rules", str(rules), "--format", "json", "-q", timeout=300
    )
    assert result.returncode in (0, 1), result.stderr
    sources = json.loads(result.stdout)["sources"]
    assert [(source["kind"], source.get("lines") or source.get("rows")) for source in sources] == [
        ("sqlite", 5),
        ("log", 100),
    ]


# Patterns aimed at the engines themselves rather than at backtracking: `a+!` made Hyperscan
# write the scanned bytes over its own stack (a segmentation fault, exit 139, on any block of
# 300 bytes or more); others it refused only once the scan had started. A pattern either runs,
# or is refused at load with file:line before anything is read; whatever `--text-engine` says.
LONG_ALTERNATION = "|".join(f"w{number}x" for number in range(3_000))
EMPTY = "is refused: it matches empty text; make it take a character (`a+`, not `a*`)"
HOSTILE = [  # id, pattern, an example it matches, one it does not, a trigger, why it is refused at load
    ("one-byte-run", r"a+!", "a" * 600 + "!", "bbb", None, None),
    ("nested-quantifiers", r"(a+)+$", "aaa", "b", None, None),
    ("overlapping-alternation", r"(a|aa)+$", "aa", "b", None, None),
    ("repeated-dot-star", r"(.*a){20}", "a" * 20, "b", None, None),
    ("bounded-run", r"[a-z]{1,1000}!", "ab!", "12", None, None),
    ("huge-bounded-repeat", r"a{1000}{1000}", "a", "b", None, "bad repetition operator"),
    ("long-alternation", f"(?:{LONG_ALTERNATION})!", "w7x!", "w7y!", None, None),
    ("empty-match", r"a*", "a", "b", None, f"'pattern' {EMPTY}"),
    ("empty-match-trigger", r"b+c", "bc", "xx", r"a*", f"'trigger' {EMPTY}"),
    ("unicode-class", r"\p{Greek}+", "αβγ", "abc", None, None),
    ("unicode-class-repeat", r"[\p{Cyrillic}]{3,}", "абв", "abc", None, None),
]
HOSTILE_LINES = ["a" * 500 + "!", "a" * 5_000, "w7x!" * 300, "αβγδ" * 200 + "!", "абвг" * 300, "x" * 300 + "!"]


@pytest.mark.parametrize("engine", ENGINE_NAMES)
@pytest.mark.parametrize(
    ("pattern", "match", "no_match", "trigger", "refused"), [case[1:] for case in HOSTILE], ids=[c[0] for c in HOSTILE]
)
def test_hostile_patterns_never_crash_a_scan_on_any_engine(
    tmp_path: Path, engine: str, pattern: str, match: str, no_match: str, trigger: str | None, refused: str | None
) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "value_detectors:\n  - name: hostile\n    data_type: user.contact.email\n"
        f"    pattern: {json.dumps(pattern)}\n"
        + (f"    trigger: {json.dumps(trigger)}\n" if trigger else "")
        + f"    validator: none\n    examples: {{match: [{json.dumps(match)}], no_match: [{json.dumps(no_match)}]}}\n"
    )
    (tmp_path / "app.log").write_text("".join(line + "\n" for line in HOSTILE_LINES) * 3)
    with sqlite3.connect(tmp_path / "notes.db") as connection:  # sampled values reach the engine too
        connection.execute("CREATE TABLE notes (id integer, body text)")
        connection.executemany("INSERT INTO notes VALUES (?, ?)", enumerate(HOSTILE_LINES))
    targets = [str(tmp_path / "app.log"), str(tmp_path / "notes.db")]
    result = run_pdscan("scan", *targets, "--rules", str(rules), "--text-engine", engine, "--format", "json", "-q")
    if refused:
        assert result.returncode == 2, result.stderr
        [error] = result.stderr.splitlines()
        assert error.startswith(f"pdscan: error: {rules}:"), error
        assert refused in error
        assert result.stdout == ""
    else:
        assert result.returncode in (0, 1), (result.returncode, result.stderr)
        assert json.loads(result.stdout)["sources"][0]["lines"] == 3 * len(HOSTILE_LINES)


@pytest.mark.parametrize("engine", ENGINE_NAMES)
def test_user_rules_run_on_re2_whatever_the_text_engine(tmp_path: Path, engine: str) -> None:
    """`--text-engine` picks the engine of the bundled rules; users' patterns always run on RE2,
    as their rule files were checked at load (a Greek letter class is Greek letters)."""
    rules = tmp_path / "rules.yaml"
    rules.write_text(SNILS_RULES + _value_rule("greek_code", r"\p{Greek}{3}-\d{4}", "κωδ-1234", "abc-1234"))
    (tmp_path / "app.log").write_text("snils 112-233-445 95\ncode κωδ-2071 issued\n")
    log = str(tmp_path / "app.log")
    result = run_pdscan("scan", log, "--rules", str(rules), "--text-engine", engine, "--format", "json")
    evidence = " ".join(item["text"] for finding in _findings(result) for item in finding["evidence"])
    assert "`snils`" in evidence
    assert "`greek_code`" in evidence


def test_compile_linear_refuses_what_re2_cannot_run_and_keeps_quiet() -> None:
    with pytest.raises(UnsafePattern, match="look-behind"):
        compile_linear(r"(?<=x)y")
    assert compile_linear(rb"(a+)+$").search(b"a" * 100_000 + b"!") is None
