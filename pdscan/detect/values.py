"""Recognise personal data in values: compiled patterns from the rules, then a validator each.

Matching is cheap and loose, validation is exact: a card number must pass Luhn and a brand
range, an address must parse. Overlapping matches keep the widest (an IBAN, not card-like digits
inside it), then the detector listed first in the rules (a 15-digit Amex number is a card, not
an IMEI).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache

from pdscan.detect.engine import Engine, compile_engine, trigger_of
from pdscan.detect.linear_patterns import compile_rule_pattern
from pdscan.detect.rules import ValueRule, bundled_rules
from pdscan.detect.validators import VALIDATORS

NOT_AFTER_WINDOW = 32  # text before a match that a rule's `not_after` reads (`openssl ` before a version)


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
                compile_rule_pattern(rule.not_after, rule.linear_only) if rule.not_after else None,
            )
            for rule in rules
        ]
        self._engine: Engine | None = None  # compiled on first use: schema-only scans never need it
        self.data_types = frozenset(rule.data_type for rule in rules)  # what it can find at all
        self.find = lru_cache(maxsize=65_536)(self._find)  # sampled columns repeat their values

    @classmethod
    def bundled(cls) -> ValueDetector:
        return cls(bundled_rules().value_detectors)

    def _triggered(self, text: str) -> set[int]:
        if self._engine is None:
            self._engine = compile_engine([trigger_of(rule) for rule in self.rules])
        return {trigger for trigger, _, _ in self._engine.scan(text.encode("utf-8", "surrogatepass"))}

    def _find(self, text: str) -> tuple[ValueMatch, ...]:
        """Every validated match in `text`, left to right, without overlaps."""
        candidates: list[tuple[int, ValueMatch]] = []
        triggered = self._triggered(text)
        for order, (rule, pattern, validate, not_after) in enumerate(self._compiled):
            if order not in triggered:
                continue
            for match in pattern.finditer(text):
                start, end = match.span()
                if validate(match.group()) and not (
                    not_after and not_after.search(text, max(0, start - NOT_AFTER_WINDOW), start)
                ):
                    candidates.append((order, ValueMatch(rule.data_type, rule.name, start, end, match.group())))
        found: list[ValueMatch] = []
        for _, candidate in sorted(candidates, key=lambda item: (item[1].start - item[1].end, item[0])):
            if not any(candidate.start < other.end and other.start < candidate.end for other in found):
                found.append(candidate)
        return tuple(sorted(found, key=lambda found_match: found_match.start))


@cache
def bundled_detector() -> ValueDetector:
    """The bundled detectors, built once per process."""
    return ValueDetector.bundled()
