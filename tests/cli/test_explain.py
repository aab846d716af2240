"""`pdscan explain`: why a column, a log field or a value came out as it did, read from the
code that classifies (so it agrees with a scan), values masked unless --show-data."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from support.command import run_pdscan
from support.file_state import tree_state

from pdscan.detect.explain import DROPPED, MATCHED, Explainer
from pdscan.detect.names import NameClassifier
from pdscan.detect.values import ValueDetector
from pdscan.policy import load_policy
from pdscan.ruleset.datatypes import bundled_rules
from pdscan.ruleset.log_rules import bundled_log_rules
from pdscan.ruleset.taxonomy import load_taxonomy

CARD = "4111 1111 1111 1111"  # a test card number: Luhn-valid, Visa range
NOT_A_CARD = "4111 1111 1111 1112"  # the same with its check digit wrong
SCHEMA = """CREATE TABLE preferences (id integer PRIMARY KEY, user_id integer, language varchar(8));
CREATE TABLE pages (id integer PRIMARY KEY, title text, language varchar(8));
CREATE TABLE users (id integer PRIMARY KEY, email varchar(255), email_verified boolean);
"""
ACME_POLICY = """policy: {id: acme-2024, title: Acme privacy policy, version: "2024-01-01"}
purposes:
  - {id: delivery, title: {en: Delivery of goods, ru: Доставка товаров}, clause: "§4a", text_ru: "доставка товаров"}
categories:
  - id: contact_email
    title: {en: E-mail address, ru: Адрес электронной почты}
    clause: "§4c"
    text_ru: "c) Адрес электронной почты"
    data_types: [user.contact.email]
    purposes: [delivery]
"""
RAILS_SCHEMA = """ActiveRecord::Schema[7.1].define(version: 2026_11_01_000000) do
  create_table "users", force: :cascade do |t|
    t.string "email", null: false
    t.boolean "email_verified"
  end
end
"""
SNILS_RULES = """version: 1
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
    pattern: '\\b\\d{3}-\\d{3}-\\d{3} \\d{2}\\b'
    validator: none
    examples:
      match: ["snils 112-233-445 95 ok"]
      no_match: ["112-233-44"]
