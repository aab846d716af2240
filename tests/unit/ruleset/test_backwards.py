"""A rule's `not_after` read backwards answers exactly what searching it forwards answers."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pdscan.ruleset.backwards import ends_with, reversed_pattern
from pdscan.ruleset.datatypes import bundled_rules

WINDOW = 32  # characters before a value that `not_after` reads in a log line
BUNDLED = [rule for rule in bundled_rules().value_detectors if rule.not_after]
# Constructs a `not_after` is written with, each with texts that end with a match or do not.
PATTERNS = [
    r"(?i)(?:^|[\s(;,])[a-z][\w.+-]*/$",
    r"\b(?:v|version|rev)[\s:=/-]*$",
    r"(?:>=|<=|==|[\^~])\s*$",
    r"[a-z]-$",
    r"\brv:$",
    r"^abc$",
    r"a{2,3}?b$",
    r"[^0-9 ]x$",
    r"\Bend$",
    r"(?:ab|cd)+$",
    r"openssl",  # not anchored: a match anywhere in the text counts, as `search` says
    r"\d+\.\d*\Z",
    r"(?is)x.B$",
]
ALPHABET = "abcdlnorsvxABC019 ./:=-_+;(,>=<^~\t"


def test_the_bundled_rules_that_have_one_are_read_backwards() -> None:
    """Every bundled `not_after` reverses (none falls back to the slow forward search)."""
    assert BUNDLED, "some bundled rule has a not_after"
    for rule in BUNDLED:
        assert rule.not_after is not None
        assert reversed_pattern(rule.not_after).startswith(("(?i)\\A", "\\A")), rule.name


@pytest.mark.parametrize("rule", BUNDLED, ids=lambda rule: rule.name)
def test_bundled_not_after_agrees_on_every_text_before_a_position_of_the_examples(rule) -> None:
    forwards = re.compile(rule.not_after)
    backwards = ends_with(rule.not_after, linear_only=False)
    texts = [*rule.matches, *rule.non_matches, "Mozilla/5.0+(X11)+Firefox/", "openssl ", "version: "]
    checked = 0
    for text in texts:
        for end in range(len(text) + 1):
            before = text[max(0, end - WINDOW) : end]
            assert backwards(before) == (forwards.search(before) is not None), (rule.name, before)
            checked += 1
    assert checked > 100


@pytest.mark.parametrize("pattern", PATTERNS)
@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=ALPHABET, max_size=WINDOW))
def test_a_reversed_pattern_matches_exactly_the_reversed_texts(pattern: str, text: str) -> None:
    assert ends_with(pattern, linear_only=False)(text) == (re.search(pattern, text) is not None)


@pytest.mark.parametrize("pattern", PATTERNS)
def test_every_construct_a_not_after_is_written_with_reverses(pattern: str) -> None:
    """No fallback to the forward search hides a wrong translation in the test above."""
    assert reversed_pattern(pattern)


def test_a_product_name_before_a_slash_ends_the_text_and_a_url_path_does_not() -> None:
    product = ends_with(r"(?i)(?:^|[\s(;,])[a-z][\w.+-]*/$", linear_only=False)
    assert product("Gecko) Chrome/")
    assert product("Firefox/")
    assert not product("GET /geoip/")
    assert not product("Chrome/ 1")


UNREVERSIBLE = {
    "behind": r"(?<=a)b$",
    "backref": r"(a)\1$",
    "local": r"(?i:ab)c$",
    "ahead": r"a(?=b)",
    "atomic": r"(?>ab)$",
}


@pytest.mark.parametrize("pattern", UNREVERSIBLE.values(), ids=UNREVERSIBLE.keys())
def test_what_cannot_be_reversed_is_searched_forwards_and_still_answers(pattern: str) -> None:
    check = ends_with(pattern, linear_only=False)
    for text in ("ab", "aab", "xab", "abc", "ABc", "abb", ""):
        assert check(text) == (re.search(pattern, text) is not None), text


def test_a_users_pattern_runs_on_re2_as_written() -> None:
    assert ends_with(r"build[\s:]*$", linear_only=True)("nightly build: ")
    assert not ends_with(r"build[\s:]*$", linear_only=True)("build 7 and ")
