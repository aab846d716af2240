"""Personal values in log lines, in two stages: candidates the engine marked are checked in the
raw block (`validated`), then each line holding something is read field by field (`analyse`).

Three kinds of evidence, each validated before it counts:
- a value pattern (e-mail, card, IP…) and its validator, anywhere in the line;
- a phrase around a value in free text (`Invalid user X from`), then a check of the value;
- a field name (`client_ip`, `User-Agent`, `sid` in a query string), then a check of the value.
Each occurrence is attributed to the field it lies in, so a finding can name
`request.headers.User-Agent` rather than "somewhere in the line".
"""

from __future__ import annotations

import bisect
import itertools
import operator
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import AnyStr, NamedTuple

from pdscan.detect.engine import Event, Trigger, trigger_of
from pdscan.detect.trigger_reach import alternatives, may_cross
from pdscan.detect.values import NOT_AFTER_WINDOW, widest_first
from pdscan.model import Field
from pdscan.ruleset.backwards import ends_with
from pdscan.ruleset.datatypes import ValueRule
from pdscan.ruleset.linear_patterns import LinearPattern, compile_rule_pattern
from pdscan.ruleset.log_rules import ContextRule, KeyRule, LogRules
from pdscan.ruleset.validators import VALIDATORS
from pdscan.ruleset.value_checks import CHECKS

FIELD_NAME = "field name"  # the detector of occurrences known by their field's name
LOOKBEHIND = 1  # bytes before a value its exact pattern looks at (every lookbehind is one character)
CACHE_SIZE = 100_000  # validated candidates remembered per process
FIELD_CACHE_SIZE = 10_000  # field paths whose key rule is remembered
KEY_WINDOW = 48  # how far before a value in free text its key may start
KEY_MARKS = frozenset("=:\"'")  # one of these just before a value: a key may precede it
# `key=`, `"key": ` just before a value, matched on the reversed text (Python's `re` cannot
# search backwards); group 1 is the key, reversed.
KEY_BEFORE_REVERSED = re.compile(r"[\"']?\s*[=:]\s*[\"']?([\w.-]{0,40}[A-Za-z_])(?![\w.-])")
# The rest of a key after one of its words, up to the `=` or `:` that ends it (`_ip":`): the
# run of name characters, then the separator (`_key_tails` reads each run once).
KEY_NAME_RUN = re.compile(rb"[\w.()\x80-\xff-]*")  # UTF-8 bytes too: `電話番号:`
KEY_SEPARATOR = re.compile(rb"\\?[\"']?\s*[:=]")  # `\":` in JSON held in a JSON string
# `key=value` and `key: value` inside free text: query strings, pam messages, logfmt-ish
# fragments, header dumps (`X-Device-Id: …`), JSON pieces (`"sid":"…"`, or `\"sid\":\"…\"` in
# JSON held in a JSON string), SQL (`phone = '03-1234-5678'`), Ruby and Python hashes
# (`"name"=>"…"`, `'first_name': ['…']`), mail logs (`user=<…>`). An unquoted value ends at white
# space or punctuation around it (`Login(user=olga)`); a final full stop is the sentence's, a
# final backslash an escape's; one that starts with a key (`Login: user=<…>`) is none.
PAIR_KEY_LENGTH = 41  # characters; a longer key is not read as one
KEY_RUN_REVERSED = re.compile(r"[\w.-]*")  # the start of a key, from one of its words backwards
QUOTED_VALUES = (2, 3, 4, 5)  # PAIR's groups: "…", \"…\", '…', <…>
BARE_VALUE = 6
# A coordinate's second half after the comma that ends an unquoted value (`geo=35.68,139.69`,
# `location: 35.6812, 139.7671`): the pair is one value, so an ndjson span covers both halves.
PAIRED_CHECK = "coordinate"
SECOND_NUMBER = re.compile(r",[ \t]?[-+]?\d+(?:\.\d+)?(?![\w.])")
STARTS_WITH_KEY = re.compile(r"[A-Za-z_][\w.-]*=(?!=)")  # `user=`, `rhost=1.2…`; not `abc==` (base64)
PAIR = re.compile(
    rf"(?<![\w.-])([^\W\d][\w.-]{{0,{PAIR_KEY_LENGTH - 1}}})\\?[\"']?[ \t]*(?:=>?|:)[ \t]*(?:\[[ \t]*)?"
    r"(?:\"([^\"\\]*(?:\\.[^\"\\]*)*)\"|\\\"([^\"\\]*)\\\"|'([^'\\]*(?:\\.[^'\\]*)*)'|<([^<>\s]*)>"
    r"|([^\s&;,\"'<>()\[\]{}]*))"
)


