"""The words pdscan writes for people (rules/labels.yaml), and the sentences it says with them:
evidence, stale declarations, skipped items, each in a report's language from whole-sentence
templates.

A template is one sentence per language with named fields, so each language orders and inflects
its own sentence instead of gluing English pieces. A field's format says how a value goes in:
`{count}` a number written the language's way (1,202; 1 202), `{title:phrase}` a title inside a
sentence, `{title:a}` the same after its English article, `{paths:codes}` names in backticks,
`{count:plain}` digits only, `{columns:list}` names joined by commas,
`{count:plural:value|values}` the word form the number asks for (Russian has three: 1 значение,
2 значения, 5 значений; a tuple counts its items). Machine formats (JSON, SARIF)
say evidence in English, word for word as they always have.
"""

from __future__ import annotations

import functools
import importlib.resources
import string
from collections.abc import Callable
from typing import Any, Protocol

import yaml

from pdscan.model import Phrase, SentenceValue, Skipped
from pdscan.ruleset.taxonomy import as_phrase

LABELS_FILE = "labels.yaml"
ENGLISH = "en"
# Which of a template's plural forms a number takes, per language (CLDR's cardinal rules).
PLURAL_RULES: dict[str, Callable[[int], int]] = {
    "en": lambda n: 0 if n == 1 else 1,  # one | other
    "ru": lambda n: 0 if n % 10 == 1 and n % 100 != 11 else 1 if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14 else 2,
}
THOUSANDS_SEPARATORS = {"en": ",", "ru": "\u00a0"}  # Russian groups digits with a (no-break) space


def plural(lang: str, count: int, forms: str) -> str:
    """The form of `forms` ("значение|значения|значений") that `count` takes in `lang`."""
    return forms.split("|")[PLURAL_RULES[lang](count)]


class Said(Protocol):
    """A sentence not yet said: Evidence, a StaleDeclaration, a Skipped item."""

    @property
    def message(self) -> str: ...
    @property
    def values(self) -> tuple[tuple[str, SentenceValue], ...]: ...


@functools.lru_cache(maxsize=65_536)
def sentence(said: Said, lang: str = ENGLISH) -> str:
    """The sentence in `lang` (an equal one is said once and remembered)."""
    return _Filler(lang).vformat(_templates(lang)[said.message], (), dict(said.values))


class _Filler(string.Formatter):
    def __init__(self, lang: str) -> None:
        self.lang = lang

    def format_field(self, value: object, format_spec: str) -> str:
        how, _, forms = format_spec.partition(":")
        if how == "plural":
            count = len(value) if isinstance(value, tuple) else int(value)  # type: ignore[call-overload]
            return plural(self.lang, count, forms)
        if how == "plain":  # a number as digits only, as some English sentences have always written it
            return str(value)
        if how == "list":
            return ", ".join(value)  # type: ignore[arg-type]
        if how == "codes":
            return ", ".join(f"`{item}`" for item in value)  # type: ignore[attr-defined]
        if isinstance(value, Phrase):
            words = value.said_in(self.lang)
            if how == "phrase":
                return as_phrase(words)
            if how == "a":
                phrase = as_phrase(words)
                return ("an " if phrase[:1].lower() in "aeiou" else "a ") + phrase
            return words
        if isinstance(value, int):
            return f"{value:,}".replace(",", THOUSANDS_SEPARATORS[self.lang])
        return str(value)


@functools.cache
def _templates(lang: str) -> dict[str, str]:
    return {key: str(texts[lang]) for key, texts in labels_document()["sentences"].items()}


def say(message: str, lang: str = ENGLISH, **values: SentenceValue) -> str:
    """A sentence of rules/labels.yaml said in `lang` with these values (the terminal table's)."""
    return _Filler(lang).vformat(_templates(lang)[message], (), values)


def skipped_because(
    source: str, message: str, values: tuple[tuple[str, SentenceValue], ...] = (), line: int | None = None
) -> Skipped:
    """A skipped item whose reason pdscan words: in English, and said in each report's language."""
    return Skipped(source, say(message, ENGLISH, **dict(values)), line, message, values)


def skipped_line(skipped: Skipped, lang: str = ENGLISH) -> str:
    """`where: why` in `lang`; a reason quoting an error stays as the error said it."""
    where = f"{skipped.source}:{skipped.line}" if skipped.line else skipped.source
    return f"{where}: {sentence(skipped, lang) if skipped.message else skipped.reason}"


@functools.cache
def phrase(key: str) -> Phrase:
    """Words of rules/labels.yaml (`sentences:`) that go inside a sentence, in every language."""
    texts = labels_document()["sentences"][key]
    return Phrase(str(texts[ENGLISH]), tuple((lang, str(text)) for lang, text in texts.items() if lang != ENGLISH))


@functools.cache
def labels_document() -> dict[str, Any]:
    """rules/labels.yaml, read once per process."""
    raw = (importlib.resources.files("pdscan.rules") / LABELS_FILE).read_text("utf-8")
    document: dict[str, Any] = yaml.load(raw, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return document
