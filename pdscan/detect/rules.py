"""Load the detection rules (rules/datatypes.yaml) into frozen records, validated.

A rule file is code written as data: a typo in it must fail loudly with file:line, not
silently match nothing.
"""

from __future__ import annotations

import importlib.resources
import re
from dataclasses import dataclass
from typing import Any

from pdscan.detect.identifiers import split_identifier
from pdscan.detect.validators import VALIDATORS
from pdscan.policy import PolicyError, load_taxonomy
from pdscan.yaml_lines import Marked, Problem, YamlError, load_marked_text

BUNDLED_RULES = "datatypes.yaml"
TYPE_FAMILIES = ("boolean", "integer", "numeric", "date", "binary")


@dataclass(frozen=True)
class NamePattern:
    """Words that must appear together; table word-sets required and forbidden.

    `table_is`: the table's head noun (its last word) must be one of these, as in `sessions`
    or `api_session`: the column belongs to the thing the table stores, not a reference to it.
    """

    words: tuple[str, ...]
    exact: bool
    tables: tuple[str, ...]
    not_tables: tuple[str, ...]
    table_is: tuple[str, ...] = ()


@dataclass(frozen=True)
class Example:
    column: str
    table: str | None
    sql_type: str | None


@dataclass(frozen=True)
class DataTypeRule:
    data_type: str
    patterns: tuple[NamePattern, ...]
    exclude: frozenset[str]
    exclude_types: frozenset[str]
    matches: tuple[Example, ...]
    non_matches: tuple[Example, ...]


@dataclass(frozen=True)
class ValueRule:
    """A value pattern, the validator that confirms a match, and its proof both ways."""

    name: str
    data_type: str
    pattern: str
    validator: str
    matches: tuple[str, ...]
    non_matches: tuple[str, ...]


@dataclass(frozen=True)
class DetectionRules:
    qualifiers: frozenset[str]
    table_words: dict[str, frozenset[str]]
    data_types: tuple[DataTypeRule, ...]
    value_detectors: tuple[ValueRule, ...] = ()


def load_rules(text: str | None = None, display: str = f"rules/{BUNDLED_RULES}") -> DetectionRules:
    """The bundled rules, or rules given as text; raises PolicyError listing every problem."""
    if text is None:
        text = (importlib.resources.files("pdscan.rules") / BUNDLED_RULES).read_text(encoding="utf-8")
    try:
        marked = load_marked_text(text, display)
    except YamlError as error:
        raise PolicyError(error.problems) from None
    return _RulesBuilder(marked, set(load_taxonomy())).build()