class Occurrence(NamedTuple):
    """One personal value in a line: where (character offsets), what, and by which rule.

    A named tuple rather than a frozen dataclass: a busy log makes millions of them.
    """

    field: str | None
    data_type: str
    detector: str
    start: int
    end: int
    value: str


BY_PLACE = operator.attrgetter("start", "end", "data_type")  # occurrences in the order they stand in a line


@dataclass(frozen=True)
class _Value:
    rule: ValueRule
    raw_pattern: LinearPattern[bytes]  # the exact pattern on raw bytes (ASCII classes: never stricter)
    # The value's own characters before the trigger, read backwards (rules with a `lookback`);
    # one character class repeated, so `re` reads it in linear time whoever wrote it.
    lookback: re.Pattern[bytes] | None
    # The value's own characters after the trigger (rules with a `lookahead`): a host name's
    # domain after the address it embeds, which Hyperscan would find far slower as part of the trigger.
    lookahead: re.Pattern[bytes] | None
    not_after: Callable[[str], bool] | None  # whether the text before a value disqualifies it


def _value(rule: ValueRule) -> _Value:
    lookback = re.compile(rule.lookback_characters.encode("utf-8") + b"*") if rule.lookback else None
    lookahead = re.compile(rule.lookahead_characters.encode("utf-8") + b"*") if rule.lookahead else None
    not_after = ends_with(rule.not_after, rule.linear_only) if rule.not_after else None
    pattern = compile_rule_pattern(rule.pattern.encode("utf-8"), rule.linear_only)
    return _Value(rule, pattern, lookback, lookahead, not_after)


