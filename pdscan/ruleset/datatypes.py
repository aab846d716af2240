"""Load the detection rules (rules/datatypes.yaml, and users' own files extending them) into
frozen records, validated.

A rule file is code written as data: a typo in it must fail loudly with file:line, not
silently match nothing. Every problem is collected and reported at once. A user's patterns
must also run in linear time (`linear_patterns`) and prove their examples at load.
"""

from __future__ import annotations

import functools
import importlib.resources
import inspect
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from pdscan.model import Phrase
from pdscan.ruleset.checker import Checker, PolicyError
from pdscan.ruleset.identifiers import split_identifier
from pdscan.ruleset.linear_patterns import UnsafePattern, compile_linear
from pdscan.ruleset.suggestions import did_you_mean
from pdscan.ruleset.taxonomy import taxonomy_titles
from pdscan.ruleset.validators import VALIDATORS
from pdscan.ruleset.value_checks import CHECKS
from pdscan.ruleset.yaml_lines import Marked, Problem, YamlError, load_marked_text

BUNDLED_RULES = "datatypes.yaml"
TYPE_FAMILIES = ("boolean", "integer", "numeric", "date", "binary", "network", "mac", "email")
_PATTERN_KEYS = {"words", "exact", "tables", "not_tables", "table_is", "means"}
_DATA_TYPE_KEYS = {"names", "context", "exclude", "keeps", "exclude_types", "expect_types", "held_by_types", "examples"}
# Keys only the bundled file may set: every output masks a data type's values the same way, and
# a scan checks a column's values the same way, whatever rules a user adds.
_BUNDLED_ONLY_KEYS = {"mask", "check"}
_EXAMPLE_KEYS = {"column", "table", "type"}
_VALUE_KEYS = {"name", "data_type", "pattern", "validator", "examples"}


@dataclass(frozen=True)
class TableContext:
    """A kind of table, known by words of its name (`person`: users, customers…) or by a
    column it has (`linked_to_person`: a `user_id`), and what such a table holds."""

    name: str
    words: frozenset[str]
    columns: frozenset[tuple[str, ...]]
    means: Phrase  # what such a table holds, said after "table `x`"
    # Contexts that overrule this one: `organisation_settings` is the organisation's own, but
    # `organisation_users` is about people.
    unless: frozenset[str] = frozenset()
    # Contexts that overrule this one when they hold the table's head noun (its last word):
    # `shop_customers` holds customers, though `shop` is a business word.
    unless_head: frozenset[str] = frozenset()


@dataclass(frozen=True)
class NamePattern:
    """Words that must appear together in a column name, and the tables where they count.

    `tables`/`not_tables` name table contexts or literal table words; `table_is` lists head
    nouns the table's last word must be (in `sessions` a `session_id` is the session's own id).
    """

    words: tuple[str, ...]
    exact: bool
    tables: tuple[str, ...]
    not_tables: tuple[str, ...]
    table_is: tuple[str, ...]
    means: Phrase | None


@dataclass(frozen=True)
class Example:
    """A column (optionally in a table, with an SQL type) a rule must or must not match."""

    column: str
    table: str | None
    sql_type: str | None


@dataclass(frozen=True)
class FunctionRef:
    """A function of pdscan's that a rule names (a mask, a value check), with its parameters and
    where it was named: the code that owns the functions resolves it and says where a name is wrong."""

    name: str
    parameters: tuple[tuple[str, int | str], ...]
    path: str
    line: int
    column: int

    def problem(self, message: str) -> Problem:
        return Problem(self.path, self.line, self.column, message)

    def wrong_in(
        self, functions: Mapping[str, Callable[..., object]], kind: str, given: tuple[str, ...] = ("value",)
    ) -> Problem | None:
        """What is wrong with this reference to one of `functions` (the name, the parameters), if anything.

        Each function takes what its caller `given`s (the value…) first, then the parameters a
        rule may give it by name.
        """
        function = functions.get(self.name)
        if function is None:
            return self.problem(f"unknown {kind} '{self.name}'{did_you_mean(self.name, functions)}")
        signature = inspect.signature(function)
        try:
            signature.bind(*given, **dict(self.parameters))
        except TypeError:
            takes = list(signature.parameters)[len(given) :]
            return self.problem(f"{kind} '{self.name}' takes {', '.join(takes) or 'no parameters'}")
        return None


