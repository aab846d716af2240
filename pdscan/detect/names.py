"""Which data type a column holds, judged from its name, its table and its SQL type.

Every detection carries its reasons in words, so a person can check the call without
reading the rules. A schema of 100k columns repeats names a lot: judgements are cached per
(column, table, SQL type), and patterns are indexed by their first word.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from pdscan.detect.identifiers import singular, split_identifier
from pdscan.detect.rules import DataTypeRule, DetectionRules, NamePattern, bundled_rules
from pdscan.model import Column, Detection, Evidence, Table

_TYPE_FAMILIES = (
    ("boolean", re.compile(r"(?:bool|boolean|bit|tinyint\s*\(\s*1\s*\))(?!\w)")),
    (
        "integer",
        re.compile(r"(?:tinyint|smallint|mediumint|int|integer|bigint|int[248]|serial|bigserial|smallserial)\b"),
    ),
    ("numeric", re.compile(r"(?:decimal|numeric|float|double|real|money|smallmoney|number)\b")),
    (
        "date",
        re.compile(
            r"(?:date|datetime|datetime2|smalldatetime|datetimeoffset|timestamp|timestamptz|time|timetz|year)\b"
        ),
    ),
    ("binary", re.compile(r"(?:blob|tinyblob|mediumblob|longblob|bytea|binary|varbinary|image|raw)\b")),
    ("network", re.compile(r"(?:inet|cidr|macaddr|macaddr8)\b")),
)
# How sure a name alone makes us, and what table and type evidence add or take away.
CONFIDENCE_WHOLE_NAME = 0.9  # the identifier is exactly the pattern's words (`email`)
CONFIDENCE_PART_OF_NAME = 0.75  # the words appear inside a longer name (`backup_email`)
TABLE_INFERENCE = 0.9  # the match needed table context: an inference, slightly less sure
SUPPORT = 0.05  # a person table or a fitting SQL type, when the name did not need them
CONFIDENCE_CEILING = 0.99  # a name is never proof


@lru_cache(maxsize=4096)
def type_family(sql_type: str | None) -> str | None:
    """`boolean`, `integer`, `numeric`, `date`, `binary`, `network`, or None for text and the unknown."""
    if not sql_type:
        return None
    lowered = sql_type.strip().lower()
    for family, pattern in _TYPE_FAMILIES:
        if pattern.match(lowered):
            return family
    return None


@dataclass(frozen=True, slots=True)
class _TableView:
    """A table as the rules compare it: its name's singular words, its head noun (the last
    word), and the column-defined contexts it is in, each with the column that put it there."""

    name: str
    words: frozenset[str]
    head: str
    column_contexts: dict[str, str]


@dataclass(frozen=True, slots=True)
class _Candidate:
    """A pattern the column name satisfies, before table and type are considered."""

    rule: DataTypeRule
    pattern: NamePattern
    whole: bool


# What rules a pattern out, named by the key of rules/datatypes.yaml that does, with the words
# (or table context, or type family) concerned; `pdscan explain` puts it into words.
EXACT, QUALIFIERS, EXCLUDE, EXCLUDE_TYPES, TABLE_IS, TABLES, NOT_TABLES = (
    "exact",
    "qualifiers",
    "exclude",
    "exclude_types",
    "table_is",
    "tables",
    "not_tables",
)
Misfit = tuple[str, frozenset[str] | set[str]]


@dataclass(frozen=True, slots=True)
class Trial:
    """A name pattern tried on a column and what became of it (`pdscan explain`): `misfit` is
    None for a pattern that held, else what ruled it out."""

    rule: DataTypeRule
    pattern: NamePattern
    whole: bool
    misfit: Misfit | None


class NameClassifier:
    """Classify columns with the name rules of rules/datatypes.yaml.

    What a column name can mean is worked out once per name (`_candidates`, best first); per
    column only the table and type conditions of those few candidates are checked.
    """

    def __init__(self, rules: DetectionRules) -> None:
        self.rules = rules
        self._by_first_word: dict[str, list[tuple[int, DataTypeRule, NamePattern]]] = defaultdict(list)
        for index, rule in enumerate(rules.data_types):
            for pattern in rule.patterns:
                self._by_first_word[pattern.words[0]].append((index, rule, pattern))
        self._person = rules.table_contexts.get("person")
        self._by_columns = [context for context in rules.table_contexts.values() if context.columns]
        self._cached = lru_cache(maxsize=200_000)(self._classify)
        self._candidates = lru_cache(maxsize=100_000)(self._name_candidates)
        self._table_view = lru_cache(maxsize=10_000)(_table_view)
        self._last_table: tuple[Table, tuple[tuple[str, str], ...]] | None = None

    @classmethod
    def bundled(cls) -> NameClassifier:
        return cls(bundled_rules())

    def classify(self, column: Column, table: Table) -> tuple[Detection, ...]:
        """The best detection for the column, or () when its name says no personal data."""
        if not self._candidates(column.name):
            return ()
        return self._cached(column.name, table.name, column.sql_type, self._column_contexts(table))

    def classify_name(
        self,
        column: str,
        table: str | None = None,
        sql_type: str | None = None,
        sibling_columns: tuple[str, ...] = (),
    ) -> tuple[Detection, ...]:
        """The same judgement from plain strings (rule examples, sources without a Table)."""
        return self._cached(column, table or "", sql_type, self._contexts_of(sibling_columns))

    def _column_contexts(self, table: Table) -> tuple[tuple[str, str], ...]:
        """Column-defined contexts of `table`; columns are classified table by table, so the
        last table's answer is kept."""
        if self._last_table is None or self._last_table[0] is not table:
            self._last_table = (table, self._contexts_of(tuple(column.name for column in table.columns)))
        return self._last_table[1]

    def _contexts_of(self, column_names: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
        found: dict[str, str] = {}
        for name in column_names:
            words = split_identifier(name)
            for context in self._by_columns:
                if context.name not in found and words in context.columns:
                    found[context.name] = name
        return tuple(sorted(found.items()))

    def _name_candidates(self, column: str) -> tuple[_Candidate, ...]:
        """Patterns the name satisfies with no qualifier or excluded word, best first: the
        longest pattern, then one naming the whole identifier, then the data type listed first."""
        ranked = [
            ((len(pattern.words), int(whole), -index), _Candidate(rule, pattern, whole))
            for index, rule, pattern, whole, misfit in self._name_trials(column)
            if misfit is None
        ]
        ranked.sort(key=lambda item: item[0], reverse=True)
        return tuple(candidate for _, candidate in ranked)

    def _name_trials(self, column: str) -> Iterator[tuple[int, DataTypeRule, NamePattern, bool, Misfit | None]]:
        """Every pattern whose words stand together in the name (with its rule's position), and
        what in the rest of the name rules it out (None: nothing)."""
        words = split_identifier(column)
        for position, word in enumerate(words):
            for index, rule, pattern in self._by_first_word.get(word, ()):
                if words[position : position + len(pattern.words)] != pattern.words:
                    continue
                whole = _whole(words, pattern)
                if pattern.exact and not whole:
                    yield index, rule, pattern, whole, (EXACT, frozenset())
                    continue
                extra = set(words).difference(pattern.words)
                if not extra.isdisjoint(self.rules.qualifiers):
                    yield index, rule, pattern, whole, (QUALIFIERS, extra.intersection(self.rules.qualifiers))
                elif not extra.isdisjoint(rule.exclude):
                    yield index, rule, pattern, whole, (EXCLUDE, extra.intersection(rule.exclude))
                else:
                    yield index, rule, pattern, whole, None

    def _classify(
        self, column: str, table: str, sql_type: str | None, column_contexts: tuple[tuple[str, str], ...]
    ) -> tuple[Detection, ...]:
        candidates = self._candidates(column)
        if not candidates:
            return ()
        view = self._table_view(table, column_contexts)
        family = type_family(sql_type)
        for candidate, misfit in self._table_trials(candidates, view, family):
            if misfit is None:
                return (self._detection(column, candidate, view, sql_type, family),)
        return ()

    def trials(
        self, column: str, table: str = "", sql_type: str | None = None, sibling_columns: tuple[str, ...] = ()
    ) -> tuple[Trial, ...]:
        """Every pattern tried on the column, from the steps `classify` takes: those the name
        allows, best first (the first that held is the detection), then those it rules out."""
        view = self._table_view(table, self._contexts_of(sibling_columns))
        tried = self._table_trials(self._candidates(column), view, type_family(sql_type))
        held = [Trial(candidate.rule, candidate.pattern, candidate.whole, misfit) for candidate, misfit in tried]
        ruled_out = [
            Trial(rule, pattern, whole, misfit)
            for _, rule, pattern, whole, misfit in self._name_trials(column)
            if misfit is not None
        ]
        return (*held, *ruled_out)

    def table_contexts(self, table: str, sibling_columns: tuple[str, ...] = ()) -> dict[str, str]:
        """The table contexts a table is in, each with what put it there (a word of its name or a column)."""
        view = self._table_view(table, self._contexts_of(sibling_columns))
        held = {}
        for name, context in self.rules.table_contexts.items():
            if not view.words.isdisjoint(context.words):
                held[name] = f"table word `{min(view.words.intersection(context.words))}`"
            elif name in view.column_contexts:
                held[name] = f"column `{view.column_contexts[name]}`"
        return held

    def _table_trials(
        self, candidates: tuple[_Candidate, ...], table: _TableView, family: str | None
    ) -> Iterator[tuple[_Candidate, Misfit | None]]:
        """Each candidate, best first, with what in the SQL type or the table rules it out (None: nothing)."""
        for candidate in candidates:
            if family in candidate.rule.exclude_types:
                yield candidate, (EXCLUDE_TYPES, frozenset((family,)))
            else:
                yield candidate, self._table_misfit(candidate.pattern, table)

    def _table_misfit(self, pattern: NamePattern, table: _TableView) -> Misfit | None:
        if pattern.table_is and table.head not in pattern.table_is:
            return (TABLE_IS, frozenset(pattern.table_is))
        for name in pattern.tables:
            if not self._table_in(name, table):
                return (TABLES, frozenset((name,)))
        for name in pattern.not_tables:
            if self._table_in(name, table):
                return (NOT_TABLES, frozenset((name,)))
        return None

    def _table_in(self, name: str, table: _TableView) -> bool:
        """A table context of the rules, or else a literal word of the table's name."""
        context = self.rules.table_contexts.get(name)
        if context is None:
            return name in table.words
        return not table.words.isdisjoint(context.words) or name in table.column_contexts

    def _detection(
        self, column: str, candidate: _Candidate, table: _TableView, sql_type: str | None, family: str | None
    ) -> Detection:
        rule, pattern = candidate.rule, candidate.pattern
        meaning = pattern.means or _phrase(rule.title)
        if candidate.whole:
            evidence = [Evidence("name", f"column name `{column}` means {meaning}")]
            confidence = CONFIDENCE_WHOLE_NAME
        else:
            matched = " ".join(pattern.words)
            evidence = [Evidence("name", f"column name `{column}` contains `{matched}`: {meaning}")]
            confidence = CONFIDENCE_PART_OF_NAME
        needed = [name for name in pattern.tables if name in self.rules.table_contexts]
        if pattern.table_is:
            evidence.append(Evidence("table", f"table `{table.name}` holds {table.head} records"))
        for name in needed:
            context = self.rules.table_contexts[name]
            by_column = name in table.column_contexts and table.words.isdisjoint(context.words)
            because = f" (column `{table.column_contexts[name]}`)" if by_column else ""
            evidence.append(Evidence("table", f"table `{table.name}` {context.means}{because}"))
        literal = [name for name in pattern.tables if name not in self.rules.table_contexts]
        if literal:
            words_text = ", ".join(f"`{name}`" for name in literal)
            evidence.append(Evidence("table", f"table `{table.name}` is about {words_text}"))
        if pattern.table_is or pattern.tables:
            confidence *= TABLE_INFERENCE
        elif self._person is not None and self._table_in(self._person.name, table):
            evidence.append(Evidence("table", f"table `{table.name}` {self._person.means}"))
            confidence += SUPPORT
        if family is not None and family in rule.expect_types:
            evidence.append(Evidence("type", f"SQL type `{sql_type}` fits {_phrase(rule.title)}"))
            confidence += SUPPORT
        return Detection(rule.data_type, round(min(confidence, CONFIDENCE_CEILING), 2), tuple(evidence))


def _table_view(table: str, column_contexts: tuple[tuple[str, str], ...]) -> _TableView:
    """The table's name without schema prefix, as singular words, with its column contexts."""
    words = tuple(singular(word) for word in split_identifier(table.rsplit(".", 1)[-1]))
    return _TableView(table, frozenset(words), words[-1] if words else "", dict(column_contexts))


def _whole(words: tuple[str, ...], pattern: NamePattern) -> bool:
    """The identifier is nothing but the pattern's words (digits aside: `address_1`)."""
    return tuple(word for word in words if not word.isdigit()) == tuple(w for w in pattern.words if not w.isdigit())


def _phrase(title: str) -> str:
    """A taxonomy title inside a sentence: `Full name` -> `full name`, `IP address` unchanged."""
    return title if title[1:2].isupper() else title[:1].lower() + title[1:]