class LineAnalyser:
    """Compiled once per process; `triggers` feed the engine, `analyse` reads one line."""

    def __init__(self, value_rules: Sequence[ValueRule], log_rules: LogRules) -> None:
        self.log_rules = log_rules
        self.values = [_value(rule) for rule in value_rules]
        self.contexts = [(rule, re.compile(rule.pattern)) for rule in log_rules.contexts]
        self.triggers: list[Trigger] = [trigger_of(rule) for rule in value_rules]
        self.triggers += [trigger_of(rule) for rule in log_rules.contexts]
        self.key_trigger = len(self.triggers)
        words = "|".join(f"(?:{rule.trigger})" for rule in log_rules.keys)
        # The words alone: Hyperscan finds a set of words several times faster than words
        # with the rest of a key after them, which `_key_tails` confirms for the few it finds.
        self.triggers.append(Trigger(f"(?:{words})", ignore_case=True))
        # Per field path, bounded: a log whose keys are all different must not grow memory.
        self.key_rule = lru_cache(maxsize=FIELD_CACHE_SIZE)(log_rules.key_rule)
        self._technical = lru_cache(maxsize=FIELD_CACHE_SIZE)(log_rules.is_technical)
        self._placeholders = log_rules.placeholders
        self._region = log_rules.default_phone_region
        self._phrases = frozenset(rule.name for rule in log_rules.contexts)
        self._candidates: dict[tuple[int, bytes], tuple[int, int] | tuple[()]] = {}

    def crossing_triggers(self, separators: str) -> list[Trigger] | None:
        """The triggers a match of which may run from one column of a positional log into the
        next across `separators` (trigger_reach): searched over whole lines where columns are
        searched one value at a time. Key words one by one, so that `phone` is not searched
        there with `accept.language`. None with users' rules loaded: their RE2 patterns are not
        read here."""
        if any(trigger.linear_only for trigger in self.triggers):
            return None
        crossing = [trigger for trigger in self.triggers[: self.key_trigger] if may_cross(trigger.pattern, separators)]
        words = [
            word
            for rule in self.log_rules.keys
            for word in alternatives(rule.trigger)
            if may_cross(f"(?i:{word})", separators)
        ]
        if words:
            crossing.append(Trigger("|".join(f"(?:{word})" for word in words), ignore_case=True))
        return crossing

    def phrase_follows(self, line: str, trigger: int, start: int) -> bool:
        """Whether the phrase whose trigger fired at `start` follows there in the line."""
        return self.contexts[trigger - len(self.values)][1].match(line, start) is not None

    def validated(self, block: bytes, events: list[Event]) -> list[Event]:
        """Value candidates checked right in the raw block, before any line is decoded.

        A value trigger becomes the exact, validated match it marked, as (rule, start, end),
        or nothing (an order id shaped like a card number, a version after `openssl`); phrase
        and key triggers pass through for the line stage. Results are remembered per candidate
        text and the bytes before it, since logs repeat the same addresses and agents.
        """
        kept: list[Event] = []
        value_count = len(self.values)
        widest: dict[tuple[int, int], int] = {}  # a candidate is reported at each place it could end
        key_trigger = self.key_trigger
        key_words: list[tuple[int, int]] = []
        for trigger, start, end in events:
            if trigger == key_trigger:
                key_words.append((start, end))
            elif trigger >= value_count:
                kept.append((trigger, start, end))
            elif end > widest.get((trigger, start), -1):
                widest[(trigger, start)] = end
        kept.extend((key_trigger, start, end) for start, end in _key_tails(block, key_words))
        cache = self._candidates
        values = self.values
        for (trigger, start), end in widest.items():
            value = values[trigger]
            begin, end, window = _reach(value, block, start, end)
            key = (trigger, block[window:end])
            span = cache.get(key)
            if span is None:
                span = cache[key] = self._validate(value, block, begin, start, end, window)
                if len(cache) > CACHE_SIZE:
                    cache.clear()
            if span:
                kept.append((trigger, window + span[0], window + span[1]))
        return kept

    def not_after_places(self, block: bytes, events: Sequence[Event]) -> list[tuple[int, int]]:
        """(rule, start) of every valid match a candidate of a rule with `not_after` marks: the
        places whose verdict also reads up to NOT_AFTER_WINDOW bytes before them in the line."""
        places = []
        for trigger, start, end in events:
            if trigger >= len(self.values) or self.values[trigger].not_after is None:
                continue
            value = self.values[trigger]
            begin, end, _ = _reach(value, block, start, end)
            for match in value.raw_pattern.finditer(block, begin, end):
                if match.end() > start and _valid(value.rule.validator, match.group().decode("utf-8", "replace")):
                    places.append((trigger, match.start()))
        return places

    def not_after_holds(self, trigger: int, block: bytes, found: int) -> bool:
        """Whether the rule's `not_after` disqualifies the value starting at `found` in `block`."""
        not_after = self.values[trigger].not_after
        return not_after is not None and _after(not_after, block, found)

    def _validate(
        self, value: _Value, block: bytes, begin: int, start: int, end: int, window: int
    ) -> tuple[int, int] | tuple[()]:
        """The validated match a trigger marked, relative to `window`, or () when there is none."""
        for match in value.raw_pattern.finditer(block, begin, end):
            if match.end() <= start:
                continue  # an earlier value inside the look-back window
            found = match.start()
            if _valid(value.rule.validator, match.group().decode("utf-8", "replace")) and not (
                value.not_after and _after(value.not_after, block, found)
            ):
                return (found - window, match.end() - window)
        return ()

    def analyse(
        self,
        line: str,
        fields: Sequence[Field],
        events: Sequence[Event],
        read_keys: bool,
        exact_offsets: bool = True,
        phrases_matched: bool = False,
    ) -> list[Occurrence]:
        """Every occurrence in `line`, from its events (offsets in the line, as `validated`
        gave them). With `exact_offsets` False (a line whose multi-byte characters make byte
        and character offsets differ) offsets are mapped first. `read_keys` reads field names
        even when no key trigger fired (formats whose fields are known by position). With
        `phrases_matched` a phrase's event is the span of the value its pattern matched (the
        caller matched it, as `phrase_value` does)."""
        starts = [field.start for field in fields]
        by_pattern: list[tuple[int, Occurrence]] = []
        found: list[Occurrence] = []
        value_count = len(self.values)
        key_words: list[int] = []  # where the words of keys were found
        characters = None if exact_offsets else _character_offsets(line, events)
        phrase_spans: dict[int, tuple[int, int]] = {}  # per phrase rule: the text its last match took
        for trigger, start, end in events:
            if characters is not None:
                start, end = characters[start], characters[end]
            if trigger == self.key_trigger:
                key_words.append(start)
            elif trigger < value_count:
                field_name = _field_at(fields, starts, start) or _key_before(line, start)
                if field_name is not None and self._technical(field_name):
                    continue
                rule = self.values[trigger].rule
                occurrence = Occurrence(field_name, rule.data_type, rule.name, start, end, line[start:end])
                by_pattern.append((trigger, occurrence))
            elif phrases_matched:
                self._phrase_value(self.contexts[trigger - value_count][0], line, start, end, fields, starts, found)
            else:
                taken = phrase_spans.get(trigger)
                if taken is not None and taken[0] <= start < taken[1]:
                    continue  # `Cookie: a Cookie: b …`: inside the value the phrase already took
                span = self._context(line, start, fields, starts, *self.contexts[trigger - value_count], found)
                if span is not None:
                    phrase_spans[trigger] = span
        found.extend(_widest_wins(by_pattern))
        if read_keys or key_words:
            for field in fields:
                if field.path is not None:
                    self._keyed(self.key_rule(field.path), line, field.path, field.start, field.end, found)
            if key_words:
                self._pairs(line, fields, starts, key_words, found)
        return _deduplicated(found, self._phrases)

    def _context(
        self,
        line: str,
        start: int,
        fields: Sequence[Field],
        starts: list[int],
        rule: ContextRule,
        pattern: re.Pattern[str],
        found: list[Occurrence],
    ) -> tuple[int, int] | None:
        """The phrase that starts where its trigger matched; returns the text it took, if any."""
        match = pattern.match(line, start)
        if match is None:
            return None
        value_start, value_end = match.span("value")
        self._phrase_value(rule, line, value_start, value_end, fields, starts, found)
        return match.start(), value_end

    def _phrase_value(
        self,
        rule: ContextRule,
        line: str,
        value_start: int,
        value_end: int,
        fields: Sequence[Field],
        starts: list[int],
        found: list[Occurrence],
    ) -> None:
        """The occurrence a phrase's value makes, if its check passes."""
        text = line[value_start:value_end]
        data_type = self._checked(rule.value_check, rule.data_type, text)
        if data_type is not None:
            field_name = _field_at(fields, starts, value_start)
            found.append(Occurrence(field_name, data_type, rule.name, value_start, value_end, text))

    def _keyed(self, rule: KeyRule | None, line: str, path: str, start: int, end: int, found: list) -> None:
        if rule is None:
            return
        text = line[start:end].strip()
        data_type = self._checked(rule.value_check, rule.data_type, text)
        if data_type is not None:
            offset = line.find(text, start, end) if text else start
            found.append(Occurrence(path, data_type, FIELD_NAME, offset, offset + len(text), text))

    def _pairs(self, line: str, fields: Sequence[Field], starts: list[int], key_words: list[int], found: list) -> None:
        """`key=value` in free text, named `field.key` (`request.sid`) or just `key`.

        Only where the engine found a key's word: a key no rule's words are part of names
        nothing personal, and matching at a few places is far cheaper than searching the line.
        """
        tried = set()
        for word in key_words:
            index = bisect.bisect_right(starts, word) - 1
            if index < 0:
                continue
            field = fields[index]
            if not (field.free_text and field.start <= word < field.end):
                continue
            key_start = _run_start(KEY_RUN_REVERSED, line, word, max(field.start, word - PAIR_KEY_LENGTH))
            if key_start in tried:
                continue
            tried.add(key_start)
            match = PAIR.match(line, key_start, field.end)
            if match is None:
                continue
            key = match.group(1)
            path = f"{field.path}.{key}" if field.path else key
            quoted = next((group for group in QUOTED_VALUES if match.group(group) is not None), None)
            if quoted is not None:
                start, end = match.span(quoted)
            else:
                bare = match.group(BARE_VALUE).rstrip(".\\")
                if STARTS_WITH_KEY.match(bare):  # an empty value, then the next pair (`ruser= rhost=…`)
                    continue
                start, end = match.start(BARE_VALUE), match.start(BARE_VALUE) + len(bare)
            rule = self.key_rule(key)
            if rule is not None and rule.value_check == PAIRED_CHECK:
                second = SECOND_NUMBER.match(line, end, field.end)  # `geo=35.68,139.69`: both halves
                end = second.end() if second else end
            self._keyed(rule, line, path, start, end, found)

    def _checked(self, check: str, data_type: str, text: str) -> str | None:
        """The data type a value has if it passes the check; None for placeholders and misses."""
        if text.lower() in self._placeholders:
            return None
        verdict = _check(check, text, self._region)
        if verdict is None:
            return None
        return verdict or data_type