@dataclass(frozen=True)
class DataTypeRule:
    data_type: str
    title: Phrase  # the taxonomy's, in each language it gives
    patterns: tuple[NamePattern, ...]
    exclude: frozenset[str]
    exclude_types: frozenset[str]
    expect_types: frozenset[str]
    matches: tuple[Example, ...]
    non_matches: tuple[Example, ...]
    # SQL type families whose columns hold this data type whatever they are called (`inet`).
    held_by_types: frozenset[str] = frozenset()
    # Qualifiers that leave the column this data type (a passport's dates are identity data).
    keeps: frozenset[str] = frozenset()
    mask: FunctionRef | None = None  # how outputs show its values (detect/masking.py MASKS); None: `edges`
    check: FunctionRef | None = None  # what a sampled value must pass to be one (ruleset/value_checks.py CHECKS)


@dataclass(frozen=True)
class ValueRule:
    """A value pattern, the validator that confirms a match, and its proof both ways."""

    name: str
    data_type: str
    pattern: str
    validator: str
    matches: tuple[str, ...]
    non_matches: tuple[str, ...]
    # A cheaper superset the log engine searches for (the pattern's lookarounds cost it
    # selectivity there); the pattern itself when absent.
    trigger: str | None = None
    lookback: int = 0  # how far before the trigger's start the value may begin
    lookback_characters: str = ""  # a character class: what the value holds before the trigger
    lookahead: int = 0  # how far past the trigger's end the value may go on
    lookahead_characters: str = ""  # a character class: what the value holds after the trigger
    not_after: str | None = None  # text ending right before a match that disqualifies it (a version's name)
    linear_only: bool = False  # a user's rule: its patterns run on RE2 (linear time), never on `re`


@dataclass(frozen=True)
class DetectionRules:
    qualifiers: frozenset[str]
    table_contexts: dict[str, TableContext]
    data_types: tuple[DataTypeRule, ...]
    value_detectors: tuple[ValueRule, ...] = ()
    extended_by: str = ""  # a digest of the user's rule files (--rules) added to the bundled ones
    # Words of scripts written without spaces (Japanese) and the Latin words they read as.
    native_words: dict[str, tuple[str, ...]] = field(default_factory=dict)


@functools.cache
def bundled_rules() -> DetectionRules:
    """The bundled rules, loaded once per process."""
    return load_rules()


def load_rules(text: str | None = None, display: str = f"rules/{BUNDLED_RULES}") -> DetectionRules:
    """The bundled rules, or rules given as text; raises PolicyError listing every problem."""
    if text is None:
        text = (importlib.resources.files("pdscan.rules") / BUNDLED_RULES).read_text(encoding="utf-8")
    try:
        marked = load_marked_text(text, display)
    except YamlError as error:
        raise PolicyError(error.problems) from None
    return _RulesBuilder(marked, taxonomy_titles()).build()


# A value rule's failed examples, in words ("'EMP-1' must match but does not"); injected by the
# caller because checking them needs the detectors, which are built from these records.
ExampleCheck = Callable[[ValueRule], list[str]]


def extend_rules(base: DetectionRules, marked: Marked, check_examples: ExampleCheck) -> DetectionRules:
    """`base` with a user's rule file added: its name patterns join the data types' own, its
    value detectors come after the bundled ones and run on RE2; raises PolicyError."""
    return _RulesBuilder(marked, taxonomy_titles(), base, check_examples).build()