class _RulesBuilder:
    def __init__(self, marked: Marked, taxonomy: set[str]) -> None:
        self.marked = marked
        self.taxonomy = taxonomy
        self.problems: list[Problem] = []

    def fail(self, container: Any, message: str, entry: Any = None, on_key: bool = False) -> None:
        self.problems.append(self.marked.problem(container, message, entry, on_key))

    def build(self) -> DetectionRules:
        root = self.marked.value
        if not isinstance(root, dict) or not isinstance(root.get("data_types"), dict):
            self.fail(root, "a rules file is a mapping with 'data_types'")
            raise PolicyError(tuple(self.problems))
        table_words = {
            str(name): frozenset(self._words(words, root.get("table_words"), name))
            for name, words in (root.get("table_words") or {}).items()
        }
        qualifiers = frozenset(self._words(root.get("qualifiers") or [], root, "qualifiers"))
        data_types = tuple(
            rule
            for key, entry in root["data_types"].items()
            if (rule := self._data_type(str(key), entry, root["data_types"])) is not None
        )
        value_detectors = tuple(
            rule
            for index, entry in enumerate(root.get("value_detectors") or [])
            if (rule := self._value_rule(entry, root["value_detectors"], index)) is not None
        )
        if self.problems:
            raise PolicyError(tuple(self.problems))
        return DetectionRules(qualifiers, table_words, data_types, value_detectors)

    def _value_rule(self, entry: Any, parent: list[Any], index: int) -> ValueRule | None:
        required = {"name", "data_type", "pattern", "validator", "examples"}
        if not isinstance(entry, dict) or required - set(entry):
            self.fail(parent, f"a value detector needs {', '.join(sorted(required))}", index)
            return None
        if entry["data_type"] not in self.taxonomy:
            self.fail(entry, f"'{entry['data_type']}' is not a data type of rules/taxonomy.yaml", "data_type")
        if entry["validator"] not in VALIDATORS:
            self.fail(entry, f"unknown validator '{entry['validator']}' (known: {', '.join(VALIDATORS)})", "validator")
        try:
            re.compile(entry["pattern"])
        except re.error as error:
            self.fail(entry, f"the pattern does not compile: {error}", "pattern")
        examples = entry["examples"] if isinstance(entry["examples"], dict) else {}
        if not examples.get("match") or not examples.get("no_match"):
            self.fail(entry, "a value detector needs examples that must match and that must not", "examples")
        return ValueRule(
            name=str(entry["name"]),
            data_type=str(entry["data_type"]),
            pattern=str(entry["pattern"]),
            validator=str(entry["validator"]),
            matches=tuple(str(e) for e in examples.get("match", [])),
            non_matches=tuple(str(e) for e in examples.get("no_match", [])),
        )

    def _words(self, value: Any, parent: Any, key: Any) -> list[str]:
        if not isinstance(value, list) or not all(isinstance(word, str) for word in value):
            self.fail(parent, f"'{key}' must be a list of words", key)
            return []
        return [word.lower() for word in value]

    def _data_type(self, key: str, entry: Any, parent: dict[str, Any]) -> DataTypeRule | None:
        if key not in self.taxonomy:
            self.fail(parent, f"'{key}' is not a data type of rules/taxonomy.yaml", key, on_key=True)
            return None
        if not isinstance(entry, dict) or not isinstance(entry.get("names"), list):
            self.fail(parent, f"data type '{key}' needs a 'names' list", key, on_key=True)
            return None
        unknown = set(entry) - {"names", "context", "exclude", "exclude_types", "examples"}
        for name in sorted(unknown):
            self.fail(entry, f"unknown key '{name}' in data type '{key}'", name)
        context = entry.get("context") or {}
        patterns = tuple(
            pattern
            for index, item in enumerate(entry["names"])
            if (pattern := self._pattern(item, entry["names"], index, context)) is not None
        )
        exclude_types = self._words(entry.get("exclude_types", []), entry, "exclude_types")
        for family in exclude_types:
            if family not in TYPE_FAMILIES:
                self.fail(
                    entry,
                    f"unknown type family '{family}' (known: {', '.join(TYPE_FAMILIES)})",
                    "exclude_types",
                )
        examples = entry.get("examples") or {}
        if not isinstance(examples, dict) or not examples.get("match") or not examples.get("no_match"):
            self.fail(
                parent,
                f"data type '{key}' needs examples that must match and that must not",
                key,
                on_key=True,
            )
            examples = {}
        return DataTypeRule(
            data_type=key,
            patterns=patterns,
            exclude=frozenset(self._words(entry.get("exclude", []), entry, "exclude")),
            exclude_types=frozenset(exclude_types),
            matches=tuple(self._examples(examples.get("match", []))),
            non_matches=tuple(self._examples(examples.get("no_match", []))),
        )

    def _pattern(self, item: Any, parent: list[Any], index: int, context: dict[str, Any]) -> NamePattern | None:
        if not isinstance(item, dict) or not isinstance(item.get("words"), list) or not item["words"]:
            self.fail(parent, "a name pattern is a mapping with a non-empty 'words' list", index)
            return None
        unknown = set(item) - {"words", "exact", "tables", "not_tables", "table_is"}
        for name in sorted(unknown):
            self.fail(item, f"unknown key '{name}' in a name pattern", name)
        if not all(isinstance(word, str) for word in item["words"]):
            self.fail(parent, "pattern words must be text: quote YAML's yes/no/on/off words", index)
            return None
        words = tuple(word.lower() for word in item["words"])
        for word in item["words"]:
            if split_identifier(word) != (word.lower(),):
                self.fail(parent, f"'{word}' is not a single lower-case word; split it", index)
        return NamePattern(
            words=words,
            exact=bool(item.get("exact", False)),
            tables=tuple(item.get("tables", [])) + tuple(context.get("tables", [])),
            not_tables=tuple(item.get("not_tables", [])) + tuple(context.get("not_tables", [])),
            table_is=tuple(item.get("table_is", [])),
        )

    def _examples(self, items: Any) -> list[Example]:
        examples = []
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict) and isinstance(item.get("column"), str):
                examples.append(Example(item["column"], item.get("table"), item.get("type")))
            else:
                self.fail(items, "an example is a mapping with 'column' (and optional 'table', 'type')")
        return examples