@lru_cache(maxsize=65536)
def _valid(validator: str, text: str) -> bool:
    return VALIDATORS[validator](text)


def _reach(value: _Value, block: bytes, start: int, end: int) -> tuple[int, int, int]:
    """(begin, end, window) of a candidate the trigger marked at start..end: widened to the value's
    own characters before and after it (its `lookback` and `lookahead` runs), and the text its
    verdict reads from (the byte before it, or as far back as its `not_after` reads in the line)."""
    begin = start
    if value.lookback is not None:
        begin = _run_start(value.lookback, block, start, start - value.rule.lookback)
    if value.not_after is None:
        window = begin - LOOKBEHIND if begin > LOOKBEHIND else 0
    else:  # the text the rule's `not_after` reads decides too, up to the line's start
        reach = begin - NOT_AFTER_WINDOW if begin > NOT_AFTER_WINDOW else 0
        window = block.rfind(b"\n", reach, begin) + 1 or reach
    if value.lookahead is not None:  # from the trigger's last byte (its delimiter), and the byte after
        run = value.lookahead.match(block, end - 1, end - 1 + value.rule.lookahead)
        end = min(len(block), max(end, run.end() + 1 if run else end))
    return begin, end, window


def _after(not_after: Callable[[str], bool], block: bytes, found: int) -> bool:
    """Whether the text just before a value, in its line, disqualifies it (`openssl 1.1.7.15`)."""
    line_start = block.rfind(b"\n", max(0, found - NOT_AFTER_WINDOW), found) + 1
    return not_after(block[max(line_start, found - NOT_AFTER_WINDOW) : found].decode("utf-8", "replace"))


