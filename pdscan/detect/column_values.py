"""Personal data in the values sampled from a database column, weighed with the column's name.

Values go through the same validated detectors and phrases as logs (a phone number in free text
is known by its phrase: `tel +81 …`), JSON documents key by
key (a key's name is evidence too: `{"contact": {"email": …}}`). Names and values then combine
into one judgement per data type: `notes` full of e-mail addresses is an e-mail column, an
`email` column whose values are e-mail addresses is surer than its name alone, and a value that
repeats in every row (the shop's own support address in a template) is the system's, not a
person's — unless the value alone names one person (a card number, an IBAN, an identity
document number: the types that earn `plaintext_sensitive` in logs), when one is enough.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache

from pdscan.detect.masking import mask_text, shown
from pdscan.detect.text_values import values_found
from pdscan.detect.values import ValueDetector, ValueMatch, bundled_detector
from pdscan.model import Detection, Evidence, Phrase, SentenceValue, ValueSample
from pdscan.ruleset.datatypes import bundled_rules
from pdscan.ruleset.log_rules import bundled_log_rules
from pdscan.ruleset.value_checks import CHECKS

MIN_SHARE = 0.05  # values alone call a column only when at least this share of its sample holds the type
MIN_MATCHED = 3  # … and at least this many values (or every value of a smaller sample)
MIN_DISTINCT = 2  # one value repeated in every row is the system's own, not a person's (but see _holds)
DOUBT_AFTER = 20  # a name is doubted only when this many sampled values all fail its value check
KEEP_SAMPLES = 3
MAX_DISTINCT_TRACKED = 10_000  # enough to tell "one repeated value" from "many people"
MAX_KEY_PATHS = 500  # JSON key paths remembered per column; documents with more are cut short
MAX_JSON_DEPTH = 32
CONFIDENCE_CONFIRMED = 0.97  # name and values agree
VALUE_BASE, VALUE_SPAN, VALUE_CEILING = 0.6, 0.35, 0.95  # values alone: by the share that matched
DOUBTED = 0.7  # the name said it, but no sampled value fits: kept, less sure
KEY_NAME = 0.8  # a JSON key's name, like a log field's


@dataclass
class _Tally:
    matched: int = 0
    distinct: set[str] = field(default_factory=set)
    samples: list[str] = field(default_factory=list)
    detectors: Counter[str] = field(default_factory=Counter)
    paths: Counter[str] = field(default_factory=Counter)


@dataclass(frozen=True, slots=True)
class TypeTally:
    """How many sampled values held one data type, and which detectors and JSON paths said so."""

    data_type: str
    matched: int
    distinct: int
    samples: tuple[str, ...]  # raw: masked only when a finding is built
    detectors: tuple[str, ...]
    paths: tuple[str, ...]  # JSON key paths the values were under, most frequent first


@dataclass(frozen=True, slots=True)
class ValueProfile:
    """What a column's sampled values hold; the values themselves are not kept."""

    sampled: int  # non-empty values read
    types: tuple[TypeTally, ...]
    keys: tuple[tuple[str, int], ...] = ()  # JSON key paths with a value, and in how many documents
    documents: int = 0  # values that were JSON documents
    checks: tuple[tuple[str, int], ...] = ()  # a data type's `check:` (rules/datatypes.yaml) -> values that passed it
    # Data types the detectors could have found: only for these does "no value fits" count.
    detectable: frozenset[str] = frozenset()


