"""Personal values in one log line, given its fields and the triggers the engine saw in it.

Three kinds of evidence, each validated before it counts:
- a value pattern (e-mail, card, IP…) and its validator, anywhere in the line;
- a phrase around a value in free text (`Invalid user X from`), then a check of the value;
- a field name (`client_ip`, `User-Agent`, `sid` in a query string), then a check of the value.
Each occurrence is attributed to the field it lies in, so a finding can name
`request.headers.User-Agent` rather than "somewhere in the line".
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from pdscan.detect.engine import Trigger
from pdscan.detect.log_rules import ContextRule, KeyRule, LogRules
from pdscan.detect.rules import ValueRule
from pdscan.detect.validators import VALIDATORS
from pdscan.detect.value_checks import VALUE_CHECKS
from pdscan.sources.logformats.interface import Field

FIELD_NAME = "field name"  # the detector of occurrences known by their field's name
CONTEXT_CHARACTERS = 8  # text before a value candidate its validator may look at
VERSION_WINDOW = 32  # text before a dotted quad searched for words that make it a version
# `key=value` inside free text: query strings, pam messages, logfmt-ish fragments.
PAIR = re.compile(r"(?<![\w.-])([A-Za-z_][\w.-]{0,40})=(?:\"((?:[^\"\\]|\\.)*)\"|([^\s&;,\"'<>]*))")


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One personal value in a line: where (character offsets), what, and by which rule."""

    field: str | None
    data_type: str
    detector: str
    start: int
    end: int
    value: str


@dataclass(frozen=True)
class _Value:
    rule: ValueRule
    pattern: re.Pattern[str]


class LineAnalyser:
    """Compiled once per process; `triggers` feed the engine, `analyse` reads one line."""

    def __init__(self, value_rules: Sequence[ValueRule], log_rules: LogRules) -> None:
        self.log_rules = log_rules
        self.values = [_Value(rule, re.compile(rule.pattern)) for rule in value_rules]
        self.contexts = [(rule, re.compile(rule.pattern)) for rule in log_rules.contexts]
        self.triggers: list[Trigger] = [Trigger(rule.trigger or rule.pattern) for rule in value_rules]
        self.triggers += [Trigger(rule.pattern) for rule in log_rules.contexts]
        self.key_trigger = len(self.triggers)
        self.triggers.append(Trigger("|".join(f"(?:{rule.trigger})" for rule in log_rules.keys), ignore_case=True))
        self._key_rules: dict[str, KeyRule | None] = {}
        self._technical_fields: dict[str, bool] = {}
        self._placeholders = log_rules.placeholders
        self._region = log_rules.default_phone_region

    def analyse(self, line: str, fields: Sequence[Field], triggered: set[int], read_keys: bool) -> list[Occurrence]:
        """Every validated occurrence in `line`; `read_keys` forces field names to be read."""
        starts = [field.start for field in fields]
        found: list[Occurrence] = []
        value_count = len(self.values)
        for index in sorted(triggered):
            if index < value_count:
                self._values(line, fields, starts, self.values[index], found)
            elif index < self.key_trigger:
                self._context(line, fields, starts, *self.contexts[index - value_count], found)
        if read_keys or self.key_trigger in triggered:
            for field in fields:
                if field.path is not None:
                    self._keyed(self.key_rule(field.path), line, field.path, field.start, field.end, found)
                if field.free_text and "=" in line[field.start : field.end]:
                    self._pairs(line, field, found)
        return _deduplicated(found)

    def _technical(self, path: str) -> bool:
        if path not in self._technical_fields:
            self._technical_fields[path] = self.log_rules.is_technical(path)
        return self._technical_fields[path]

    def key_rule(self, path: str) -> KeyRule | None:
        if path not in self._key_rules:
            self._key_rules[path] = self.log_rules.key_rule(path)
        return self._key_rules[path]

    def _values(self, line: str, fields: Sequence[Field], starts: list[int], value: _Value, found: list) -> None:
        rule = value.rule
        for match in value.pattern.finditer(line):
            start, end = match.span()
            text = match.group()
            if not _valid(rule.validator, text, line[max(0, start - CONTEXT_CHARACTERS) : start]):
                continue
            if rule.validator == "ipv4" and self.log_rules.version_before.search(
                line, max(0, start - VERSION_WINDOW), start
            ):
                continue
            field_name = _field_at(fields, starts, start)
            if field_name is not None and self._technical(field_name):
                continue
            found.append(Occurrence(field_name, rule.data_type, rule.name, start, end, text))

    def _context(
        self,
        line: str,
        fields: Sequence[Field],
        starts: list[int],
        rule: ContextRule,
        pattern: re.Pattern[str],
        found: list,
    ) -> None:
        for match in pattern.finditer(line):
            start, end = match.span("value")
            text = match.group("value")
            data_type = self._checked(rule.value_check, rule.data_type, text)
            if data_type is not None:
                found.append(Occurrence(_field_at(fields, starts, start), data_type, rule.name, start, end, text))

    def _keyed(self, rule: KeyRule | None, line: str, path: str, start: int, end: int, found: list) -> None:
        if rule is None:
            return
        text = line[start:end].strip()
        data_type = self._checked(rule.value_check, rule.data_type, text)
        if data_type is not None:
            offset = line.find(text, start, end) if text else start
            found.append(Occurrence(path, data_type, FIELD_NAME, offset, offset + len(text), text))

    def _pairs(self, line: str, field: Field, found: list) -> None:
        """`key=value` inside free text, named `field.key` (`request.sid`) or just `key`."""
        for match in PAIR.finditer(line, field.start, field.end):
            key = match.group(1)
            path = f"{field.path}.{key}" if field.path else key
            span = match.span(2 if match.group(2) is not None else 3)
            self._keyed(self.key_rule(key), line, path, *span, found)

    def _checked(self, check: str, data_type: str, text: str) -> str | None:
        """The data type a value has if it passes the check; None for placeholders and misses."""
        if text.lower() in self._placeholders:
            return None
        verdict = _check(check, text, self._region)
        if verdict is None:
            return None
        return verdict or data_type