@lru_cache(maxsize=65536)
def _check(check: str, text: str, region: str) -> str | None:
    return CHECKS[check](text, region)


def _field_at(fields: Sequence[Field], starts: list[int], offset: int) -> str | None:
    """The name of the field holding `offset` (None in free text outside any named field)."""
    index = bisect.bisect_right(starts, offset) - 1
    if index >= 0 and fields[index].start <= offset <= fields[index].end:
        return fields[index].path
    return None


def _run_start(run: re.Pattern[AnyStr], text: AnyStr, end: int, floor: int) -> int:
    """Where the run of `run`'s characters (`[class]*`) that ends at `end` starts, not before
    `floor`: Python's `re` cannot search backwards, so the text is read reversed."""
    matched = run.match(text[max(0, floor) : end][::-1])
    return end - (matched.end() if matched else 0)


def _key_before(line: str, start: int) -> str | None:
    """The key a value in free text is written after (`card=…`, `email: …`), if any."""
    before = line[start - 2 : start] if start > 1 else line[:start]
    if not before or not (before[-1] in KEY_MARKS or before[0] in KEY_MARKS):
        return None
    # one character more than the window: what precedes a key decides where it starts
    match = KEY_BEFORE_REVERSED.match(line[max(0, start - KEY_WINDOW - 1) : start][::-1])
    if match is None or match.end() > KEY_WINDOW:
        return None
    return match.group(1)[::-1]


