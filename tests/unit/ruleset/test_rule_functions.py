"""A data type names its mask and its value check in rules/datatypes.yaml, from the functions
pdscan has (`MASKS`, `CHECKS`); a name that is none of them is a typo that would silently mask
or check the wrong way, so it fails at load with file:line and the name meant."""

from __future__ import annotations

import importlib.resources
from pathlib import Path

import pytest

from pdscan.detect.masking import MASKS, mask, masks_by_type
from pdscan.detect.user_rules import load_user_rules
from pdscan.ruleset.checker import PolicyError
from pdscan.ruleset.datatypes import bundled_rules, load_rules
from pdscan.ruleset.log_rules import load_log_rules
from pdscan.ruleset.value_checks import CHECKS
from pdscan.ruleset.yaml_lines import ProblemsError


def _bundled(name: str) -> str:
    return (importlib.resources.files("pdscan.rules") / name).read_text(encoding="utf-8")


def _line_of(text: str, needle: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), 1) if needle in line)


def _messages(raised: pytest.ExceptionInfo[ProblemsError]) -> list[str]:
    return [str(problem) for problem in raised.value.problems]


def test_every_data_type_masks_and_checks_with_functions_pdscan_has() -> None:
    rules = bundled_rules()
    masks = masks_by_type(rules)
    assert set(masks) == {rule.data_type for rule in rules.data_types}
    assert {rule.check.name for rule in rules.data_types if rule.check} <= set(CHECKS)
    assert {used.name for used in masks.values()} <= set(MASKS)


def test_a_mistyped_mask_fails_with_its_line_and_the_name_meant() -> None:
    text = _bundled("datatypes.yaml").replace("mask: email", "mask: emial", 1)
    line = _line_of(text, "mask: emial")
    with pytest.raises(ProblemsError) as raised:
        masks_by_type(load_rules(text, "datatypes.yaml"))
    (message,) = _messages(raised)
    assert message.startswith(f"datatypes.yaml:{line}:"), message
    assert "unknown mask 'emial'" in message and "did you mean `email`?" in message, message


def test_a_mask_parameter_it_does_not_take_fails_with_what_it_takes() -> None:
    text = _bundled("datatypes.yaml").replace("{first: 0, last: 2}", "{frist: 0, last: 2}", 1)
    line = _line_of(text, "frist")
    with pytest.raises(ProblemsError) as raised:
        masks_by_type(load_rules(text, "datatypes.yaml"))
    (message,) = _messages(raised)
    assert message.startswith(f"datatypes.yaml:{line}:"), message
    assert "mask 'keep_digits' takes first, last" in message, message


def test_a_mistyped_column_check_fails_at_load_with_its_line_and_the_name_meant() -> None:
    text = _bundled("datatypes.yaml").replace("check: phone", "check: phon", 1)
    line = _line_of(text, "check: phon")
    with pytest.raises(PolicyError) as raised:
        load_rules(text, "datatypes.yaml")
    (message,) = _messages(raised)
    assert message.startswith(f"datatypes.yaml:{line}:"), message
    assert "unknown check 'phon'" in message and "did you mean `phone`" in message, message


def test_a_mistyped_log_value_check_names_the_check_meant() -> None:
    text = _bundled("logs.yaml").replace("value: phone_near_word", "value: phone_near_wrd", 1)
    with pytest.raises(PolicyError) as raised:
        load_log_rules(text, "logs.yaml")
    assert any("did you mean `phone_near_word`?" in message for message in _messages(raised)), _messages(raised)


def test_the_default_phone_region_is_required_and_must_be_a_region() -> None:
    text = _bundled("logs.yaml")
    without = "\n".join(line for line in text.splitlines() if not line.startswith("default_phone_region:"))
    with pytest.raises(PolicyError) as raised:
        load_log_rules(without, "logs.yaml")
    assert any("'default_phone_region'" in message for message in _messages(raised)), _messages(raised)
    wrong = text.replace("default_phone_region: JP", "default_phone_region: Japan")
    with pytest.raises(PolicyError) as raised:
        load_log_rules(wrong, "logs.yaml")
    assert any("two capital letters" in message for message in _messages(raised)), _messages(raised)