"""


def explained(*args: str) -> dict:
    result = run_pdscan("explain", *args, "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def outcomes(document: dict, key: str = "steps") -> list[tuple[str, str, str]]:
    return [(step["rule"], step["looks_for"], step["outcome"]) for step in document[key]]


def test_a_matched_column_shows_its_evidence_category_and_permitted_purposes() -> None:
    document = explained("customers.email", "--type", "varchar(255)")
    [result] = document["results"]
    assert result["data_type"] == "user.contact.email"
    assert {"kind": "table", "text": "table `customers` is about people"} in result["evidence"]
    assert result["category"] == "email"
    assert "customer_support" in result["purposes"]
    assert outcomes(document) == [("user.contact.email", "email", MATCHED)]
    assert document["table_contexts"] == {"person": "table word `customer`", "people": "table word `customer`"}


def test_a_column_dropped_by_a_qualifier_names_the_qualifier() -> None:
    result = run_pdscan("explain", "users.email_verified", "--type", "boolean")
    assert result.returncode == 0, result.stderr
    text = " ".join(result.stdout.split())
    assert "No rule matched" in text
    assert "`verified` is a qualifier (it makes the column about the e-mail address" in text


def test_a_column_nothing_matched_lists_the_nearest_candidates_with_what_is_missing() -> None:
    document = explained("customers.birth_place")
    assert document["results"] == []
    assert document["conclusion"].startswith("no rule matched `birth_place`")
    nearest = {(step["rule"], step["looks_for"]): step["reason"] for step in document["nearest"]}
    assert nearest[("user.demographic.date_of_birth", "birth date")] == "the name has `birth` but not `date`"


def test_a_table_context_decides_the_same_column_in_two_tables() -> None:
    linked = explained("preferences.language", "--columns", "id,user_id,language")
    unlinked = explained("pages.language", "--columns", "id,title,language")
    assert [result["data_type"] for result in linked["results"]] == ["user.device.language"]
    assert linked["table_contexts"]["linked_to_person"] == "column `user_id`"
    assert unlinked["results"] == []
    reasons = [step["reason"] for step in unlinked["nearest"] if step["outcome"] == "dropped"]
    assert "the pattern needs a table that links each row to a person (linked_to_person); table `pages` is not one" in (
        reasons
    )


def test_in_reads_the_table_its_sql_type_and_columns_from_a_ddl_file_or_a_sqlite_database(tmp_path: Path) -> None:
    schema = tmp_path / "schema.sql"
    schema.write_text(SCHEMA)
    database = tmp_path / "app.db"
    with sqlite3.connect(database) as connection:
        connection.executescript(SCHEMA)
    before = tree_state(tmp_path)
    for source in (str(schema), f"sqlite:///{database}"):
        linked = explained("preferences.language", "--in", source)
        assert linked["place"]["sibling_columns"] == ["id", "user_id", "language"]
        assert [result["data_type"] for result in linked["results"]] == ["user.device.language"]
        assert explained("pages.language", "--in", source)["results"] == []
        flag = explained("users.email_verified", "--in", source)
        assert flag["place"]["sql_type"] == "boolean"
    assert tree_state(tmp_path) == before  # read, never written


def test_in_reads_an_orm_schema_and_finds_a_schema_qualified_table(tmp_path: Path) -> None:
    (tmp_path / "db").mkdir()
    (tmp_path / "db" / "schema.rb").write_text(RAILS_SCHEMA)
    flag = explained("users.email_verified", "--in", str(tmp_path / "db" / "schema.rb"))
    assert (flag["place"]["sql_type"], flag["results"]) == ("boolean", [])
    schema = tmp_path / "schema.sql"
    schema.write_text("CREATE TABLE sales.users (id int, email text);\nCREATE TABLE audit.users (id int, note text);\n")
    email = explained("sales.users.email", "--in", str(schema))
    assert (email["place"]["table"], email["results"][0]["data_type"]) == ("sales.users", "user.contact.email")
    ambiguous = run_pdscan("explain", "users.email", "--in", str(schema))
    assert ambiguous.returncode == 2
    assert "may be sales.users, audit.users: name the schema" in ambiguous.stderr


def test_the_policy_given_decides_the_category_and_purposes(tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(ACME_POLICY)
    document = explained("customers.email", "--policy", str(policy))
    [result] = document["results"]
    assert (document["policy"], result["category"], result["purposes"]) == ("acme-2024", "contact_email", ["delivery"])
    uncovered = explained("customers.phone", "--policy", str(policy))
    assert uncovered["results"][0]["category"] is None


def test_a_users_rule_from_rules_wins_and_is_named(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(SNILS_RULES)
    assert explained("employees.strakhovoi_nomer")["results"] == []
    document = explained("employees.strakhovoi_nomer", "--rules", str(rules))
    assert [result["data_type"] for result in document["results"]] == ["user.government_id.insurance_number"]
    assert ("user.government_id.insurance_number", "strakhovoi nomer", MATCHED) in outcomes(document)
    assert document["rules"] == [str(rules)]
    value = explained("--value", "snils 112-233-445 95", "--rules", str(rules))
    assert ("snils", "pattern, then validator `none`", MATCHED) in outcomes(value)
    assert [result["data_type"] for result in value["results"]] == ["user.government_id.insurance_number"]
    assert "112-233-445 95" not in json.dumps(value)


def test_a_log_field_names_its_key_rule_and_the_check_its_value_passes() -> None:
    document = explained("--field", "request.headers.User-Agent")
    assert document["place"]["compared_as"] == ["user_agent", "headers.user_agent"]
    assert ("user.device.user_agent", MATCHED) in [(rule, outcome) for rule, _, outcome in outcomes(document)]
    assert [result["data_type"] for result in document["results"]] == ["user.device.user_agent"]
    placeholder = explained("--field", "client_ip", "--value", "REDACTED")
    assert placeholder["results"] == []
    assert any("placeholder" in step["reason"] for step in placeholder["steps"])


def test_a_technical_field_drops_what_its_value_looks_like() -> None:
    document = explained("--field", "service.version", "--value", "1.28.5.145")
    assert document["results"] == []
    assert ("ipv4", "pattern, then validator `ipv4`", "dropped") in outcomes(document)


def test_a_card_number_passes_its_validator_and_is_masked() -> None:
    result = run_pdscan("explain", "--value", f"paid with {CARD}", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert CARD not in result.stdout and CARD.replace(" ", "") not in result.stdout
    document = json.loads(result.stdout)
    assert document["place"]["value"] == "paid with 4*** **** **** 1111"
    [result_] = document["results"]
    assert (result_["data_type"], result_["category"], result_["value"]) == (
        "user.financial.credit_card.number",
        "credit_card",
        "4*** **** **** 1111",
    )
    assert ("card_number", "pattern, then validator `card_number`", MATCHED) in outcomes(document)


def test_a_luhn_invalid_number_is_refused_by_the_validator_which_says_so() -> None:
    result = run_pdscan("explain", "--value", NOT_A_CARD)
    assert result.returncode == 0, result.stderr
    assert NOT_A_CARD not in result.stdout  # shaped like a card: masked all the same
    text = " ".join(result.stdout.split())
    assert "No rule matched" in text
    assert "validator `card_number` refused it" in text and "Luhn" in text


def test_show_data_shows_the_values_and_warns() -> None:
    result = run_pdscan("explain", "--field", "client_ip", "--value", "203.0.113.7", "--show-data")
    assert result.returncode == 0
    assert "203.0.113.7" in result.stdout
    assert "--show-data" in result.stderr
    masked = run_pdscan("explain", "--field", "client_ip", "--value", "203.0.113.7")
    assert "203.0.113.7" not in masked.stdout and "203.0.113.x" in masked.stdout


def test_json_output_has_a_stable_shape() -> None:
    document = explained("users.email_verified", "--type", "boolean")
    assert set(document) == {
        "explanation_version",
        "kind",
        "place",
        "rules",
        "policy",
        "table_contexts",
        "overruled_contexts",
        "steps",
        "results",
        "nearest",
        "conclusion",
    }
    assert document["kind"] == "column"
    assert document["place"] == {
        "table": "users",
        "column": "email_verified",
        "words": ["email", "verified"],
        "sql_type": "boolean",
        "sibling_columns": [],
    }
    for step in document["steps"] + document["nearest"]:
        assert set(step) == {"rule", "looks_for", "outcome", "reason", "found", "condition"}
    assert [step["condition"] for step in document["steps"]] == ["qualifiers"]


def test_text_output_is_coloured_when_asked_and_never_under_no_color() -> None:
    result = run_pdscan("explain", "customers.email")  # the helper sets NO_COLOR
    assert result.returncode == 0 and "\x1b[" not in result.stdout
    coloured = run_pdscan("explain", "customers.email", "--color", env={"NO_COLOR": None})
    assert coloured.returncode == 0 and "\x1b[" in coloured.stdout


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["email"], "PLACE 'email' is not table.column"),
        (["customers."], "is not table.column"),
        ([], "nothing to explain"),
        (["--type", "text"], "give it as PLACE"),
        (["users.email", "--field", "email"], "not both"),
    ],
)
def test_a_bad_place_is_one_line_and_exit_2(arguments: list[str], message: str) -> None:
    result = run_pdscan("explain", *arguments)
    assert result.returncode == 2
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("pdscan: error: ") and message in line


def test_an_unknown_table_or_column_in_the_source_is_one_line_and_exit_2(tmp_path: Path) -> None:
    schema = tmp_path / "schema.sql"
    schema.write_text(SCHEMA)
    for place, message in (("invoices.email", "no table `invoices`"), ("users.phone", "has no column `phone`")):
        result = run_pdscan("explain", place, "--in", str(schema))
        assert result.returncode == 2
        [line] = result.stderr.splitlines()
        assert message in line and "users" in line


def test_the_explanation_agrees_with_the_classifier_on_every_rule_example() -> None:
    """The explanation is read from the classifier's own trials: its matched step is the
    detection's data type, for every column example of the bundled rules."""
    rules = bundled_rules()
    classifier = NameClassifier(rules)
    explainer = Explainer(
        classifier, ValueDetector(rules.value_detectors), bundled_log_rules(), load_policy(), load_taxonomy()
    )
    for rule in rules.data_types:
        for example in (*rule.matches, *rule.non_matches):
            detections = classifier.classify_name(example.column, example.table, example.sql_type)
            explanation = explainer.column(example.column, example.table or "", example.sql_type)
            matched = [step.rule for step in explanation.steps if step.outcome == MATCHED]
            assert matched == [detection.data_type for detection in detections], example
            assert [result.data_type for result in explanation.results] == matched


