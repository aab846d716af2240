"""Which data type a column holds, judged from its name, its table and its SQL type.

Every detection carries its reasons in words, so a person can check the call without
reading the rules.
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import lru_cache

from pdscan.detect.identifiers import singular, split_identifier
from pdscan.detect.rules import DataTypeRule, DetectionRules, NamePattern, load_rules
from pdscan.model import Column, Detection, Evidence, Table

_TYPE_FAMILIES = (
    ("boolean", re.compile(r"^(?:bool|boolean|bit|tinyint\s*\(\s*1\s*\))(?!\w)")),
    (
        "integer",
        re.compile(
            r"^(?:tinyint|smallint|mediumint|int|integer|bigint|int[248]|serial|"
            r"bigserial|smallserial)\b"
        ),
    ),
    ("numeric", re.compile(r"^(?:decimal|numeric|float|double|real|money|smallmoney|number)\b")),
    (
        "date",
        re.compile(
            r"^(?:date|datetime|datetime2|smalldatetime|datetimeoffset|timestamp|"
            r"timestamptz|time|timetz|interval|year)\b"
        ),
    ),
    (
        "binary",
        re.compile(r"^(?:blob|tinyblob|mediumblob|longblob|bytea|binary|varbinary|image|raw)\b"),
    ),
)
CONFIDENCE_WHOLE_NAME = 0.95
CONFIDENCE_PART_OF_NAME = 0.85
CONFIDENCE_NEEDS_TABLE = 0.8


def table_split_last(table: str) -> str:
    words = split_identifier(table)
    return singular(words[-1]) if words else table


def type_family(sql_type: str | None) -> str | None:
    """`boolean`, `integer`, `numeric`, `date`, `binary`, or None for text and the unknown."""
    if not sql_type:
        return None
    lowered = sql_type.strip().lower()
    for family, pattern in _TYPE_FAMILIES:
        if pattern.match(lowered):
            return family
    return None


class NameClassifier:
    """Classify columns with the name rules; patterns are indexed by their first word."""

    def __init__(self, rules: DetectionRules) -> None:
        self.rules = rules
        self._by_first_word: dict[str, list[tuple[int, DataTypeRule, NamePattern]]] = defaultdict(list)
        for index, rule in enumerate(rules.data_types):
            for pattern in rule.patterns:
                self._by_first_word[pattern.words[0]].append((index, rule, pattern))
        self._cached = lru_cache(maxsize=200_000)(self._classify)

    @classmethod
    def bundled(cls) -> NameClassifier:
        return cls(load_rules())

    def classify(self, column: Column, table: Table) -> tuple[Detection, ...]:
        return self._cached(column.name, table.name, column.sql_type)

    def classify_name(
        self, column: str, table: str | None = None, sql_type: str | None = None
    ) -> tuple[Detection, ...]:
        """The same judgement from plain strings (for rule examples and other sources)."""
        return self._cached(column, table or "", sql_type)

    def _classify(self, column: str, table: str, sql_type: str | None) -> tuple[Detection, ...]:
        words = split_identifier(column)
        if not words:
            return ()
        table_split = tuple(singular(word) for word in split_identifier(table))
        table_words = frozenset(table_split)
        head_noun = table_split[-1] if table_split else ""
        family = type_family(sql_type)
        best: tuple[tuple[int, int, int], DataTypeRule, NamePattern] | None = None
        for position, word in enumerate(words):
            for index, rule, pattern in self._by_first_word.get(word, ()):
                if not self._matches(words, position, pattern, rule, table_words, family):
                    continue
                if pattern.table_is and head_noun not in pattern.table_is:
                    continue
                rank = (len(pattern.words), int(self._whole(words, pattern)), -index)
                if best is None or rank > best[0]:
                    best = (rank, rule, pattern)
        if best is None:
            return ()
        _, rule, pattern = best
        return (self._detection(column, table, words, rule, pattern, table_words),)

    def _matches(
        self,
        words: tuple[str, ...],
        position: int,
        pattern: NamePattern,
        rule: DataTypeRule,
        table_words: frozenset[str],
        family: str | None,
    ) -> bool:
        size = len(pattern.words)
        if words[position : position + size] != pattern.words:
            return False
        if pattern.exact and not self._whole(words, pattern):
            return False
        extra = set(words) - set(pattern.words)
        if extra & self.rules.qualifiers or extra & rule.exclude:
            return False
        if family is not None and family in rule.exclude_types:
            return False
        if not all(self._table_in(name, table_words) for name in pattern.tables):
            return False
        return not any(self._table_in(name, table_words) for name in pattern.not_tables)

    @staticmethod
    def _whole(words: tuple[str, ...], pattern: NamePattern) -> bool:
        return tuple(word for word in words if not word.isdigit()) == pattern.words

    def _table_in(self, name: str, table_words: frozenset[str]) -> bool:
        """A named word set of the rules, or else a literal word of the table's name."""
        word_set = self.rules.table_words.get(name)
        if word_set is None:
            return name in table_words
        return not table_words.isdisjoint(word_set)

    def _detection(
        self,
        column: str,
        table: str,
        words: tuple[str, ...],
        rule: DataTypeRule,
        pattern: NamePattern,
        table_words: frozenset[str],
    ) -> Detection:
        matched = " ".join(pattern.words)
        if self._whole(words, pattern):
            evidence = [Evidence("name", f"column name `{column}`")]
            confidence = CONFIDENCE_WHOLE_NAME
        else:
            evidence = [Evidence("name", f"column name `{column}` (contains `{matched}`)")]
            confidence = CONFIDENCE_PART_OF_NAME
        if pattern.table_is:
            evidence.append(Evidence("table", f"in `{table}`, a table of {table_split_last(table)}s"))
            confidence = min(confidence, CONFIDENCE_NEEDS_TABLE)
        if pattern.tables:
            sets = " and ".join(name if name in self.rules.table_words else f"`{name}`" for name in pattern.tables)
            evidence.append(Evidence("table", f"in `{table}`, a {sets} table"))
            confidence = min(confidence, CONFIDENCE_NEEDS_TABLE)
        return Detection(rule.data_type, confidence, tuple(evidence))
