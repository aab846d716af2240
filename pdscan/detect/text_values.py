"""Personal values anywhere in a short text that is not itself one value: a JSON key, an error
message, a sampled database value. The value detectors alone miss a phone number, which only a
log phrase (rules/logs.yaml `contexts`, `international_phone`) recognises by its `+` and country
code; a key such as `+81 3-1234-5678` must be found to be masked, and a `notes` column full of
them holds phone numbers, so the phrases are read here too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache, lru_cache

from pdscan.detect.log_rules import ContextRule, bundled_log_rules
from pdscan.detect.value_checks import VALUE_CHECKS
from pdscan.detect.values import ValueDetector, ValueMatch, bundled_detector, widest_first


@lru_cache(maxsize=65_536)
def values_in_text(text: str) -> tuple[ValueMatch, ...]:
    """Every value in `text` the bundled rules know, left to right, without overlaps."""
    return values_found(text, bundled_detector())


def values_found(text: str, detector: ValueDetector) -> tuple[ValueMatch, ...]:
    """Every value of `detector` and of the log phrases in `text`, left to right, without
    overlaps (the widest wins, as in a line)."""
    found = [*detector.find(text), *_phrase_values(text)]
    kept = widest_first([(match.start, match.end, order) for order, match in enumerate(found)])
    return tuple(sorted((found[index] for index in kept), key=lambda match: match.start))


def _phrase_values(text: str) -> Iterator[ValueMatch]:
    """The values of the log phrases, each passing its rule's check as in a log line."""
    for rule, match, verdict in phrase_trials(text):
        if verdict is not None:
            yield ValueMatch(verdict or rule.data_type, rule.name, *match.span("value"), match.group("value"))


def phrase_trials(text: str) -> Iterator[tuple[ContextRule, re.Match[str], str | None]]:
    """Each match of a log phrase in `text` with its check's verdict on the value: None when
    the check refuses it, else the data type it names ("" for the rule's own)."""
    region = bundled_log_rules().default_phone_region
    for rule, pattern in _phrases():
        for match in pattern.finditer(text):
            yield rule, match, VALUE_CHECKS[rule.value_check](match.group("value"), region)


@cache
def _phrases() -> tuple[tuple[ContextRule, re.Pattern[str]], ...]:
    return tuple((rule, re.compile(rule.pattern)) for rule in bundled_log_rules().contexts)
