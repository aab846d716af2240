"""The policy a scan is judged against, and the taxonomy of data types it refers to.

A policy file is the company's promise, written by people: every mistake in it is reported
at once, each with file:line:column, rather than one at a time.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import importlib.resources
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pdscan.model import Phrase, PolicyRef
from pdscan.ruleset.yaml_lines import Marked, Problem, ProblemsError, YamlError, load_marked_text, read_user_bytes
from pdscan.suggestions import did_you_mean

__all__ = [
    "Category",
    "Policy",
    "PolicyError",
    "Problem",
    "Purpose",
    "load_policy",
    "load_taxonomy",
    "taxonomy_titles",
]

BUNDLED_POLICY = "policy.yaml"
TAXONOMY = "taxonomy.yaml"
BUNDLED_DISPLAY = "pdscan/rules/{name}"  # how bundled files are named in reports and errors
IDENTIFIER = re.compile(r"[a-z][a-z0-9_]*")
POLICY_ID = re.compile(r"[a-z0-9][a-z0-9_.-]*")
DATA_TYPE_KEY = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*")


class PolicyError(ProblemsError):
    """Every problem found in a policy or taxonomy file."""


@dataclass(frozen=True)
class Purpose:
    """A use the policy allows; `text_ru` quotes the policy's own words for it."""

    id: str
    title_en: str
    title_ru: str
    clause: str
    text_ru: str
    note: str | None = None


@dataclass(frozen=True)
class Category:
    """A kind of personal data the policy names, the data types it covers and its permitted purposes.

    `note` carries interpretive remarks (where the policy is silent or ambiguous); `covers`
    says in plain words what belongs here.
    """

    id: str
    title_en: str
    title_ru: str
    clause: str
    text_ru: str
    data_types: tuple[str, ...]
    purposes: tuple[str, ...]
    note: str | None = None
    covers: str | None = None


@dataclass(frozen=True)
class Policy:
    id: str
    title: str
    version: str
    path: str
    sha256: str
    categories: tuple[Category, ...]
    purposes: tuple[Purpose, ...]

    def category(self, category_id: str) -> Category:
        """The category with this id; KeyError if the policy has none."""
        for category in self.categories:
            if category.id == category_id:
                return category
        raise KeyError(category_id)

    def purpose(self, purpose_id: str) -> Purpose:
        """The purpose with this id; KeyError if the policy has none."""
        for purpose in self.purposes:
            if purpose.id == purpose_id:
                return purpose
        raise KeyError(purpose_id)

    def category_for(self, data_type: str) -> Category | None:
        """The category whose data-type prefix is the longest match for `data_type`."""
        best: tuple[int, Category] | None = None
        for category in self.categories:
            for prefix in category.data_types:
                covers = data_type == prefix or data_type.startswith(prefix + ".")
                if covers and (best is None or len(prefix) > best[0]):
                    best = (len(prefix), category)
        return best[1] if best else None

    @property
    def ref(self) -> PolicyRef:
        return PolicyRef(self.id, self.title, self.version, self.sha256, self.path)


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
    checker = _Checker(marked)
    root = checker.mapping(marked.value, None, None, "the taxonomy", {"version", "data_types"}, {"data_types"})
    entries = checker.mapping(root.get("data_types"), root, "data_types", "'data_types'", None) if root else None
    taxonomy: list[tuple[str, Phrase]] = []
    for key, entry in (entries or {}).items():
        if not isinstance(key, str) or not DATA_TYPE_KEY.fullmatch(key):
            checker.add(entries, f"'{key}' is not a data-type key like 'user.contact.email'", key, on_key=True)
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
            checker.add(fields, "'extension' must be true or false", "extension")
        if title is not None:
            taxonomy.append((key, title))
    checker.raise_if_any()
    return tuple(taxonomy)


def as_phrase(title: str) -> str:
    """A title inside a sentence: 'Phone number' -> 'phone number', 'IP address' stays."""
    if len(title) > 1 and title[1].isupper():
        return title
    return title[:1].lower() + title[1:]


def load_policy(path: Path | None = None) -> Policy:
    """The bundled policy, or the user's file at `path`; raises PolicyError listing every problem."""
    if path is None:
        raw = (importlib.resources.files("pdscan.rules") / BUNDLED_POLICY).read_bytes()
        display = BUNDLED_DISPLAY.format(name=BUNDLED_POLICY)
    else:
        raw = read_user_file(path, "policy")
        display = str(path)
    marked = parse_user_yaml(raw, display)
    return _PolicyReader(marked, load_taxonomy()).read(hashlib.sha256(raw).hexdigest())


def read_user_file(path: Path, what: str) -> bytes:
    try:
        return read_user_bytes(path)
    except OSError as error:
        reason = error.strerror or str(error)
        raise PolicyError((Problem(str(path), 1, 1, f"cannot read the {what}: {reason}"),)) from None