class _RulesBuilder(Checker):
    def __init__(
        self,
        marked: Marked,
        taxonomy: dict[str, Phrase],
        base: DetectionRules | None = None,
        check_examples: ExampleCheck | None = None,
    ) -> None:
        super().__init__(marked, PolicyError)
        self.taxonomy = taxonomy
        self.base = base  # the rules a user's file extends; None for the bundled file itself
        self.check_examples = check_examples
        self.contexts: dict[str, TableContext] = dict(base.table_contexts) if base else {}

    def build(self) -> DetectionRules:
        root = self.marked.value
        known = {"version", "data_types", "value_detectors"}
        if self.base is None:
            known |= {"qualifiers", "table_contexts", "native_words"}
            if not isinstance(root, dict) or not isinstance(root.get("data_types"), dict):
                self.fail(root, "a rules file is a mapping with 'data_types'")
                self.raise_if_any()
        elif not isinstance(root, dict) or not ({"data_types", "value_detectors"} & set(root)):
            self.fail(root, "a rules file is a mapping with 'data_types' or 'value_detectors' (or both)")
            self.raise_if_any()
        self.unknown_keys(root, known, "a rules file")
        if self.base is None:
            self.contexts = self._table_contexts(root)
        qualifiers = frozenset(self._words(root.get("qualifiers", []), root, "qualifiers"))
        native_words = self._native_words(root) if self.base is None else {}
        entries = root.get("data_types") or {}
        if not isinstance(entries, dict):
            self.fail(root, "'data_types' must be a mapping of data types to their rules", "data_types")
            entries = {}
        data_types = tuple(
            rule for key, entry in entries.items() if (rule := self._data_type(str(key), entry, entries)) is not None
        )
        detectors = root.get("value_detectors") or []
        if not isinstance(detectors, list):
            self.fail(root, "'value_detectors' must be a list", "value_detectors")
            detectors = []
        value_detectors = tuple(
            detector for index, entry in enumerate(detectors) if (detector := self._value_rule(entry, detectors, index))
        )
        self.raise_if_any()
        if self.base is not None:
            return _extended(self.base, data_types, value_detectors)
        return DetectionRules(qualifiers, self.contexts, data_types, value_detectors, native_words=native_words)

    def _table_contexts(self, root: dict[str, Any]) -> dict[str, TableContext]:
        entries = root.get("table_contexts") or {}
        if not isinstance(entries, dict):
            self.fail(root, "'table_contexts' must be a mapping of names to {means, words}", "table_contexts")
            return {}
        contexts = {}
        for name, entry in entries.items():
            if (
                not isinstance(entry, dict)
                or "means" not in entry
                or not ({"words", "columns"} & set(entry))
                or set(entry) - {"means", "words", "columns", "unless", "unless_head"}
            ):
                self.fail(
                    entries,
                    f"table context '{name}' needs 'means' (text, or {{en: …, ru: …}}) and 'words' or 'columns'",
                    name,
                )
                continue
            means = self._phrase(entry, "means")
            if means is None:
                continue
            words = frozenset(self._words(entry.get("words", []), entry, "words"))
            columns = entry.get("columns", [])
            if not isinstance(columns, list):
                self.fail(entry, "'columns' must be a list of word lists, like [user, id]", "columns")
                columns = []
            column_words = frozenset(tuple(self._words(column, columns, index)) for index, column in enumerate(columns))
            unless = frozenset(self._words(entry.get("unless", []), entry, "unless"))
            unless_head = frozenset(self._words(entry.get("unless_head", []), entry, "unless_head"))
            contexts[str(name)] = TableContext(str(name), words, column_words, means, unless, unless_head)
        return contexts

    def _phrase(self, item: dict[str, Any], key: str) -> Phrase | None:
        """Text shown in every language, or {en: …, ru: …}: the words for each (English needed)."""
        value = item[key]
        if isinstance(value, str):
            return Phrase(value)
        if (
            isinstance(value, dict)
            and isinstance(value.get("en"), str)
            and all(isinstance(lang, str) and isinstance(words, str) for lang, words in value.items())
        ):
            return Phrase(value["en"], tuple((lang, words) for lang, words in value.items() if lang != "en"))
        self.fail(item, f"'{key}' must be text, or a mapping of languages to text: {{en: …, ru: …}}", key)
        return None

    def _native_words(self, root: dict[str, Any]) -> dict[str, tuple[str, ...]]:
        entries = root.get("native_words") or {}
        if not isinstance(entries, dict):
            self.fail(root, "'native_words' must be a mapping of words to their Latin words", "native_words")
            return {}
        return {str(native): tuple(self._words(latin, entries, native)) for native, latin in entries.items()}

    def _words(self, value: Any, parent: Any, key: Any) -> list[str]:
        """Single lower-case words, as the identifier splitter produces them."""
        if not isinstance(value, list) or not all(isinstance(word, str) for word in value):
            self.fail(parent, f"'{key}' must be a list of words (quote YAML's yes/no/on/off words)", key)
            return []
        for word in value:
            if split_identifier(word) != (word,):
                self.fail(parent, f"'{word}' in '{key}' is not a single lower-case word: split it", key)
        return list(value)

    def _table_names(self, item: dict[str, Any], key: str) -> tuple[str, ...]:
        """Names of table contexts, or else literal (single, lower-case) table words."""
        names = item.get(key, [])
        if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
            self.fail(item, f"'{key}' must be a list of table contexts or table words", key)
            return ()
        for name in names:
            if name not in self.contexts and split_identifier(name) != (name,):
                self.fail(item, f"'{name}' in '{key}' is neither a table context nor a single lower-case word", key)
        return tuple(names)

    def _data_type(self, key: str, entry: Any, parent: dict[str, Any]) -> DataTypeRule | None:
        if key not in self.taxonomy:
            self.fail(parent, f"'{key}' is not a data type of rules/taxonomy.yaml", key, on_key=True)
            return None
        if not isinstance(entry, dict) or not isinstance(entry.get("names"), list):
            self.fail(parent, f"data type '{key}' needs a 'names' list", key, on_key=True)
            return None
        if self.base is not None:
            for name in sorted(_BUNDLED_ONLY_KEYS & set(entry)):
                self.fail(
                    entry, f"'{name}' is set by the bundled rules only, the same for every scan", name, on_key=True
                )
        self.unknown_keys(entry, _DATA_TYPE_KEYS | _BUNDLED_ONLY_KEYS, f"data type '{key}'")
        context = entry.get("context") or {}
        if not isinstance(context, dict) or set(context) - {"tables", "not_tables"}:
            self.fail(entry, "'context' may only hold 'tables' and 'not_tables'", "context")
            context = {}
        shared_tables = self._table_names(context, "tables")
        shared_not_tables = self._table_names(context, "not_tables")
        patterns = tuple(
            pattern
            for index, item in enumerate(entry["names"])
            if (pattern := self._pattern(item, entry["names"], index, shared_tables, shared_not_tables))
        )
        examples = entry.get("examples")
        if not isinstance(examples, dict) or not examples.get("match") or not examples.get("no_match"):
            self.fail(parent, f"data type '{key}' needs examples that must match and that must not", key, on_key=True)
            examples = {}
        return DataTypeRule(
            data_type=key,
            title=self.taxonomy[key],
            patterns=patterns,
            exclude=frozenset(self._words(entry.get("exclude", []), entry, "exclude")),
            exclude_types=self._families(entry, "exclude_types"),
            expect_types=self._families(entry, "expect_types"),
            held_by_types=self._families(entry, "held_by_types"),
            keeps=frozenset(self._words(entry.get("keeps", []), entry, "keeps")),
            matches=self._examples(examples.get("match", []), examples),
            non_matches=self._examples(examples.get("no_match", []), examples),
            mask=self._function(entry, "mask") if self.base is None else None,
            check=self._check(entry) if self.base is None else None,
        )

    def _function(self, entry: dict[str, Any], key: str) -> FunctionRef | None:
        """`key: name`, or `key: {name: {parameter: value, …}}`."""
        if key not in entry:
            return None
        value = entry[key]
        parameters: Any = {}
        if isinstance(value, dict) and len(value) == 1:
            value, parameters = next(iter(value.items()))
        if not isinstance(value, str) or not (
            isinstance(parameters, dict)
            and all(isinstance(name, str) and isinstance(given, int | str) for name, given in parameters.items())
        ):
            self.fail(entry, f"'{key}' is a name, or {{name: {{parameter: value}}}}", key)
            return None
        mark = self.marked.mark(entry, key)
        return FunctionRef(value, tuple(parameters.items()), self.marked.path, mark.line, mark.column)

    def _check(self, entry: dict[str, Any]) -> FunctionRef | None:
        check = self._function(entry, "check")
        wrong = check.wrong_in(CHECKS, "check", ("value", "region")) if check is not None else None
        if wrong is not None:
            self.problems.append(wrong)
        return check

    def _families(self, entry: dict[str, Any], key: str) -> frozenset[str]:
        families = self._words(entry.get(key, []), entry, key)
        for family in families:
            if family not in TYPE_FAMILIES:
                self.fail(entry, f"unknown type family '{family}' in '{key}' (known: {', '.join(TYPE_FAMILIES)})", key)
        return frozenset(families)

    def _pattern(
        self,
        item: Any,
        parent: list[Any],
        index: int,
        shared_tables: tuple[str, ...],
        shared_not_tables: tuple[str, ...],
    ) -> NamePattern | None:
        if not isinstance(item, dict) or not isinstance(item.get("words"), list) or not item["words"]:
            self.fail(parent, "a name pattern is a mapping with a non-empty 'words' list", index)
            return None
        self.unknown_keys(item, _PATTERN_KEYS, "a name pattern")
        words = self._words(item["words"], item, "words")
        if len(words) != len(item["words"]):
            return None
        means = self._phrase(item, "means") if "means" in item else None
        return NamePattern(
            words=tuple(words),
            exact=item.get("exact") is True,
            tables=self._table_names(item, "tables") + shared_tables,
            not_tables=self._table_names(item, "not_tables") + shared_not_tables,
            table_is=self._table_names(item, "table_is"),
            means=means,
        )

    def _examples(self, items: Any, parent: Any) -> tuple[Example, ...]:
        examples = []
        for index, item in enumerate(items if isinstance(items, list) else []):
            if isinstance(item, dict) and isinstance(item.get("column"), str) and set(item) <= _EXAMPLE_KEYS:
                examples.append(Example(item["column"], item.get("table"), item.get("type")))
            else:
                self.fail(items, "an example is a mapping with 'column' (and optional 'table', 'type')", index)
        if not isinstance(items, list):
            self.fail(parent, "examples must be lists")
        return tuple(examples)

    def _value_rule(self, entry: Any, parent: list[Any], index: int) -> ValueRule | None:
        known_problems = len(self.problems)
        if not isinstance(entry, dict) or _VALUE_KEYS - set(entry):
            self.fail(parent, f"a value detector needs {', '.join(sorted(_VALUE_KEYS))}", index)
            return None
        optional = {"trigger", "lookback", "lookback_characters", "lookahead", "lookahead_characters", "not_after"}
        self.unknown_keys(entry, _VALUE_KEYS | optional, "a value detector")
        if entry["data_type"] not in self.taxonomy:
            self.fail(entry, f"'{entry['data_type']}' is not a data type of rules/taxonomy.yaml", "data_type")
        if entry["validator"] not in VALIDATORS:
            hint = did_you_mean(entry["validator"], VALIDATORS) or f" (known: {', '.join(VALIDATORS)})"
            self.fail(entry, f"unknown validator '{entry['validator']}'{hint}", "validator")
        for key in ("pattern", "not_after", "trigger"):
            self._compiles(entry, key)
        if self.base is not None and entry["name"] in {rule.name for rule in self.base.value_detectors}:
            self.fail(entry, f"a value detector named '{entry['name']}' exists already: choose another name", "name")
        if entry.get("lookback") and not _character_class(entry.get("lookback_characters")):
            self.fail(entry, "a lookback needs lookback_characters, one character class like '[A-Za-z0-9]'", "lookback")
        if entry.get("lookahead") and not _character_class(entry.get("lookahead_characters")):
            self.fail(entry, "a lookahead needs lookahead_characters, one character class", "lookahead")
        examples = entry["examples"] if isinstance(entry["examples"], dict) else {}
        if not examples.get("match") or not examples.get("no_match"):
            self.fail(entry, "a value detector needs examples that must match and that must not", "examples")
        rule = ValueRule(
            name=str(entry["name"]),
            data_type=str(entry["data_type"]),
            pattern=str(entry["pattern"]),
            trigger=str(entry["trigger"]) if entry.get("trigger") else None,
            lookback=int(entry.get("lookback") or 0),
            lookback_characters=str(entry.get("lookback_characters") or ""),
            lookahead=int(entry.get("lookahead") or 0),
            lookahead_characters=str(entry.get("lookahead_characters") or ""),
            not_after=str(entry["not_after"]) if entry.get("not_after") else None,
            validator=str(entry["validator"]),
            matches=tuple(str(example) for example in examples.get("match") or []),
            non_matches=tuple(str(example) for example in examples.get("no_match") or []),
            linear_only=self.base is not None,
        )
        if self.check_examples is not None and len(self.problems) == known_problems:
            for failure in self.check_examples(rule):
                self.fail(entry, f"value detector '{rule.name}': {failure}", "examples")
        return rule

    def _compiles(self, entry: dict[str, Any], key: str) -> None:
        """A bundled pattern must compile with `re`; a user's must also run in linear time, and
        what the log engine searches must take at least one character: one that matches empty
        text fires at every character of every line, and a scan holds each of those events."""
        if key not in entry:
            return
        pattern = str(entry[key] or "")
        try:
            if self.base is None:
                re.compile(pattern)
            elif compile_linear(pattern).search("") is not None and key != "not_after":
                advice = "make it take a character (`a+`, not `a*`)"
                self.fail(entry, f"'{key}' is refused: it matches empty text; {advice}", key)
        except re.error as error:
            self.fail(entry, f"the {key} pattern does not compile: {error}", key)
        except UnsafePattern as error:
            self.fail(entry, f"'{key}' is refused: {error}", key)


