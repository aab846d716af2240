"""Every data type proves itself with the examples it carries in rules/datatypes.yaml."""

import pytest

from pdscan.detect.names import NameClassifier
from pdscan.detect.rules import Example, load_rules
from pdscan.detect.values import ValueDetector
from pdscan.policy import PolicyError

CLASSIFIER = NameClassifier.bundled()
RULES = CLASSIFIER.rules


def cases(kind: str) -> list[tuple[str, Example]]:
    return [
        (rule.data_type, example)
        for rule in RULES.data_types
        for example in (rule.matches if kind == "match" else rule.non_matches)
    ]


def case_id(case: tuple[str, Example]) -> str:
    data_type, example = case
    return f"{data_type}:{example.table or ''}.{example.column}:{example.sql_type or ''}"


@pytest.mark.parametrize("case", cases("match"), ids=case_id)
def test_example_matches_its_data_type(case: tuple[str, Example]) -> None:
    data_type, example = case
    detections = CLASSIFIER.classify_name(example.column, example.table, example.sql_type)
    assert [d.data_type for d in detections] == [data_type]


@pytest.mark.parametrize("case", cases("no_match"), ids=case_id)
def test_counter_example_does_not_match_its_data_type(case: tuple[str, Example]) -> None:
    data_type, example = case
    detections = CLASSIFIER.classify_name(example.column, example.table, example.sql_type)
    assert data_type not in [d.data_type for d in detections]


def test_every_data_type_carries_examples_both_ways() -> None:
    assert RULES.data_types
    for rule in RULES.data_types:
        assert rule.matches and rule.non_matches, rule.data_type


def test_a_rule_without_counter_examples_is_rejected() -> None:
    text = """
version: 1
qualifiers: []
table_words: {}
data_types:
  user.contact.email:
    names: [{words: [email]}]
    examples: {match: [{column: email}]}
"""
    with pytest.raises(PolicyError, match=r"rules\.yaml:6:3: data type 'user.contact.email' needs examples"):
        load_rules(text, "rules.yaml")


@pytest.mark.parametrize(
    ("snippet", "message"),
    [
        ("names: [{words: [tel, no]}]", "quote YAML's yes/no/on/off"),
        ("names: [{words: [phoneNumber]}]", "not a single lower-case word"),
        ("names: [{words: [phone], colour: red}]", "unknown key 'colour'"),
        ("names: [{words: [phone]}]\n    exclude_types: [text]", "unknown type family 'text'"),
    ],
)
def test_rule_mistakes_are_reported_with_their_line(snippet: str, message: str) -> None:
    text = f"""version: 1
data_types:
  user.contact.phone_number:
    {snippet}
    examples: {{match: [{{column: phone}}], no_match: [{{column: phone_id}}]}}
"""
    with pytest.raises(PolicyError, match=message) as error:
        load_rules(text, "rules.yaml")
    assert str(error.value).startswith("rules.yaml:4:") or str(error.value).startswith("rules.yaml:5:")


def test_an_unknown_data_type_key_is_rejected() -> None:
    text = """version: 1
data_types:
  user.contact.carrier_pigeon:
    names: [{words: [pigeon]}]
    examples: {match: [{column: pigeon}], no_match: [{column: dove}]}
"""
    with pytest.raises(PolicyError, match=r"rules\.yaml:3:3: 'user\.contact\.carrier_pigeon' is not a data type"):
        load_rules(text, "rules.yaml")


VALUES = ValueDetector(RULES.value_detectors)
VALUE_CASES = [(rule.name, rule.data_type, text, True) for rule in RULES.value_detectors for text in rule.matches] + [
    (rule.name, rule.data_type, text, False) for rule in RULES.value_detectors for text in rule.non_matches
]


@pytest.mark.parametrize(("detector", "data_type", "text", "expected"), VALUE_CASES)
def test_value_detector_examples(detector: str, data_type: str, text: str, expected: bool) -> None:
    found = [(m.detector, m.data_type) for m in VALUES.find(text)]
    assert ((detector, data_type) in found) is expected, found


def test_every_value_detector_carries_examples_both_ways() -> None:
    assert {rule.name for rule in RULES.value_detectors} >= {"email", "card_number", "iban", "imei", "ipv4", "ipv6"}
    for rule in RULES.value_detectors:
        assert rule.matches and rule.non_matches, rule.name
