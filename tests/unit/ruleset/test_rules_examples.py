"""Every data type, value detector and log rule proves itself with the examples it carries in
rules/datatypes.yaml and rules/logs.yaml; generic tests run them all, and rules without proof
are rejected."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from pdscan.detect.line_analyser import LOOKBEHIND
from pdscan.detect.names import NameClassifier
from pdscan.detect.values import ValueDetector
from pdscan.ruleset.checker import PolicyError
from pdscan.ruleset.datatypes import ValueRule, bundled_rules, load_rules
from pdscan.ruleset.log_rules import ContextRule, KeyRule, bundled_log_rules, load_log_rules
from pdscan.ruleset.taxonomy import load_taxonomy
from pdscan.ruleset.value_checks import CHECKS

CLASSIFIER = NameClassifier.bundled()
RULES = CLASSIFIER.rules
VALUES = ValueDetector(RULES.value_detectors)


@dataclass(frozen=True)
class RuleExample:
    """One example of the rules file: a column name or a value, and whether it must match."""

    data_type: str
    detector: str | None  # a value detector's name; None for a column-name example
    text: str
    table: str | None
    sql_type: str | None
    must_match: bool

    def __str__(self) -> str:
        verb = "matches" if self.must_match else "does-not-match"
        if self.detector:
            return f"{self.detector}:{verb}:{self.text}"
        return f"{self.data_type}:{verb}:{self.table or ''}.{self.text}:{self.sql_type or ''}"


def all_examples() -> list[RuleExample]:
    examples = [
        RuleExample(rule.data_type, None, example.column, example.table, example.sql_type, must_match)
        for rule in RULES.data_types
        for must_match, group in ((True, rule.matches), (False, rule.non_matches))
        for example in group
    ]
    examples += [
        RuleExample(rule.data_type, rule.name, text, None, None, must_match)
        for rule in RULES.value_detectors
        for must_match, group in ((True, rule.matches), (False, rule.non_matches))
        for text in group
    ]
    return examples


@pytest.mark.parametrize("example", all_examples(), ids=str)
def test_rule_example(example: RuleExample) -> None:
    if example.detector is None:
        found = [d.data_type for d in CLASSIFIER.classify_name(example.text, example.table, example.sql_type)]
        # A column holds one data type: a positive example must come out as exactly this one.
        assert (found == [example.data_type]) if example.must_match else (example.data_type not in found), found
    else:
        found = [(m.detector, m.data_type) for m in VALUES.find(example.text)]
        assert ((example.detector, example.data_type) in found) is example.must_match, found


def test_every_rule_carries_examples_both_ways() -> None:
    assert RULES.data_types and RULES.value_detectors
    for rule in RULES.data_types:
        assert rule.matches and rule.non_matches, rule.data_type
    for detector in RULES.value_detectors:
        assert detector.matches and detector.non_matches, detector.name


def test_every_data_type_of_the_taxonomy_has_name_rules() -> None:
    assert {rule.data_type for rule in RULES.data_types} == set(load_taxonomy())


def test_a_rule_without_counter_examples_is_rejected() -> None:
    text = """version: 1
data_types:
  user.contact.email:
    names: [{words: [email]}]
    examples: {match: [{column: email}]}
"""
    with pytest.raises(PolicyError, match=r"rules\.yaml:3:3: data type 'user.contact.email' needs examples"):
        load_rules(text, "rules.yaml")


def test_a_value_detector_without_counter_examples_is_rejected() -> None:
    text = r"""version: 1
data_types: {}
value_detectors:
  - name: email
    data_type: user.contact.email
    pattern: '\S+@\S+'
    validator: email
    examples: {match: [a@example.com]}
