"""The policy a scan is judged against: its categories of personal data and their purposes.

A policy file is the company's promise, written by people: every mistake in it is reported
at once, each with file:line:column, rather than one at a time.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pdscan.model import PolicyRef
from pdscan.ruleset.checker import Checker, parse_user_yaml, read_user_file
from pdscan.ruleset.taxonomy import BUNDLED_DISPLAY, load_taxonomy
from pdscan.ruleset.yaml_lines import Marked

__all__ = ["Category", "Policy", "Purpose", "load_policy"]

BUNDLED_POLICY = "policy.yaml"
IDENTIFIER = re.compile(r"[a-z][a-z0-9_]*")
POLICY_ID = re.compile(r"[a-z0-9][a-z0-9_.-]*")


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


class _PolicyReader:
    """Builds a Policy from a marked document, collecting every problem on the way."""

    def __init__(self, marked: Marked, taxonomy: dict[str, str]) -> None:
        self.marked = marked
        self.taxonomy = taxonomy
        self.check = Checker(marked)

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
                    self.check.fail(entry["data_types"], message, index)