def test_a_users_file_may_not_choose_how_values_are_masked(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "version: 1\ndata_types:\n  user.contact.email:\n    names: [{words: [epost]}]\n    mask: edges\n"
        "    examples: {match: [{column: epost}], no_match: [{column: post}]}\n"
    )
    with pytest.raises(PolicyError) as raised:
        load_user_rules([rules])
    (message,) = _messages(raised)
    assert message.startswith(f"{rules}:5:"), message
    assert "'mask'" in message and "bundled rules" in message, message


def test_a_users_value_detector_names_the_validator_meant(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "version: 1\nvalue_detectors:\n  - name: snils\n    data_type: user.government_id.insurance_number\n"
        "    pattern: '\\d{3}-\\d{3}'\n    validator: iben\n    examples: {match: ['123-456'], no_match: ['12']}\n"
    )
    with pytest.raises(PolicyError) as raised:
        load_user_rules([rules])
    assert any(
        message.startswith(f"{rules}:6:") and "did you mean `iban`?" in message for message in _messages(raised)
    ), _messages(raised)


@pytest.mark.parametrize(
    ("data_type", "value", "masked"),
    [
        ("user.financial.credit_card.holder", "4111 1111 1111 1111", "4*** **** **** 1111"),
        ("user.financial.bank_account.routing", "12345678", "1***"),
        ("user.authorization.credentials", "hunter2-long-secret", "***"),
        ("user.demographic.date_of_birth", "1990-04-01", "****-**-**"),
    ],
)
def test_masks_named_in_the_rules_keep_what_the_if_chain_kept(data_type: str, value: str, masked: str) -> None:
    assert mask(value, data_type) == masked


def test_every_rule_file_words_an_unknown_key_alike_and_reports_all_at_once() -> None:
    rules_text = _bundled("datatypes.yaml").replace("    mask: email\n", "    mask: email\n    colour: red\n", 1)
    log_text = _bundled("logs.yaml").replace("default_phone_region: JP\n", "default_phone_region: JP\ncolour: red\n")
    log_text = log_text.replace("value: phone_near_word", "value: phone_near_wrd", 1)
    with pytest.raises(PolicyError) as raised:
        load_rules(rules_text, "datatypes.yaml")
    (message,) = _messages(raised)
    assert message.startswith(f"datatypes.yaml:{_line_of(rules_text, 'colour: red')}:"), message
    assert "unknown key 'colour' in data type 'user.contact.email' (expected: check, context, " in message, message
    with pytest.raises(PolicyError) as raised:
        load_log_rules(log_text, "logs.yaml")
    first, second = _messages(raised)
    assert first.startswith(f"logs.yaml:{_line_of(log_text, 'colour: red')}:"), first
    assert "unknown key 'colour' in a log rules file (expected: contexts, default_phone_region, " in first, first
    assert second.startswith(f"logs.yaml:{_line_of(log_text, 'phone_near_wrd')}:"), second


@pytest.mark.parametrize("value", ["TARO YAMADA", "12/29", "123", "Hanako 42"])
def test_no_mask_shows_a_value_whole_when_it_is_not_the_shape_the_mask_expects(value: str) -> None:
    """A card holder's name under a card mask, a CVV shorter than the digits a card mask keeps,
    a name in a column taken for a phone: a mask that would hide nothing hides all but the edges."""
    shown_whole = [
        rule.data_type
        for rule in bundled_rules().data_types
        if (rule.mask is None or rule.mask.name != "first_word")
        and (mask(value, rule.data_type) == value or "YAMADA" in mask(value, rule.data_type))
    ]
    assert shown_whole == []