"""
    with pytest.raises(PolicyError, match=r"rules\.yaml:8:15: a value detector needs examples"):
        load_rules(text, "rules.yaml")


@pytest.mark.parametrize(
    ("snippet", "message"),
    [
        ("names: [{words: [tel, no]}]", "quote YAML's yes/no/on/off"),
        ("names: [{words: [phoneNumber]}]", "not a single lower-case word"),
        ("names: [{words: [phone], colour: red}]", "unknown key 'colour'"),
        ("names: [{words: [phone]}]\n    exclude_types: [text]", "unknown type family 'text'"),
        ("names: [{words: [phone], tables: [big_tables]}]", "neither a table context nor a single lower-case word"),
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
    assert str(error.value).startswith(("rules.yaml:4:", "rules.yaml:5:"))


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("{name: x, data_type: user.contact.email, pattern: '(', validator: email, examples: {}}", "does not compile"),
        ("{name: x, data_type: user.contact.email, pattern: 'a', validator: crc32, examples: {}}", "unknown validator"),
        ("{name: x, data_type: user.pigeon, pattern: 'a', validator: email, examples: {}}", "not a data type"),
        (
            "{name: x, data_type: user.contact.email, pattern: 'a', validator: email, not_after: '(', examples: {}}",
            "not_after pattern does not compile",
        ),
        (
            "{name: x, data_type: user.contact.email, pattern: 'a', validator: email, lookback: 9, examples: {}}",
            "lookback_characters",
        ),
        (
            "{name: x, data_type: user.contact.email, pattern: 'a', validator: email, lookback: 9, "
            "lookback_characters: 'a-z', examples: {}}",
            "one character class",
        ),
    ],
)
def test_value_detector_mistakes_are_reported_with_their_line(entry: str, message: str) -> None:
    text = f"version: 1\ndata_types: {{}}\nvalue_detectors:\n  - {entry}\n"
    with pytest.raises(PolicyError, match=message) as error:
        load_rules(text, "rules.yaml")
    assert str(error.value).startswith("rules.yaml:4:")


def test_an_unknown_data_type_key_is_rejected() -> None:
    text = """version: 1
data_types:
  user.contact.carrier_pigeon:
    names: [{words: [pigeon]}]
    examples: {match: [{column: pigeon}], no_match: [{column: dove}]}
"""
    with pytest.raises(PolicyError, match=r"rules\.yaml:3:3: 'user\.contact\.carrier_pigeon' is not a data type"):
        load_rules(text, "rules.yaml")


LOG_RULES = bundled_log_rules()
KEY_EXAMPLES = [
    pytest.param(rule, key, must_match, id=f"{rule.data_type}:{'matches' if must_match else 'does-not-match'}:{key}")
    for rule in LOG_RULES.keys
    for must_match, group in ((True, rule.matches), (False, rule.non_matches))
    for key in group
]
CONTEXT_EXAMPLES = [
    pytest.param(rule, text, must_match, id=f"{rule.name}:{'matches' if must_match else 'does-not-match'}:{text}")
    for rule in LOG_RULES.contexts
    for must_match, group in ((True, rule.matches), (False, rule.non_matches))
    for text in group
]


@pytest.mark.parametrize(("rule", "key", "must_match"), KEY_EXAMPLES)
def test_log_key_rule_example(rule: KeyRule, key: str, must_match: bool) -> None:
    assert rule.matches_path(key) is must_match
    if must_match:
        assert LOG_RULES.key_rule(key) is rule, "an earlier rule claims this key"
        # the engine looks for keys by these words only: a key without one is never read
        assert re.search(rule.trigger, key, re.IGNORECASE), "the rule's trigger must find its keys"


@pytest.mark.parametrize(("rule", "text", "must_match"), CONTEXT_EXAMPLES)
def test_log_phrase_example(rule: ContextRule, text: str, must_match: bool) -> None:
    match = re.search(rule.pattern, text)
    region = LOG_RULES.default_phone_region
    passes = match is not None and CHECKS[rule.value_check](match.group("value"), region) is not None
    assert passes is must_match
    trigger = re.compile(rule.trigger or rule.pattern)
    if must_match:
        assert trigger.search(text), "the engine's trigger must find what the pattern finds"


TECHNICAL_EXAMPLES = [
    pytest.param(key, must_match, id=f"technical_keys:{'matches' if must_match else 'does-not-match'}:{key}")
    for must_match, group in zip((True, False), LOG_RULES.technical_examples, strict=True)
    for key in group
]


@pytest.mark.parametrize(("key", "must_match"), TECHNICAL_EXAMPLES)
def test_technical_key_example(key: str, must_match: bool) -> None:
    assert LOG_RULES.is_technical(key) is must_match


def test_every_log_rule_carries_examples_both_ways() -> None:
    for rule in (*LOG_RULES.keys, *LOG_RULES.contexts):
        assert rule.matches and rule.non_matches, rule
    assert all(LOG_RULES.technical_examples), "technical_keys needs examples both ways"


def test_a_log_rule_mistake_is_reported_with_its_line() -> None:
    text = """version: 1