@lru_cache(maxsize=65536)
def _valid(validator: str, text: str, context: str) -> bool:
    return VALIDATORS[validator](text, context)


@lru_cache(maxsize=65536)
def _check(check: str, text: str, region: str) -> str | None:
    return VALUE_CHECKS[check](text, region)


def _field_at(fields: Sequence[Field], starts: list[int], offset: int) -> str | None:
    """The name of the field holding `offset` (None in free text outside any named field)."""
    index = bisect.bisect_right(starts, offset) - 1
    if index >= 0 and fields[index].start <= offset <= fields[index].end:
        return fields[index].path
    return None


def _deduplicated(found: list[Occurrence]) -> list[Occurrence]:
    """One occurrence per value: a pattern's exact span wins over a field name's whole value.

    `client_ip: 203.0.113.9` is found by the IPv4 pattern and by its key; `x-forwarded-for`
    with two addresses is two occurrences, not one plus the whole header.
    """
    if len(found) < 2:
        return found
    by_span = {(o.data_type, o.start, o.end): o for o in reversed(found) if o.detector != FIELD_NAME}
    result = sorted(by_span.values(), key=lambda o: (o.start, o.end))
    for occurrence in found:
        if occurrence.detector != FIELD_NAME:
            continue
        overlapping = [
            index
            for index, other in enumerate(result)
            if other.data_type == occurrence.data_type and other.start < occurrence.end and occurrence.start < other.end
        ]
        for index in overlapping:  # the key names the field the pattern found its value in: `rhost`
            if result[index].field is None:
                result[index] = dataclasses.replace(result[index], field=occurrence.field)
        if not overlapping:
            result.append(occurrence)
    return sorted(result, key=lambda o: (o.start, o.end, o.data_type))