def test_a_first_word_that_abbreviates_the_table_is_set_aside_and_said_so() -> None:
    document = explained("hs_emp_children.ec_name")
    assert [result["data_type"] for result in document["results"]] == ["user.name.full"]
    [held] = [step for step in document["steps"] if step["outcome"] == MATCHED]
    assert held["reason"].startswith("with `ec` set aside (it abbreviates the name of table `hs_emp_children`)")
    elsewhere = explained("invoices.ec_name")
    assert elsewhere["results"] == []
    prefixed = {step["rule"]: step["reason"] for step in elsewhere["nearest"] if step["condition"] == "table_prefix"}
    assert (
        prefixed["user.name.full"]
        == "the rest of the name has it, but `ec` does not abbreviate the name of table `invoices`"
    )


def test_a_sql_type_made_for_a_data_type_decides_when_no_name_does_except_in_a_business_table() -> None:
    held = explained("audit.client", "--type", "inet")
    assert [result["data_type"] for result in held["results"]] == ["user.device.ip_address"]
    assert outcomes(held) == [("user.device.ip_address", "SQL type network (`held_by_types`)", MATCHED)]
    assert "SQL type `inet` is made for IP address" in held["steps"][0]["reason"]
    servers = explained("servers.client", "--type", "inet")
    assert servers["results"] == []
    [dropped] = servers["nearest"][:1]
    assert (dropped["condition"], dropped["outcome"]) == ("not_tables", DROPPED)
    assert "(business), as table `servers` does" in dropped["reason"]
    subnet = explained("hosts.client_subnet", "--type", "inet")
    assert subnet["results"] == []
    assert subnet["nearest"][0]["condition"] == "exclude"


