"""Which triggers may run from one column of a positional log into the next: those are searched
over whole lines, the others one column value at a time (pdscan/sources/logs/segments.py)."""

from __future__ import annotations

import pytest

from pdscan.detect.line_analyser import LineAnalyser
from pdscan.detect.trigger_reach import alternatives, may_cross
from pdscan.ruleset.datatypes import bundled_rules
from pdscan.ruleset.log_rules import bundled_log_rules


@pytest.mark.parametrize(
    ("pattern", "separators", "crosses"),
    [
        (r"\d{3} \d{4}", " ", True),  # a space inside
        (r"(?:^|[^\d.-])\d{13,19}(?:[^\d-]|$)", " ", False),  # a space only as the delimiter at either end
        (r"(?:^|[^\d.-])\d{13,19}(?:[^\d-]|$)", "\t", False),
        (r"\d(?:[ -]?\d){12,18}", " ", True),  # an optional space between digits
        (r"\d(?:[ -]?\d){12,18}", "\t", False),
        (r"cookie: ", " ", False),  # the space that ends it stays in its column
        (r"cookie: \b", " ", True),  # ... unless an assertion after it looks past it
        (r"^ x", " ", True),  # or one before it
        (r"\bfoo", '"', False),
        (r"accept.language", '"', True),  # any character
        (r"[^;]+;", "\t", True),  # a class that takes a tab
        (r"[^;\s]+;", "\t", False),
        (r"(?=x)\d", " ", True),  # a look-around is not read: taken as crossing
        (r"x{2,}", "x", True),
        (r"[a-z]", "Q", False),  # one character: first and last
        (r"[a-z]x", "Q", False),
        (r"(?i)[a-z]{3}", "Q", True),  # letters of either case under (?i)
    ],
)
def test_a_pattern_crosses_a_separator_only_where_it_may_hold_it_inside(
    pattern: str, separators: str, crosses: bool
) -> None:
    assert may_cross(pattern, separators) is crosses


def test_top_level_alternatives_are_split_as_written() -> None:
    assert alternatives(r"a|b(c|d)|[|]x|\|y|[]|]z") == ["a", "b(c|d)", "[|]x", r"\|y", "[]|]z"]
    assert alternatives("phone") == ["phone"]


def test_the_bundled_value_triggers_that_cross_spaces_are_the_spaced_numbers() -> None:
    """Card numbers and IBANs may be written with spaces, and are searched over whole lines in
    space-separated logs (W3C, access); addresses, e-mails and device ids never hold a space,
    a tab or a quote and are searched per value."""
    analyser = LineAnalyser(bundled_rules().value_detectors, bundled_log_rules())
    names = [value.rule.name for value in analyser.values]
    crossing = {names[index] for index in range(len(names)) if may_cross(analyser.triggers[index].pattern, " ")}
    assert crossing == {"card_number", "iban"}
    assert not any(may_cross(analyser.triggers[index].pattern, '\t"[]') for index in range(len(names)))


def test_key_words_are_searched_over_whole_lines_only_where_they_may_cross() -> None:
    """`accept.language` (any character between) goes to the whole-line search; `phone` and
    `email` stay per value, so the common words do not send their lines to it."""
    analyser = LineAnalyser(bundled_rules().value_detectors, bundled_log_rules())
    crossing = analyser.crossing_triggers(" ")
    assert crossing is not None
    words = crossing[-1]
    assert "accept.language" in words.pattern and words.ignore_case
    assert "phone" not in alternatives(words.pattern) and "(?:phone)" not in words.pattern
