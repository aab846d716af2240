"""Recognise personal data in values: compiled patterns from the rules, then a validator each.

Matching is cheap and loose, validation is exact: a card number must pass Luhn and a brand
range, an address must parse. Overlapping matches keep the detector listed first in the rules
(a 15-digit Amex number is a card, not an IMEI).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from pdscan.detect.rules import ValueRule, load_rules
from pdscan.detect.validators import VALIDATORS

CONTEXT_CHARACTERS = 8  # text before a candidate its validator may look at (`Firefox/` before a version)


@dataclass(frozen=True, slots=True)
class ValueMatch:
    """A validated value in a text: which detector, which data type, and where."""

    data_type: str
    detector: str
    start: int
    end: int
    text: str


class ValueDetector:
    def __init__(self, rules: tuple[ValueRule, ...]) -> None:
        self.rules = rules
        self._compiled = [(rule, re.compile(rule.pattern), VALIDATORS[rule.validator]) for rule in rules]

    @classmethod
    def bundled(cls) -> ValueDetector:
        return cls(load_rules().value_detectors)

    def find(self, text: str) -> tuple[ValueMatch, ...]:
        """Every validated match in `text`, left to right, without overlaps."""
        found: list[ValueMatch] = []
        taken: list[tuple[int, int]] = []
        for rule, pattern, validate in self._compiled:
            for match in pattern.finditer(text):
                start, end = match.span()
                if any(start < used_end and used_start < end for used_start, used_end in taken):
                    continue
                if validate(match.group(), text[max(0, start - CONTEXT_CHARACTERS) : start]):
                    found.append(ValueMatch(rule.data_type, rule.name, start, end, match.group()))
                    taken.append((start, end))
        return tuple(sorted(found, key=lambda found_match: found_match.start))


@cache
def _bundled_detector() -> ValueDetector:
    return ValueDetector.bundled()


def detect_value(text: str) -> tuple[ValueMatch, ...]:
    """Every personal value the bundled detectors find in `text`."""
    return _bundled_detector().find(text)