def parse_user_yaml(raw: bytes, display: str) -> Marked:
    try:
        return load_marked_text(raw.decode("utf-8"), display)
    except UnicodeDecodeError:
        raise PolicyError((Problem(display, 1, 1, "not UTF-8 text: save the file as UTF-8"),)) from None
    except YamlError as error:
        raise PolicyError(error.problems) from None


class _PolicyReader:
    """Builds a Policy from a marked document, collecting every problem on the way."""

    def __init__(self, marked: Marked, taxonomy: dict[str, str]) -> None:
        self.marked = marked
        self.taxonomy = taxonomy
        self.check = _Checker(marked)

    def read(self, sha256: str) -> Policy:
        check = self.check
        sections = {"policy", "purposes", "categories"}
        root = check.mapping(self.marked.value, None, None, "the policy file", sections, sections)
        if root is None:
            check.raise_if_any()
        assert root is not None
        header_keys = {"id", "title", "version", "language", "source"}
        header = check.mapping(root.get("policy"), root, "policy", "'policy'", header_keys, {"id", "title", "version"})
        policy_id = title = version = None
        if header is not None:
            policy_id = check.matching(header, "id", POLICY_ID, "a policy id like 'acme-2024'")
            title = check.text(header, "title")
            version = check.text(header, "version", accept_date=True)
            for optional in ("language", "source"):
                check.text(header, optional, required=False)
        purpose_entries = check.sequence(root, "purposes")
        purposes = [p for i, item in enumerate(purpose_entries) if (p := self.purpose(item, purpose_entries, i))]
        purpose_ids = check.unique_ids(purpose_entries, "purpose")
        category_entries = check.sequence(root, "categories")
        categories = [
            c for i, item in enumerate(category_entries) if (c := self.category(item, category_entries, i, purpose_ids))
        ]
        check.unique_ids(category_entries, "category")
        self.data_types_claimed_once(category_entries)
        check.raise_if_any()
        assert policy_id is not None and title is not None and version is not None
        return Policy(
            id=policy_id,
            title=title,
            version=version,
            path=self.marked.path,
            sha256=sha256,
            categories=tuple(categories),
            purposes=tuple(purposes),
        )

    def purpose(self, item: Any, parent: list[Any], index: int) -> Purpose | None:
        allowed = {"id", "title", "clause", "text_ru", "note"}
        fields = self.check.mapping(item, parent, index, "a purpose", allowed, allowed - {"note"})
        if fields is None:
            return None
        identifier = self.check.matching(fields, "id", IDENTIFIER, "a lower-case id like 'customer_support'")
        titles = self.check.titles(fields)
        clause = self.check.text(fields, "clause")
        text_ru = self.check.text(fields, "text_ru")
        note = self.check.text(fields, "note", required=False)
        if identifier is None or titles is None or clause is None or text_ru is None:
            return None
        return Purpose(identifier, titles[0], titles[1], clause, text_ru, note)

    def category(self, item: Any, parent: list[Any], index: int, purpose_ids: set[str]) -> Category | None:
        allowed = {"id", "title", "clause", "text_ru", "covers", "note", "data_types", "purposes"}
        fields = self.check.mapping(item, parent, index, "a category", allowed, allowed - {"covers", "note"})
        if fields is None:
            return None
        identifier = self.check.matching(fields, "id", IDENTIFIER, "a lower-case id like 'email'")
        titles = self.check.titles(fields)
        clause = self.check.text(fields, "clause")
        text_ru = self.check.text(fields, "text_ru")
        note = self.check.text(fields, "note", required=False)
        covers = self.check.text(fields, "covers", required=False)
        data_types = self.check.strings(
            fields,
            "data_types",
            lambda value: any(key == value or key.startswith(value + ".") for key in self.taxonomy),
            "is neither a data type of rules/taxonomy.yaml nor a dotted prefix of one (see `pdscan policy` "
            "for the data types in use)",
            self.taxonomy,
        )
        purposes = self.check.strings(
            fields,
            "purposes",
            lambda value: value in purpose_ids,
            "is not a purpose defined under 'purposes'",
            purpose_ids,
        )
        if None in (identifier, titles, clause, text_ru, data_types, purposes):
            return None
        assert identifier and titles and clause and text_ru and data_types is not None and purposes is not None
        return Category(identifier, titles[0], titles[1], clause, text_ru, data_types, purposes, note, covers)

    def data_types_claimed_once(self, categories: list[Any]) -> None:
        """One data type, one category: otherwise which purposes apply would depend on file order."""
        owner: dict[str, str] = {}
        for entry in categories:
            if not isinstance(entry, dict) or not isinstance(entry.get("data_types"), list):
                continue
            category_id = str(entry.get("id"))
            for index, data_type in enumerate(entry["data_types"]):
                if not isinstance(data_type, str):
                    continue
                first = owner.setdefault(data_type, category_id)
                if first != category_id:
                    message = f"data type '{data_type}' is already claimed by category '{first}'"
                    self.check.add(entry["data_types"], message, index)