class ColumnProfiler:
    """Reads a column's sampled values one by one and keeps only counts and a few samples."""

    def __init__(self, checks: Iterable[str] = (), detector: ValueDetector | None = None) -> None:
        self._detector = detector or bundled_detector()
        self.sampled = 0
        self.documents = 0
        self._tallies: dict[str, _Tally] = {}
        self._keys: Counter[str] = Counter()
        self._checks = {name: 0 for name in checks}
        self._region = bundled_log_rules().default_phone_region

    def add(self, value: object) -> None:
        """One sampled value: text, a number or a JSON document as text. None and '' are skipped."""
        if value is None or isinstance(value, bool):
            return
        text = value if isinstance(value, str) else str(value)
        if not text.strip():
            return
        self.sampled += 1
        for check in self._checks:
            if CHECKS[check](text, self._region) is not None:
                self._checks[check] += 1
        document = _json_document(text)
        if document is None:
            self._count(values_found(text, self._detector), path=None)
            return
        self.documents += 1
        seen_paths: set[str] = set()
        found: list[tuple[ValueMatch, str]] = []
        for path, leaf in _leaves(document):
            if len(self._keys) < MAX_KEY_PATHS or path in self._keys:
                seen_paths.add(path)
            found.extend((match, path) for match in values_found(leaf, self._detector))
        self._keys.update(seen_paths)
        counted: set[str] = set()
        for match, path in found:
            self._note(match.data_type, match.detector, match.text, path, counted)

    def _count(self, matches: Iterable[ValueMatch], path: str | None) -> None:
        counted: set[str] = set()
        for match in matches:
            self._note(match.data_type, match.detector, match.text, path, counted)

    def _note(self, data_type: str, detector: str, text: str, path: str | None, counted: set[str]) -> None:
        tally = self._tallies.get(data_type)
        if tally is None:  # not setdefault: a new tally (two counters, a set) for every value costs
            tally = self._tallies[data_type] = _Tally()
        if data_type not in counted:  # a value holding two addresses counts once
            counted.add(data_type)
            tally.matched += 1
        tally.detectors[detector] += 1
        if path is not None:
            tally.paths[path] += 1
        if len(tally.distinct) < MAX_DISTINCT_TRACKED:
            tally.distinct.add(text)
        if text not in tally.samples and (len(tally.samples) < KEEP_SAMPLES or text < tally.samples[-1]):
            # the smallest few, so a table read whole gives the same samples in whatever order it came
            tally.samples.append(text)
            tally.samples.sort()
            del tally.samples[KEEP_SAMPLES:]

    def result(self) -> ValueProfile:
        types = tuple(
            TypeTally(
                data_type,
                tally.matched,
                len(tally.distinct),
                tuple(tally.samples),
                _most_first(tally.detectors),
                _most_first(tally.paths),
            )
            for data_type, tally in sorted(self._tallies.items())
        )
        return ValueProfile(
            self.sampled,
            types,
            tuple(sorted(self._keys.items())),
            self.documents,
            tuple(self._checks.items()),
            self._detector.data_types,
        )


