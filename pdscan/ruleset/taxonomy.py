"""The taxonomy of data types (rules/taxonomy.yaml, or the user's): each key and its titles."""

from __future__ import annotations

import functools
import importlib.resources
import re
from pathlib import Path

from pdscan.model import Phrase
from pdscan.ruleset.checker import Checker, parse_user_yaml, read_user_file

TAXONOMY = "taxonomy.yaml"
BUNDLED_DISPLAY = "pdscan/rules/{name}"  # how bundled files are named in reports and errors
DATA_TYPE_KEY = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*")


def load_taxonomy(path: Path | None = None) -> dict[str, str]:
    """Data-type key -> English title, from the bundled rules/taxonomy.yaml or the file at `path`.

    Raises PolicyError listing every problem. The bundled file is read once per process.
    """
    return {key: title.en for key, title in taxonomy_titles(path).items()}


def taxonomy_titles(path: Path | None = None) -> dict[str, Phrase]:
    """Data-type key -> its title in every language the taxonomy gives (reports say it in theirs)."""
    if path is None:
        return dict(_bundled_taxonomy())
    return dict(_read_taxonomy(read_user_file(path, "taxonomy"), str(path)))


@functools.cache
def _bundled_taxonomy() -> tuple[tuple[str, Phrase], ...]:
    raw = (importlib.resources.files("pdscan.rules") / TAXONOMY).read_bytes()
    return _read_taxonomy(raw, BUNDLED_DISPLAY.format(name=TAXONOMY))


def _read_taxonomy(raw: bytes, display: str) -> tuple[tuple[str, Phrase], ...]:
    marked = parse_user_yaml(raw, display)
    checker = Checker(marked)
    root = checker.mapping(marked.value, None, None, "the taxonomy", {"version", "data_types"}, {"data_types"})
    entries = checker.mapping(root.get("data_types"), root, "data_types", "'data_types'", None) if root else None
    taxonomy: list[tuple[str, Phrase]] = []
    for key, entry in (entries or {}).items():
        if not isinstance(key, str) or not DATA_TYPE_KEY.fullmatch(key):
            checker.fail(entries, f"'{key}' is not a data-type key like 'user.contact.email'", key, on_key=True)
            continue
        fields = checker.mapping(entry, entries, key, f"data type '{key}'", {"title", "extension"}, {"title"})
        if fields is None:
            continue
        if isinstance(fields.get("title"), dict):  # {en: …, ru: …}, as the policy writes titles
            titles = checker.titles(fields)
            title = Phrase(titles[0], (("ru", titles[1]),)) if titles else None
        else:  # one text for every language
            text = checker.text(fields, "title")
            title = Phrase(text) if text is not None else None
        if "extension" in fields and not isinstance(fields["extension"], bool):
            checker.fail(fields, "'extension' must be true or false", "extension")
        if title is not None:
            taxonomy.append((key, title))
    checker.raise_if_any()
    return tuple(taxonomy)


def as_phrase(title: str) -> str:
    """A title inside a sentence: 'Phone number' -> 'phone number', 'IP address' stays."""
    if len(title) > 1 and title[1].isupper():
        return title
    return title[:1].lower() + title[1:]
