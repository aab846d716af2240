"""Personal values anywhere in a short text that is not itself one value: a JSON key, an error
message, a sampled database value. The value detectors alone miss a phone number, which only a
log phrase (rules/logs.yaml `contexts`, `international_phone`) recognises by its `+` and country
code; a key such as `+81 3-1234-5678` must be found to be masked, and a `notes` column full of
them holds phone numbers, so the phrases are read here too.

Names (tables, columns, log fields, file names, object keys) are read once more as words: `_`
and `-` separate words in a name (`iban_GB82…`, `t-4111…`) though not in prose, and a file
name's extensions are no part of a value in it (`192.0.2.10.log`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from functools import cache, lru_cache

from pdscan.detect.values import ValueDetector, ValueMatch, bundled_detector, widest_first
from pdscan.ruleset.log_rules import ContextRule, bundled_log_rules
from pdscan.ruleset.value_checks import CHECKS

# Names repeat (columns, folders), but a huge schema's table names are each met once or twice:
# a cache this size keeps the repeats, and 200,000 unique names do not fill the memory.
NAME_CACHE = 16_384

# Every value the detectors and phrases find holds `@` (or `%40`), `:` or at least four digits
# (`1.2.3.4`): a part of a name without one is not read, which keeps a folder of 100,000
# `part-0042.log` files as fast to list as before names were read for values.
_MAY_HOLD_VALUE = re.compile(r"@|%40|:|\d(?:\D*\d){3}")
# The readings of a name besides the name as written: `_` as a word break, then `-` too (a MAC
# address keeps its hyphens in the first); a file name's extensions (`.log.gz`, up to three: more
# would make a name of ten thousand `.a` quadratic) as spaces in both. Each character is read as a
# space, so a value is at the same place in every reading.
_NAME_BREAKS = (
    re.compile(r"_+|(?:\.[A-Za-z][A-Za-z0-9]{0,7}){1,3}$"),
    re.compile(r"[_-]+|(?:\.[A-Za-z][A-Za-z0-9]{0,7}){1,3}$"),
)


@lru_cache(maxsize=NAME_CACHE)
def values_in_name(name: str) -> tuple[ValueMatch, ...]:
    """Every value in `name` (a path: in each of its parts), read as written and as words;
    where readings overlap the widest wins, so `jean-pierre@example.com` is one address, not
    `pierre@example.com`."""
    found: list[ValueMatch] = []
    offset = 0
    for part in name.split("/"):
        found.extend(replace(match, start=match.start + offset, end=match.end + offset) for match in _in_part(part))
        offset += len(part) + 1
    return tuple(found)


@lru_cache(maxsize=NAME_CACHE)  # the folders of a path repeat from file to file
def _in_part(part: str) -> tuple[ValueMatch, ...]:
    if not _MAY_HOLD_VALUE.search(part):
        return ()
    found = list(values_in_text(part))
    for breaks in _NAME_BREAKS:
        words = breaks.sub(lambda match: " " * len(match.group()), part)
        if words != part:
            found.extend(replace(match, text=part[match.start : match.end]) for match in values_in_text(words))
    kept = widest_first([(match.start, match.end, order) for order, match in enumerate(found)])
    return tuple(sorted((found[index] for index in kept), key=lambda match: match.start))


@lru_cache(maxsize=NAME_CACHE)
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
            yield rule, match, CHECKS[rule.value_check](match.group("value"), region)


@cache
def _phrases() -> tuple[tuple[ContextRule, re.Pattern[str]], ...]:
    return tuple((rule, re.compile(rule.pattern)) for rule in bundled_log_rules().contexts)