class _KeyedSpans:
    """Where values named by their keys lie, to tell in logarithmic time whether a phrase's
    value holds one (comparing every phrase with every keyed value is quadratic in a line)."""

    def __init__(self, keyed: list[Occurrence]) -> None:
        by_end = sorted(keyed, key=operator.attrgetter("end"))
        self.ends = [occurrence.end for occurrence in by_end]
        self.latest_start = list(itertools.accumulate((occurrence.start for occurrence in by_end), max))

    def inside(self, start: int, end: int) -> bool:
        """Whether a keyed value lies within start..end: of those ending by `end`, one starts at `start` or later."""
        index = bisect.bisect_right(self.ends, end) - 1
        return index >= 0 and self.latest_start[index] >= start


class _SameType:
    """The pattern and phrase occurrences of one data type, sorted, and the keyed values kept
    so far (apart from each other): each keyed value meets only those it overlaps."""

    def __init__(self) -> None:
        self.found: list[Occurrence] = []
        self.starts: list[int] = []
        self.reach: list[int] = []  # the furthest end of found[0..i]: how far back an overlap can be
        self.keyed: list[Occurrence] = []

    def add(self, occurrence: Occurrence) -> None:
        """One more occurrence, at or after the ones added before."""
        self.found.append(occurrence)
        self.starts.append(occurrence.start)
        self.reach.append(max(occurrence.end, self.reach[-1]) if self.reach else occurrence.end)

    def claim(self, keyed: Occurrence) -> None:
        """Name by the keyed value's field the occurrences it holds that no field names; keep it
        when it overlaps nothing of its type."""
        after = bisect.bisect_left(self.keyed, keyed.end, key=operator.attrgetter("start"))
        if self.name_overlapping(keyed) or (after and self.keyed[after - 1].end > keyed.start):
            return
        self.keyed.insert(after, keyed)

    def name_overlapping(self, keyed: Occurrence) -> bool:
        """Name by the keyed value's field the occurrences it overlaps that no field names;
        whether there are any."""
        overlapping = False
        index = bisect.bisect_left(self.starts, keyed.end) - 1
        while index >= 0 and self.reach[index] > keyed.start:
            other = self.found[index]
            if other.end > keyed.start:
                overlapping = True
                if other.field is None:
                    self.found[index] = other._replace(field=keyed.field)
            index -= 1
        return overlapping


def _character_offsets(line: str, events: Sequence[Event]) -> dict[int, int]:
    """The events' byte offsets in a UTF-8 line as character offsets, decoding the line once
    rather than up to each offset. Counting restarts only at ASCII bytes (where offsets sit),
    which no multi-byte character spans, so each count equals decoding the line up to it."""
    raw = line.encode("utf-8", "surrogateescape")
    offsets: dict[int, int] = {}
    counted_to = characters = 0
    for offset in sorted({offset for _, start, end in events for offset in (start, end)}):
        offsets[offset] = characters + len(raw[counted_to:offset].decode("utf-8", "surrogateescape"))
        if offset >= len(raw) or raw[offset] < 0x80:
            counted_to, characters = offset, offsets[offset]
    return offsets


