"""The words a report for people is written in: pdscan's own labels in one language
(`rules/labels.yaml`), and the policy's titles and clauses in that language.

Labels are data so that a translation is reviewed as text, not hunted through code; the
policy's titles come from the policy itself, and its clauses are quoted in its own words
whatever the language.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from types import MappingProxyType

from pdscan.model import Phrase, VerdictKind
from pdscan.policy import Policy
from pdscan.ruleset.taxonomy import taxonomy_titles
from pdscan.sentences import labels_document

DEFAULT_LANGUAGE = "en"


@dataclass(frozen=True)
class Wording:
    lang: str
    policy: Policy
    labels: MappingProxyType[str, str]

    @classmethod
    def build(cls, policy: Policy, lang: str = DEFAULT_LANGUAGE) -> Wording:
        """Raises KeyError for a language the labels do not carry (the CLI offers only those)."""
        return cls(lang, policy, MappingProxyType(labels(lang)))

    def in_english(self) -> Wording:
        """The same policy's words in English: what documents for programs are written in."""
        return self if self.lang == DEFAULT_LANGUAGE else Wording.build(self.policy)

    def __call__(self, key: str, **values: object) -> str:
        text = self.labels[key]
        return text.format(**values) if values else text

    def verdict(self, kind: VerdictKind | str) -> str:
        return self(f"verdict.{VerdictKind(kind).value}")

    def category_title(self, category_id: str | None) -> str:
        """The policy's title for the category; data no category covers is said so."""
        if category_id is None:
            return self("not_in_policy_category")
        try:
            category = self.policy.category(category_id)
        except KeyError:
            return category_id
        return category.title_ru if self.lang == "ru" else category.title_en

    def purpose_title(self, purpose_id: str) -> str:
        try:
            purpose = self.policy.purpose(purpose_id)
        except KeyError:
            return purpose_id
        return purpose.title_ru if self.lang == "ru" else purpose.title_en

    def data_type_title(self, data_type: str) -> str:
        """The taxonomy's title for a data type in this language (its key when the taxonomy has none)."""
        title = _data_type_titles().get(data_type)
        return title.said_in(self.lang) if title is not None else data_type

    def clause_words(self, category_id: str | None) -> str | None:
        """The clause that names the category, quoted as the policy writes it (never translated)."""
        if category_id is None:
            return None
        try:
            return self.policy.category(category_id).text_ru
        except KeyError:
            return None


@functools.cache
def _data_type_titles() -> MappingProxyType[str, Phrase]:
    return MappingProxyType(taxonomy_titles())


def languages() -> tuple[str, ...]:
    return tuple(labels_document()["languages"])


@functools.cache
def labels(lang: str) -> dict[str, str]:
    """Every label in `lang`; raises KeyError for a language the labels do not carry."""
    if lang not in languages():
        raise KeyError(lang)
    return {key: str(texts[lang]) for key, texts in labels_document()["labels"].items()}
