"""The policy a scan is judged against, and the taxonomy of data types it refers to.

A policy file is the company's promise, written by people: every mistake in it is reported
at once, each with file:line:column, rather than one at a time.
"""

from __future__ import annotations

import hashlib
import importlib.resources
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pdscan.model import PolicyRef
from pdscan.yaml_lines import Marked, Problem, YamlError, load_marked_text

BUNDLED_POLICY = "policy.yaml"
TAXONOMY = "taxonomy.yaml"


class PolicyError(Exception):
    """Every problem found in a policy or taxonomy file."""

    def __init__(self, problems: tuple[Problem, ...]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class Purpose:
    id: str
    title_en: str
    title_ru: str
    clause: str
    text_ru: str
    note: str | None = None


@dataclass(frozen=True)
class Category:
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
        for category in self.categories:
            if category.id == category_id:
                return category
        raise KeyError(category_id)

    def purpose(self, purpose_id: str) -> Purpose:
        for purpose in self.purposes:
            if purpose.id == purpose_id:
                return purpose
        raise KeyError(purpose_id)

    def category_for(self, data_type: str) -> Category | None:
        """The category whose data-type prefix is the longest match for `data_type`."""
        best: tuple[int, Category] | None = None
        for category in self.categories:
            for prefix in category.data_types:
                if (data_type == prefix or data_type.startswith(prefix + ".")) and (
                    best is None or len(prefix) > best[0]
                ):
                    best = (len(prefix), category)
        return best[1] if best else None

    @property
    def ref(self) -> PolicyRef:
        return PolicyRef(self.id, self.title, self.version, self.sha256, self.path)


def load_taxonomy() -> dict[str, str]:
    """Data-type key -> title, from the bundled taxonomy."""
    resource = importlib.resources.files("pdscan.rules") / TAXONOMY
    try:
        marked = load_marked_text(resource.read_text(encoding="utf-8"), f"rules/{TAXONOMY}")
    except YamlError as error:
        raise PolicyError(error.problems) from None
    checker = _Checker(marked)
    root = checker.mapping(marked.value, None, "the taxonomy", {"version", "data_types"})
    entries = checker.mapping(root.get("data_types"), root, "data_types") if root else None
    taxonomy: dict[str, str] = {}
    for key, entry in (entries or {}).items():
        fields = checker.mapping(entry, entries, f"data type '{key}'", {"title", "extension"})
        if fields is not None:
            taxonomy[str(key)] = str(fields.get("title", key))
    checker.raise_if_any()
    return taxonomy


def load_policy(path: Path | None = None) -> Policy:
    """The bundled policy, or the user's file at `path`; raises PolicyError listing every problem."""
    if path is None:
        resource = importlib.resources.files("pdscan.rules") / BUNDLED_POLICY
        raw = resource.read_bytes()
        display = f"pdscan/rules/{BUNDLED_POLICY}"
    else:
        try:
            raw = path.read_bytes()
        except OSError as error:
            raise PolicyError((Problem(str(path), 1, 1, f"cannot read the policy: {error.strerror}"),)) from None
        display = str(path)
    try:
        marked = load_marked_text(raw.decode("utf-8"), display)
    except UnicodeDecodeError:
        raise PolicyError((Problem(display, 1, 1, "the policy is not UTF-8 text"),)) from None
    except YamlError as error:
        raise PolicyError(error.problems) from None
    return _build_policy(marked, hashlib.sha256(raw).hexdigest(), load_taxonomy())


def _build_policy(marked: Marked, sha256: str, taxonomy: dict[str, str]) -> Policy:
    checker = _Checker(marked)
    root = checker.mapping(marked.value, None, "the policy file", {"policy", "purposes", "categories"})
    if root is None:
        checker.raise_if_any()
    assert root is not None
    header = checker.mapping(
        root.get("policy"),
        root,
        "policy",
        {"id", "title", "version", "language", "source"},
        required={"id", "title", "version"},
        key="policy",
    )
    purposes = [
        purpose
        for index, item in enumerate(checker.sequence(root.get("purposes"), root, "purposes", key="purposes"))
        if (purpose := _purpose(checker, item, root["purposes"], index)) is not None
    ]
    purpose_ids = checker.unique_ids(root.get("purposes"), "purpose")
    categories = [
        category
        for index, item in enumerate(checker.sequence(root.get("categories"), root, "categories", key="categories"))
        if (category := _category(checker, item, root["categories"], index, purpose_ids, taxonomy)) is not None
    ]
    checker.unique_ids(root.get("categories"), "category")
    _check_data_types_claimed_once(checker, root.get("categories"))
    checker.raise_if_any()
    assert header is not None
    return Policy(
        id=str(header["id"]),
        title=str(header["title"]),
        version=str(header["version"]),
        path=marked.path,
        sha256=sha256,
        categories=tuple(categories),
        purposes=tuple(purposes),
    )


def _purpose(checker: _Checker, item: Any, parent: list[Any], index: int) -> Purpose | None:
    fields = checker.mapping(
        item,
        parent,
        "a purpose",
        {"id", "title", "clause", "text_ru", "note"},
        required={"id", "title", "clause", "text_ru"},
        key=index,
    )
    if fields is None:
        return None
    titles = checker.titles(fields)
    if titles is None or not checker.identifier(fields, "id"):
        return None
    return Purpose(
        str(fields["id"]),
        titles[0],
        titles[1],
        str(fields["clause"]),
        str(fields["text_ru"]),
        _optional_text(fields.get("note")),
    )


def _category(
    checker: _Checker,
    item: Any,
    parent: list[Any],
    index: int,
    purpose_ids: set[str],
    taxonomy: dict[str, str],
) -> Category | None:
    fields = checker.mapping(
        item,
        parent,
        "a category",
        {"id", "title", "clause", "text_ru", "covers", "note", "data_types", "purposes"},
        required={"id", "title", "clause", "text_ru", "data_types", "purposes"},
        key=index,
    )
    if fields is None:
        return None
    titles = checker.titles(fields)
    if titles is None or not checker.identifier(fields, "id"):
        return None
    data_types = checker.strings(
        fields,
        "data_types",
        lambda value: any(key == value or key.startswith(value + ".") for key in taxonomy),
        "is neither a data type of rules/taxonomy.yaml nor a dotted prefix of one",
    )
    purposes = checker.strings(
        fields,
        "purposes",
        lambda value: value in purpose_ids,
        "is not a purpose defined under 'purposes'",
    )
    if data_types is None or purposes is None:
        return None
    return Category(
        str(fields["id"]),
        titles[0],
        titles[1],
        str(fields["clause"]),
        str(fields["text_ru"]),
        data_types,
        purposes,
        _optional_text(fields.get("note")),
        _optional_text(fields.get("covers")),
    )


def _check_data_types_claimed_once(checker: _Checker, categories: Any) -> None:
    owner: dict[str, str] = {}
    for entry in categories if isinstance(categories, list) else []:
        if not isinstance(entry, dict) or not isinstance(entry.get("data_types"), list):
            continue
        for index, data_type in enumerate(entry["data_types"]):
            if data_type in owner:
                checker.add(
                    entry["data_types"],
                    f"data type '{data_type}' is already claimed by category '{owner[data_type]}'",
                    index,
                )
            else:
                owner[data_type] = str(entry.get("id"))


def _optional_text(value: Any) -> str | None:
    return None if value is None else str(value)


class _Checker:
    """Collects problems while walking a marked document, so all of them are reported."""

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
        what: str,
        allowed: set[str] | None = None,
        required: frozenset[str] | set[str] = frozenset(),
        key: Any = None,
    ) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            where = (parent, key) if parent is not None else (value, None)
            self.add(where[0], f"{what} must be a mapping", where[1])
            return None
        for missing in sorted(required - set(value)):
            self.add(value, f"{what} is missing '{missing}'")
        for unknown in sorted(set(map(str, value)) - (allowed or set(map(str, value)))):
            self.add(
                value,
                f"unknown key '{unknown}' in {what} (expected one of: {', '.join(sorted(allowed or ()))})",
                unknown,
                on_key=True,
            )
        return value

    def sequence(self, value: Any, parent: Any, what: str, key: Any) -> list[Any]:
        if not isinstance(value, list):
            self.add(parent, f"'{what}' must be a list", key)
            return []
        return value

    def titles(self, fields: dict[str, Any]) -> tuple[str, str] | None:
        title = fields.get("title")
        if not isinstance(title, dict) or not all(isinstance(title.get(lang), str) for lang in ("en", "ru")):
            self.add(
                fields,
                "'title' must be a mapping with an English ('en') and a Russian ('ru') text",
                "title",
            )
            return None
        return title["en"], title["ru"]

    def identifier(self, fields: dict[str, Any], key: str) -> bool:
        value = fields.get(key)
        if not isinstance(value, str) or not value.replace("_", "").isalnum() or not value.islower():
            self.add(fields, f"'{key}' must be a lower-case identifier like 'customer_support'", key)
            return False
        return True

    def strings(
        self, fields: dict[str, Any], key: str, valid: Callable[[str], bool], complaint: str
    ) -> tuple[str, ...] | None:
        values = fields.get(key)
        if not isinstance(values, list):
            self.add(fields, f"'{key}' must be a list", key)
            return None
        good = []
        for index, value in enumerate(values):
            if not isinstance(value, str):
                self.add(values, f"'{key}' entries must be text", index)
            elif not valid(value):
                self.add(values, f"'{value}' {complaint}", index)
            else:
                good.append(value)
        return tuple(good)

    def unique_ids(self, entries: Any, what: str) -> set[str]:
        seen: set[str] = set()
        for index, entry in enumerate(entries if isinstance(entries, list) else []):
            identifier = entry.get("id") if isinstance(entry, dict) else None
            if not isinstance(identifier, str):
                continue
            if identifier in seen:
                self.add(entries, f"duplicate {what} id '{identifier}'", index)
            seen.add(identifier)
        return seen