def _key_tails(block: bytes, words: list[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """(start, end) of each key word with the rest of its key, up to its `=` or `:`. Words
    in one run of name characters (`useruser…`) share where the run ends, read once: reading
    the run from every word would take time quadratic in its length."""
    run_from = run_to = -1
    key_end: int | None = None
    for start, end in sorted(words, key=operator.itemgetter(1)):
        if not run_from <= end <= run_to:
            run = KEY_NAME_RUN.match(block, end)
            run_from, run_to = end, run.end() if run else end
            separator = KEY_SEPARATOR.match(block, run_to)
            key_end = separator.end() if separator else None
        if key_end is not None:
            yield start, key_end


def _widest_wins(found: list[tuple[int, Occurrence]]) -> list[Occurrence]:
    """Overlapping pattern matches keep the widest (an IBAN, not the card-like digits inside
    it), then the rule listed first (a 15-digit Amex number is a card, not an IMEI)."""
    if all(found[index - 1][1].end <= found[index][1].start for index in range(1, len(found))):
        return [occurrence for _, occurrence in found]  # in order and apart: the usual line
    kept = widest_first([(occurrence.start, occurrence.end, order) for order, occurrence in found])
    return [found[index][1] for index in kept]


def _deduplicated(found: list[Occurrence], phrases: frozenset[str]) -> list[Occurrence]:
    """One occurrence per value: a pattern's exact span wins over a field name's whole value.

    `client_ip: 203.0.113.9` is found by the IPv4 pattern and by its key; `x-forwarded-for`
    with two addresses is two occurrences, not one plus the whole header. A phrase's value that
    holds named values (`Cookie: sid=…; _ga=…`) gives way to them: they say more.
    Where the key's data type and the pattern's are parent and child in the taxonomy (`imei=…`:
    the key says `user.device.device_id`, the IMEI pattern `user.device.device_id.imei`), the
    narrower type is the one occurrence: two would count the value twice, and their two masks
    together would show more of it than either.
    """
    if len(found) < 2:
        return found
    keyed = [o for o in found if o.detector == FIELD_NAME]
    if not keyed:
        unique: dict[tuple[str, int, int], Occurrence] = {}
        for occurrence in found:
            unique.setdefault((occurrence.data_type, occurrence.start, occurrence.end), occurrence)
        return sorted(unique.values(), key=BY_PLACE)
    holders = _KeyedSpans(keyed)
    by_span = {
        (o.data_type, o.start, o.end): o
        for o in reversed(found)
        if o.detector != FIELD_NAME and not (o.detector in phrases and holders.inside(o.start, o.end))
    }
    for occurrence in keyed:  # a key narrower than the pattern that found the same value
        for parent in _parents(occurrence.data_type):
            by_span.pop((parent, occurrence.start, occurrence.end), None)
    by_type: dict[str, _SameType] = {}
    for occurrence in sorted(by_span.values(), key=BY_PLACE):
        by_type.setdefault(occurrence.data_type, _SameType()).add(occurrence)
    for occurrence in keyed:  # the key names the field the pattern found its value in: `rhost`
        narrower = [same for data_type, same in by_type.items() if data_type.startswith(occurrence.data_type + ".")]
        if any([same.name_overlapping(occurrence) for same in narrower]):  # every one named, hence a list
            continue
        by_type.setdefault(occurrence.data_type, _SameType()).claim(occurrence)
    return sorted((o for same in by_type.values() for o in (*same.found, *same.keyed)), key=BY_PLACE)


def _parents(data_type: str) -> Iterator[str]:
    """`user.device.device_id.imei` -> `user.device.device_id`, `user.device`, `user`: the
    taxonomy's keys are dotted paths, a parent's key a prefix of its children's."""
    while "." in data_type:
        data_type = data_type.rpartition(".")[0]
        yield data_type
