"""Recognise personal data in values: compiled patterns from the rules, then a validator each.

Matching is cheap and loose, validation is exact: a card number must pass Luhn and a brand
range, an address must parse. Overlapping matches keep the widest (an IBAN, not card-like digits
inside it), then the detector listed first in the rules (a 15-digit Amex number is a card, not
an IMEI).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

from pdscan.detect.engine import Engine, compile_engine, trigger_of
from pdscan.ruleset.backwards import ends_with
from pdscan.ruleset.datatypes import ValueRule, bundled_rules
from pdscan.ruleset.linear_patterns import LinearMatch, compile_rule_pattern
from pdscan.ruleset.validators import VALIDATORS

NOT_AFTER_WINDOW = 32  # text before a match that a rule's `not_after` reads (`openssl ` before a version)
# Why a pattern's match is no value (`ValueDetector.candidates`)
VALIDATOR_REFUSED = "validator refused"
AFTER_DISQUALIFYING_TEXT = "after disqualifying text"


@dataclass(frozen=True, slots=True)
class ValueMatch:
    """A validated value in a text: which detector, which data type, and where."""

    data_type: str
    detector: str
    start: int
    end: int
    text: str


class ValueDetector:
    """The rules' exact patterns and validators, run only for the rules whose trigger the text
    engine finds: one pass of compiled code over a value instead of one regex per rule."""

    def __init__(self, rules: tuple[ValueRule, ...]) -> None:
        self.rules = rules
        self._compiled = [
            (
                rule,
                compile_rule_pattern(rule.pattern, rule.linear_only),
                VALIDATORS[rule.validator],
                ends_with(rule.not_after, rule.linear_only) if rule.not_after else None,
            )
            for rule in rules
        ]
        self._engine: Engine | None = None  # compiled on first use: schema-only scans never need it
        self.data_types = frozenset(rule.data_type for rule in rules)  # what it can find at all
        self.find = lru_cache(maxsize=65_536)(self._find)  # sampled columns repeat their values

    @classmethod
    def bundled(cls) -> ValueDetector:
        return cls(bundled_rules().value_detectors)

    def triggered(self, text: str) -> set[int]:
        """The positions (in `rules`) of the rules whose trigger the text engine finds in `text`."""
        if self._engine is None:
            self._engine = compile_engine([trigger_of(rule) for rule in self.rules])
        return {trigger for trigger, _, _ in self._engine.scan(text.encode("utf-8", "surrogatepass"))}

    def candidates(self, text: str) -> Iterator[tuple[int, ValueRule, LinearMatch[str], str | None]]:
        """Each match of a triggered rule's pattern: the rule's position, the rule, the match, and
        why it is no value (VALIDATOR_REFUSED, AFTER_DISQUALIFYING_TEXT) or None."""
        triggered = self.triggered(text)
        for order, (rule, pattern, validate, not_after) in enumerate(self._compiled):
            if order not in triggered:
                continue
            for match in pattern.finditer(text):
                start = match.start()
                if not validate(match.group()):
                    yield order, rule, match, VALIDATOR_REFUSED
                elif not_after and not_after(text_before(text, start)):
                    yield order, rule, match, AFTER_DISQUALIFYING_TEXT
                else:
                    yield order, rule, match, None

    def _find(self, text: str) -> tuple[ValueMatch, ...]:
        """Every validated match in `text`, left to right, without overlaps."""
        candidates = [
            (order, ValueMatch(rule.data_type, rule.name, *match.span(), match.group()))
            for order, rule, match, refused in self.candidates(text)
            if refused is None
        ]
        kept = widest_first([(match.start, match.end, order) for order, match in candidates])
        return tuple(sorted((candidates[index][1] for index in kept), key=lambda found_match: found_match.start))


def text_before(text: str, start: int) -> str:
    """What a rule's `not_after` reads before a value at `start`: up to NOT_AFTER_WINDOW
    characters of its line, as a text of its own (`^` matches at its start), exactly as in a
    log line, so a rule means the same in a column value and in a log."""
    window = max(0, start - NOT_AFTER_WINDOW)
    return text[text.rfind("\n", window, start) + 1 or window : start]


def widest_first(spans: Sequence[tuple[int, int, int]]) -> list[int]:
    """Indices of the (start, end, rule order) spans kept when overlapping ones give way to the
    widest, then to the rule listed first. Kept characters are marked in a bytearray, so a span
    is checked in time of its own width, not against every span kept before it."""
    length = max((end for _, end, _ in spans), default=0) + 1
    covered = bytearray(length)  # characters inside a kept span
    starts = bytearray(length)  # where a kept span starts
    kept = []
    for index in sorted(range(len(spans)), key=lambda i: (spans[i][0] - spans[i][1], spans[i][2])):
        start, end, _ = spans[index]
        if start < end:
            if covered.find(1, start, end) >= 0:
                continue
            covered[start:end] = b"\x01" * (end - start)
            starts[start] = 1
        elif covered[start] and not starts[start]:
            continue  # an empty span strictly inside a kept one
        kept.append(index)
    return kept


@cache
def bundled_detector() -> ValueDetector:
    """The bundled detectors, built once per process."""
    return ValueDetector.bundled()