keys:
  - data_type: user.contact.no_such_type
    key: 'phone'
    trigger: 'phone'
    value: telepathy
    examples: {match: [phone], no_match: [phone_id]}
contexts:
  - name: broken
    data_type: user.account.username
    pattern: 'Invalid user (\\S+)'
    value: word
    examples: {match: [x], no_match: [y]}
"""
    with pytest.raises(PolicyError) as raised:
        load_log_rules(text, "logs.yaml")
    messages = [str(problem) for problem in raised.value.problems]
    assert any(m.startswith("logs.yaml:3:") and "not a data type" in m for m in messages), messages
    assert any(m.startswith("logs.yaml:6:") and "unknown value check 'telepathy'" in m for m in messages), messages
    assert any(m.startswith("logs.yaml:11:") and "group named `value`" in m for m in messages), messages


def _lookbehind_widths(pattern: str) -> list[tuple[int, int]]:
    import re._parser as parser  # the standard library's own reading of a pattern

    widths: list[tuple[int, int]] = []

    def walk(items: object) -> None:
        for operator, argument in items:  # type: ignore[attr-defined]
            name = str(operator)
            if name in ("ASSERT", "ASSERT_NOT"):
                direction, inner = argument
                if direction < 0:
                    widths.append(inner.getwidth())
                walk(inner)
            elif name == "SUBPATTERN":
                walk(argument[-1])
            elif name == "BRANCH":
                for branch in argument[1]:
                    walk(branch)
            elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
                walk(argument[2])

    walk(parser.parse(pattern))
    return widths


@pytest.mark.parametrize("rule", bundled_rules().value_detectors, ids=lambda rule: rule.name)
def test_value_patterns_look_behind_one_character_at_most(rule: ValueRule) -> None:
    """The log engine remembers a validated candidate by its bytes and the one byte before it
    (`LOOKBEHIND`); a wider lookbehind would make it reuse an answer that no longer holds."""
    assert all(width == (LOOKBEHIND, LOOKBEHIND) for width in _lookbehind_widths(rule.pattern)), rule.pattern
    assert _lookbehind_widths(r"(?<!ab)x(?<=[0-9])") == [(2, 2), (1, 1)], "the reader sees every lookbehind"


def test_technical_keys_without_examples_are_rejected() -> None:
    text = "version: 1\ntechnical_keys: '(?:[a-z_]*_)?version'\n"
    with pytest.raises(PolicyError, match=r"logs\.yaml:2:.*'technical_keys' needs exactly 'key' and 'examples'"):
        load_log_rules(text, "logs.yaml")


def test_a_native_word_must_read_as_single_latin_words() -> None:
    text = """version: 1
native_words:
  電話番号: [denwa bangou]
data_types:
  user.contact.phone_number:
    names: [{words: [denwa]}]
    examples: {match: [{column: denwa}], no_match: [{column: tel_prefix}]}
"""
    with pytest.raises(PolicyError, match=r"'denwa bangou' in '電話番号' is not a single lower-case word"):
        load_rules(text, "rules.yaml")


def test_an_unknown_type_family_that_decides_is_rejected() -> None:
    text = """version: 1
data_types:
  user.device.ip_address:
    names: [{words: [ip]}]
    held_by_types: [ipaddress]
    examples: {match: [{column: ip}], no_match: [{column: zip}]}
"""
    with pytest.raises(PolicyError, match=r"unknown type family 'ipaddress' in 'held_by_types'"):
        load_rules(text, "rules.yaml")