def _most_first(counts: Counter[str]) -> tuple[str, ...]:
    """Names by count, ties by name: the same sample gives the same report in any row order."""
    return tuple(name for name, _ in sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def checks_for(detections: Iterable[Detection]) -> tuple[str, ...]:
    """The value checks a column's name detections ask for (phone numbers, dates)."""
    checks = _checks_by_type()
    return tuple(dict.fromkeys(checks[d.data_type] for d in detections if d.data_type in checks))


@cache
def _checks_by_type() -> dict[str, str]:
    """Data types whose values can be checked even though no value detector finds them in text:
    the `check:` of their rule."""
    return {rule.data_type: rule.check.name for rule in bundled_rules().data_types if rule.check is not None}


@dataclass(frozen=True, slots=True)
class ColumnJudgement:
    detection: Detection
    values: ValueSample | None


def judge_column(
    by_name: tuple[Detection, ...],
    profile: ValueProfile | None,
    classify_key: Callable[[str], tuple[Detection, ...]],
    titles: dict[str, Phrase],
    show_data: bool = False,
) -> tuple[ColumnJudgement, ...]:
    """One judgement per data type from the column's name, its values and its JSON keys."""
    if profile is None or profile.sampled == 0:
        return tuple(ColumnJudgement(detection, None) for detection in by_name)
    judged: dict[str, ColumnJudgement] = {}
    tallies = {tally.data_type: tally for tally in profile.types}
    for detection in by_name:
        tally = _confirming(detection.data_type, tallies)
        if tally is not None:
            del tallies[tally.data_type]
            evidence = (*detection.evidence, _value_evidence(tally, profile, titles))
            confidence = max(detection.confidence, CONFIDENCE_CONFIRMED)
            judged[detection.data_type] = ColumnJudgement(
                Detection(detection.data_type, confidence, evidence), _sample(tally, profile, show_data)
            )
            continue
        judged[detection.data_type] = ColumnJudgement(_checked(detection, profile, titles), None)
    for key_detection in _key_detections(profile, classify_key):
        data_type = key_detection.data_type
        tally = tallies.pop(data_type, None)
        if data_type in judged:
            continue
        values = None
        evidence = key_detection.evidence
        confidence = key_detection.confidence
        if tally is not None:
            evidence += (_value_evidence(tally, profile, titles),)
            confidence = CONFIDENCE_CONFIRMED
            values = _sample(tally, profile, show_data)
        judged[data_type] = ColumnJudgement(Detection(data_type, confidence, evidence), values)
    for tally in tallies.values():
        if not _holds(tally, profile.sampled):
            continue
        share = tally.matched / profile.sampled
        confidence = round(min(VALUE_CEILING, VALUE_BASE + VALUE_SPAN * share), 2)
        judged[tally.data_type] = ColumnJudgement(
            Detection(tally.data_type, confidence, (_value_evidence(tally, profile, titles),)),
            _sample(tally, profile, show_data),
        )
    return tuple(judged.values())


def _confirming(data_type: str, tallies: Mapping[str, TypeTally]) -> TypeTally | None:
    """The value tally of the same data type (or a narrower or wider one of the same family)."""
    return next((tally for found, tally in tallies.items() if _related(found, data_type)), None)


def _related(first: str, second: str) -> bool:
    return first == second or first.startswith(second + ".") or second.startswith(first + ".")


def _checked(detection: Detection, profile: ValueProfile, titles: dict[str, Phrase]) -> Detection:
    """A name detection the values did not confirm: a passing value check confirms it, a
    sample where nothing fits makes it less sure (the name still says what the schema means)."""
    check = _checks_by_type().get(detection.data_type)
    passed = dict(profile.checks).get(check, 0) if check else 0
    title = titles.get(detection.data_type, Phrase(detection.data_type))
    if passed:
        values = (("matched", passed), ("sampled", profile.sampled), ("title", title), ("check", check or ""))
        return Detection(
            detection.data_type,
            max(detection.confidence, CONFIDENCE_CONFIRMED),
            (*detection.evidence, Evidence("value", "value.valid_as", values)),
        )
    detectable = check is not None or any(_related(found, detection.data_type) for found in profile.detectable)
    if detectable and profile.sampled >= DOUBT_AFTER:
        none_is = Evidence("value", "value.none_is", (("sampled", profile.sampled), ("title", title)))
        return Detection(detection.data_type, round(detection.confidence * DOUBTED, 2), (*detection.evidence, none_is))
    return detection


def _key_detections(profile: ValueProfile, classify_key: Callable[[str], tuple[Detection, ...]]) -> list[Detection]:
    """Data types JSON key names mean (`contact.email`), one detection per type, best key first."""
    best: dict[str, tuple[Detection, str, int]] = {}
    for path, count in profile.keys:
        key = path.rsplit(".", 1)[-1]
        for detection in classify_key(key):
            current = best.get(detection.data_type)
            if current is None or (detection.confidence, count) > (current[0].confidence, current[2]):
                best[detection.data_type] = (detection, path, count)
    detections = []
    for data_type, (detection, path, count) in sorted(best.items()):
        meaning = next((e.value("meaning") for e in detection.evidence[:1] if e.value("meaning")), None) or data_type
        values: tuple[tuple[str, SentenceValue], ...] = (
            ("path", path),
            ("count", count),
            ("documents", profile.documents),
            ("meaning", meaning),
        )
        evidence = (Evidence("name", "name.json_key", values),)
        detections.append(Detection(data_type, min(KEY_NAME, detection.confidence), evidence))
    return detections


def _holds(tally: TypeTally, sampled: int) -> bool:
    """Values alone call the column when enough of them, and different ones, hold the type; a
    number that names one person's account or document needs no second value."""
    if tally.matched < min(MIN_MATCHED, sampled) or tally.matched / sampled < MIN_SHARE:
        return False
    if tally.matched == 1 or tally.distinct >= MIN_DISTINCT:
        return True
    return bundled_log_rules().is_plaintext_sensitive(tally.data_type)


def _value_evidence(tally: TypeTally, profile: ValueProfile, titles: dict[str, Phrase]) -> Evidence:
    """How many sampled values held the type: the sentence says how many were different and
    under which JSON keys only where that tells something."""
    title = titles.get(tally.data_type, Phrase(tally.data_type))
    values: tuple[tuple[str, str | int | Phrase | tuple[str, ...]], ...] = (
        ("matched", tally.matched),
        ("sampled", profile.sampled),
        ("title", title),
        ("detectors", tally.detectors),
    )
    message = "value.hold"
    if tally.distinct < tally.matched:
        message += "_distinct"
        values += (("distinct", tally.distinct),)
    if tally.paths:
        message += "_keys"
        values += (("paths", tally.paths[:3]),)
    return Evidence("value", message, values)


def _sample(tally: TypeTally, profile: ValueProfile, show_data: bool) -> ValueSample:
    samples = tuple(shown(sample, tally.data_type, show_data) for sample in tally.samples)
    return ValueSample(tally.matched, profile.sampled, tally.distinct, tuple(samples))


def _json_document(text: str) -> object | None:
    """The parsed document when a value is a JSON object or array, else None."""
    stripped = text.lstrip()
    if not stripped.startswith(("{", "[")):
        return None
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return document if isinstance(document, dict | list) else None


def _leaves(document: object, path: str = "", depth: int = 0) -> Iterable[tuple[str, str]]:
    """(key path, text) for every string and integer in a document; list items share their path."""
    if depth > MAX_JSON_DEPTH:
        return
    if isinstance(document, dict):
        for key, value in document.items():
            name = mask_text(str(key))  # a key may itself be a value: `{"by_email": {"a@b.example": …}}`
            yield from _leaves(value, f"{path}.{name}" if path else name, depth + 1)
    elif isinstance(document, list):
        for item in document:
            yield from _leaves(item, path, depth + 1)
    elif isinstance(document, str):
        if document.strip():
            yield path, document
    elif isinstance(document, int) and not isinstance(document, bool):
        yield path, str(document)