def _extended(
    base: DetectionRules, data_types: tuple[DataTypeRule, ...], value_detectors: tuple[ValueRule, ...]
) -> DetectionRules:
    """`base` with a user's data types merged in (their name patterns first: an in-house name is
    more specific than a generic one) and their value detectors after the bundled ones."""
    added = {rule.data_type: rule for rule in data_types}
    merged = []
    for rule in base.data_types:
        extra = added.pop(rule.data_type, None)
        if extra is None:
            merged.append(rule)
            continue
        merged.append(
            replace(
                rule,
                patterns=extra.patterns + rule.patterns,
                exclude=rule.exclude | extra.exclude,
                exclude_types=rule.exclude_types | extra.exclude_types,
                expect_types=rule.expect_types | extra.expect_types,
                held_by_types=rule.held_by_types | extra.held_by_types,
                keeps=rule.keeps | extra.keeps,
                matches=rule.matches + extra.matches,
                non_matches=rule.non_matches + extra.non_matches,
            )
        )
    merged.extend(added.values())
    return DetectionRules(
        base.qualifiers,
        base.table_contexts,
        tuple(merged),
        base.value_detectors + value_detectors,
        native_words=base.native_words,
    )


_ONE_CLASS = re.compile(r"\[\^?\]?(?:\\.|[^\]\\])*\]")


def _character_class(text: object) -> bool:
    """Whether `text` is one bracketed character class (it is read backwards, byte by byte)."""
    return isinstance(text, str) and _ONE_CLASS.fullmatch(text) is not None