def test_a_boolean_column_matches_no_name_pattern_and_says_why() -> None:
    document = explained("users.phone", "--type", "boolean")
    assert document["results"] == []
    dropped = [step for step in document["nearest"] if step["outcome"] == DROPPED]
    assert [(step["looks_for"], step["condition"]) for step in dropped] == [("phone", "boolean")]
    assert "SQL type `boolean` is a yes or no: it says whether, never what" in dropped[0]["reason"]
    assert [result["data_type"] for result in explained("users.phone")["results"]] == ["user.contact.phone_number"]


def test_a_context_overruled_by_the_head_word_of_the_table_is_shown_with_what_overruled_it() -> None:
    people = explained("shop_customers.name")
    assert [result["data_type"] for result in people["results"]] == ["user.name.full"]
    assert "business" not in people["table_contexts"]
    assert people["overruled_contexts"] == {
        "business": "table word `shop`, overruled by head word `customer` of context `people` (`unless_head`)"
    }
    groups = explained("customer_groups.name")
    assert groups["results"] == [] and groups["overruled_contexts"] == {}
    assert groups["table_contexts"]["business"] == "table word `group`"
    assert groups["nearest"][0]["condition"] == "not_tables"


def test_run_together_words_read_apart_are_named_in_the_reason() -> None:
    document = explained("customers.passportissueddate")
    assert [result["data_type"] for result in document["results"]] == ["user.government_id.passport_number"]
    [held] = [step for step in document["steps"] if step["outcome"] == MATCHED]
    assert held["reason"].startswith("read with its run-together words apart (`passport issueddate`)")


def test_a_log_key_under_a_parent_that_names_a_thing_is_dropped_by_not_under() -> None:
    document = explained("--field", "job.name")
    assert document["results"] == []
    [dropped] = [step for step in document["steps"] if step["outcome"] == DROPPED]
    assert dropped["condition"] == "not_under"
    assert "under `job` it names something else" in dropped["reason"]