class _Checker:
    """Collects problems while walking a marked document, so all of them are reported together."""

    def __init__(self, marked: Marked) -> None:
        self.marked = marked
        self.problems: list[Problem] = []

    def add(self, container: Any, message: str, entry: Any = None, on_key: bool = False) -> None:
        self.problems.append(self.marked.problem(container, message, entry, on_key))

    def raise_if_any(self) -> None:
        if self.problems:
            ordered = sorted(set(self.problems), key=lambda p: (p.line, p.column, p.message))
            raise PolicyError(tuple(ordered))

    def mapping(
        self,
        value: Any,
        parent: Any,
        key: Any,
        what: str,
        allowed: set[str] | None,
        required: set[str] | None = None,
    ) -> dict[Any, Any] | None:
        """`value` if it is a mapping with only `allowed` keys (None: any); problems for anything else."""
        if not isinstance(value, dict):
            if value is None and isinstance(parent, dict) and key not in parent:
                return None  # the missing key is reported by the parent
            target = parent if parent is not None else value
            self.add(target, f"{what} must be a mapping", key)
            return None
        for missing in sorted((required or set()) - set(value)):
            self.add(value, f"{what} is missing '{missing}'")
        for unknown in sorted(str(k) for k in value if allowed is not None and k not in allowed):
            self.add(
                value,
                f"unknown key '{unknown}' in {what} (expected one of: {', '.join(sorted(allowed or ()))})",
                unknown,
                on_key=True,
            )
        return value

    def sequence(self, fields: dict[Any, Any], key: str) -> list[Any]:
        value = fields.get(key)
        if key in fields and not isinstance(value, list):
            self.add(fields, f"'{key}' must be a list", key)
        return value if isinstance(value, list) else []

    def text(self, fields: dict[Any, Any], key: str, required: bool = True, accept_date: bool = False) -> str | None:
        """A non-empty string at `key` (a missing required key was already reported by `mapping`)."""
        if key not in fields:
            return None
        value = fields[key]
        if accept_date and isinstance(value, datetime.date):
            return value.isoformat()
        if not isinstance(value, str) or not value.strip():
            self.add(fields, f"'{key}' must be a non-empty text" + ("" if required else " (or left out)"), key)
            return None
        return value

    def matching(self, fields: dict[Any, Any], key: str, pattern: re.Pattern[str], example: str) -> str | None:
        value = fields.get(key)
        if key not in fields:
            return None
        if not isinstance(value, str) or not pattern.fullmatch(value):
            self.add(fields, f"'{key}' must be {example}, not {value!r}", key)
            return None
        return value

    def titles(self, fields: dict[Any, Any]) -> tuple[str, str] | None:
        if "title" not in fields:
            return None
        title = fields["title"]
        if not isinstance(title, dict):
            self.add(fields, "'title' must be a mapping with an English and a Russian text: {en: …, ru: …}", "title")
            return None
        for unknown in sorted(str(k) for k in title if k not in ("en", "ru")):
            self.add(title, f"unknown key '{unknown}' in 'title' (expected: en, ru)", unknown, on_key=True)
        texts = []
        for language in ("en", "ru"):
            if language not in title:
                self.add(title, f"'title' is missing '{language}'")
            texts.append(self.text(title, language))
        if texts[0] is None or texts[1] is None:
            return None
        return texts[0], texts[1]

    def strings(
        self,
        fields: dict[Any, Any],
        key: str,
        valid: Callable[[str], bool],
        complaint: str,
        known: Collection[str] = (),
    ) -> tuple[str, ...] | None:
        """The texts listed under `key`; each invalid one is a problem naming the closest of `known`."""
        if key not in fields:
            return None
        values = fields[key]
        if not isinstance(values, list):
            self.add(fields, f"'{key}' must be a list (write [] for none)", key)
            return None
        good: list[str] = []
        for index, value in enumerate(values):
            if not isinstance(value, str):
                self.add(values, f"'{key}' entries must be text, not {value!r}", index)
            elif not valid(value):
                self.add(values, f"'{value}' {complaint}{did_you_mean(value, known)}", index)
            elif value in good:
                self.add(values, f"'{value}' is listed twice", index)
            else:
                good.append(value)
        return tuple(good)

    def unique_ids(self, entries: list[Any], what: str) -> set[str]:
        seen: set[str] = set()
        for index, entry in enumerate(entries):
            identifier = entry.get("id") if isinstance(entry, dict) else None
            if not isinstance(identifier, str):
                continue
            if identifier in seen:
                self.add(entries, f"duplicate {what} id '{identifier}'", index)
            seen.add(identifier)
        return seen
