"""Which data type a column holds, judged from its name, its table and its SQL type.

Every detection carries its reasons in words, so a person can check the call without
reading the rules. A schema of 100k columns repeats names a lot: judgements are cached per
(column, table, SQL type), and patterns are indexed by their first word.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import lru_cache

from pdscan.detect.masking import mask_name
from pdscan.model import Column, Detection, Evidence, Phrase, Table
from pdscan.ruleset.datatypes import DataTypeRule, DetectionRules, NamePattern, bundled_rules
from pdscan.ruleset.identifiers import segment, singular, split_identifier
from pdscan.ruleset.taxonomy import as_phrase

# SQL types, and the field types ORMs write in their schemas (Django `BooleanField`, SQLAlchemy
# `BigInteger`, `LargeBinary`), by family; Django's `EmailField` says what the column holds.
_TYPE_FAMILIES = (
    ("boolean", re.compile(r"(?:bool|boolean|bit|tinyint\s*\(\s*1\s*\)|(?:null)?booleanfield)(?!\w)")),
    (
        "integer",
        re.compile(
            r"(?:tinyint|smallint|mediumint|int|integer|bigint|int[248]|serial|bigserial|smallserial"
            r"|(?:big|small)integer|(?:positive)?(?:big|small)?(?:integerfield|autofield))\b"
        ),
    ),
    ("numeric", re.compile(r"(?:decimal|numeric|float|double|real|money|smallmoney|number|decimalfield|floatfield)\b")),
    (
        "date",
        re.compile(
            r"(?:date|datetime|datetime2|smalldatetime|datetimeoffset|timestamp|timestamptz|time|timetz|year"
            r"|datefield|datetimefield|timefield)\b"
        ),
    ),
    (
        "binary",
        re.compile(r"(?:blob|tinyblob|mediumblob|longblob|bytea|binary|varbinary|image|raw|binaryfield|largebinary)\b"),
    ),
    ("network", re.compile(r"(?:inet|cidr|(?:generic)?ipaddressfield)\b")),
    ("mac", re.compile(r"macaddr8?\b")),
    ("email", re.compile(r"emailfield\b")),
)
# How sure a name alone makes us, and what table and type evidence add or take away.
CONFIDENCE_WHOLE_NAME = 0.9  # the identifier is exactly the pattern's words (`email`)
CONFIDENCE_PART_OF_NAME = 0.75  # the words appear inside a longer name (`backup_email`)
TABLE_INFERENCE = 0.9  # the match needed table context: an inference, slightly less sure
SUPPORT = 0.05  # a person table or a fitting SQL type, when the name did not need them
CONFIDENCE_CEILING = 0.99  # a name is never proof


@lru_cache(maxsize=4096)
def type_family(sql_type: str | None) -> str | None:
    """`boolean`, `integer`, `numeric`, `date`, `binary`, `network` (inet, cidr), `mac` (macaddr),
    or None for text and the unknown."""
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
    ordered: tuple[str, ...]  # the name's words in order, as written (`emp`, `children`)
    contexts: frozenset[str]  # every table context it is in, by its name's words or its columns


@dataclass(frozen=True, slots=True)
class _Candidate:
    """A pattern the column name satisfies, before table and type are considered."""

    rule: DataTypeRule
    pattern: NamePattern
    whole: bool
    table_prefix: str = ""  # a leading word that abbreviates the table's name, set aside (`ec_` in `emp_children`)
    read_as: tuple[str, ...] = ()  # the words the pattern was found in, when run-together words were read apart


# What rules a pattern out, named by the key of rules/datatypes.yaml that does (or `boolean`,
# `table_prefix`: a boolean SQL type, a first word that does not abbreviate the table), with
# the words, table context or type family concerned; `pdscan explain` puts it into words.
EXACT, QUALIFIERS, EXCLUDE, EXCLUDE_TYPES, BOOLEAN, TABLE_IS, TABLES, NOT_TABLES, TABLE_PREFIX = (
    "exact",
    "qualifiers",
    "exclude",
    "exclude_types",
    "boolean",
    "table_is",
    "tables",
    "not_tables",
    "table_prefix",
)
Misfit = tuple[str, frozenset[str]]


@dataclass(frozen=True, slots=True)
class Trial:
    """A rule tried on a column and what became of it (`pdscan explain`): a name pattern, or
    (`pattern` None) the SQL type of `held_by_types`; `misfit` is None for one that held, else
    what ruled it out."""

    rule: DataTypeRule
    pattern: NamePattern | None
    whole: bool
    misfit: Misfit | None
    table_prefix: str = ""
    read_as: tuple[str, ...] = ()


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
        # Pattern words long enough to be read inside a run-together word (`passportexpiredate`).
        self._compound_heads: dict[str, list[str]] = defaultdict(list)  # by their first five letters
        for word in sorted((word for word in self._by_first_word if len(word) >= 5), key=len, reverse=True):
            self._compound_heads[word[:5]].append(word)
        self._vocabulary = rules.qualifiers.union(
            *(pattern.words for rule in rules.data_types for pattern in rule.patterns)
        )
        self._native = rules.native_words
        self._native_longest = max(map(len, rules.native_words), default=0)
        self._person = rules.table_contexts.get("person")
        self._business = rules.table_contexts.get("business")
        # A boolean column says whether, never what: no SQL type family but boolean holds data.
        self._by_type = {
            family: rule for rule in rules.data_types for family in rule.held_by_types if family != "boolean"
        }
        self._by_column: dict[tuple[str, ...], list[str]] = defaultdict(list)  # column words -> contexts
        for context in rules.table_contexts.values():
            for column_words in context.columns:
                self._by_column[column_words].append(context.name)
        self._words = lru_cache(maxsize=32_768)(self._words_of)
        self._cached = lru_cache(maxsize=16_384)(self._classify)  # keyed by table too: kept small for huge schemas
        self._candidates = lru_cache(maxsize=32_768)(self._name_candidates)
        self._worth_a_look = lru_cache(maxsize=32_768)(self._may_match)
        self._table_view = lru_cache(maxsize=10_000)(self._view_of)
        # One object for equal detections (every `email` column of a 200,000-table schema says
        # the same), so findings share their evidence instead of each holding a copy.
        self._shared = lru_cache(maxsize=10_000)(_same)
        self._last_table: tuple[Table, tuple[tuple[str, str], ...]] | None = None

    def _view_of(self, table: str, column_contexts: tuple[tuple[str, str], ...]) -> _TableView:
        """The table's name without schema prefix, as singular words, with its column contexts."""
        ordered = self._words(table.rsplit(".", 1)[-1])
        words = tuple(singular(word) for word in ordered)
        word_set = frozenset(words)
        contexts = {name for name, kind in self.rules.table_contexts.items() if not word_set.isdisjoint(kind.words)}
        contexts.update(name for name, _ in column_contexts)
        head = words[-1] if words else ""
        contexts.difference_update(
            [
                name
                for name in contexts
                if not self.rules.table_contexts[name].unless.isdisjoint(contexts)
                or any(
                    head in self.rules.table_contexts[other].words
                    for other in self.rules.table_contexts[name].unless_head
                )
            ]
        )
        return _TableView(
            table, word_set, words[-1] if words else "", dict(column_contexts), ordered, frozenset(contexts)
        )

    @classmethod
    def bundled(cls) -> NameClassifier:
        return cls(bundled_rules())

    def classify(self, column: Column, table: Table) -> tuple[Detection, ...]:
        """The best detection for the column, or () when its name says no personal data."""
        if not self._worth_a_look(column.name) and type_family(column.sql_type) not in self._by_type:
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
            for context in self._by_column.get(self._words(name), ()):
                found.setdefault(context, name)
        return tuple(sorted(found.items()))

    def words(self, identifier: str) -> tuple[str, ...]:
        """The words the rules read in an identifier (`pdscan explain` shows them)."""
        return self._words(identifier)

    def _words_of(self, identifier: str) -> tuple[str, ...]:
        """The identifier's words, a Japanese run cut into the Latin words of `native_words`."""
        words: list[str] = []
        for word in split_identifier(identifier):
            if self._native_longest and not word.isascii():
                words.extend(segment(word, self._native, self._native_longest))
            else:
                words.append(word)
        return tuple(words)

    def _may_match(self, column: str) -> bool:
        """Whether any pattern could fit the name, with its first word read as a table prefix
        if need be: the fast way out for the many columns that mean nothing personal."""
        words = self._words(column)
        return bool(self._candidates(words) or self._after_prefix(words))

    def _after_prefix(self, words: tuple[str, ...]) -> tuple[_Candidate, ...]:
        """Candidates of the name without its first word, when that could be a table prefix and
        the rest is more than qualifiers (`emp_id` is a key, whatever `emp` abbreviates)."""
        if len(words) < 2 or words[0] in self.rules.qualifiers or self.rules.qualifiers.issuperset(words[1:]):
            return ()
        return self._candidates(words[1:])

    def _name_candidates(self, words: tuple[str, ...]) -> tuple[_Candidate, ...]:
        """Patterns the words satisfy, best first; when none does, the same with run-together
        words read apart (`passportexpiredate` -> passport expiredate)."""
        ranked = self._ranked(words)
        if ranked:
            return ranked
        apart = self._decompounded(words)
        return tuple(replace(candidate, read_as=apart) for candidate in self._ranked(apart))

    def _decompounded(self, words: tuple[str, ...]) -> tuple[str, ...]:
        """Each word that starts with a pattern's first word of five letters or more and goes on
        for four more or more, cut after it (`passportissueddate` -> passport issueddate); the
        rest cut again when known words make all of it (`phonenumberverified` -> phone number
        verified, so the qualifier still counts)."""
        split: list[str] = []
        for word in words:
            heads = self._compound_heads.get(word[:5], ()) if len(word) >= 9 else ()
            head = next((h for h in heads if word.startswith(h) and len(word) - len(h) >= 4), None)
            if head is None or word in self._by_first_word:
                split.append(word)
            else:
                rest = word[len(head) :]
                split.extend((head, *(self._known_words(rest) or (rest,))))
        return tuple(split)

    def _known_words(self, text: str) -> tuple[str, ...] | None:
        """`text` as a run of pattern words and qualifiers (the longest first at each step), or
        None; worked back from the end, so a long run costs its length squared, never more."""
        cuts: list[tuple[str, ...] | None] = [None] * len(text) + [()]
        for start in range(len(text) - 2, -1, -1):
            for end in range(len(text), start + 1, -1):
                rest = cuts[end]
                if rest is not None and text[start:end] in self._vocabulary:
                    cuts[start] = (text[start:end], *rest)
                    break
        return cuts[0]

    def _ranked(self, words: tuple[str, ...]) -> tuple[_Candidate, ...]:
        """Patterns the words satisfy with no qualifier or excluded word, best first: the
        longest pattern, then one naming the whole identifier, then the data type listed first."""
        ranked = [
            ((len(pattern.words), int(whole), -index), _Candidate(rule, pattern, whole))
            for index, rule, pattern, whole, misfit in self._name_trials(words)
            if misfit is None
        ]
        ranked.sort(key=lambda item: item[0], reverse=True)
        return tuple(candidate for _, candidate in ranked)

    def _name_trials(
        self, words: tuple[str, ...]
    ) -> Iterator[tuple[int, DataTypeRule, NamePattern, bool, Misfit | None]]:
        """Every pattern whose words stand together in the name (with its rule's position), and
        what in the rest of the name rules it out (None: nothing)."""
        for position, word in enumerate(words):
            for index, rule, pattern in self._by_first_word.get(word, ()):
                if words[position : position + len(pattern.words)] != pattern.words:
                    continue
                whole = _whole(words, pattern)
                if pattern.exact and not whole:
                    yield index, rule, pattern, whole, (EXACT, frozenset())
                    continue
                extra = set(words).difference(pattern.words, rule.keeps)
                if not extra.isdisjoint(self.rules.qualifiers):
                    yield (
                        index,
                        rule,
                        pattern,
                        whole,
                        (QUALIFIERS, frozenset(extra.intersection(self.rules.qualifiers))),
                    )
                elif not extra.isdisjoint(rule.exclude):
                    yield index, rule, pattern, whole, (EXCLUDE, frozenset(extra.intersection(rule.exclude)))
                else:
                    yield index, rule, pattern, whole, None

    def _classify(
        self, column: str, table: str, sql_type: str | None, column_contexts: tuple[tuple[str, str], ...]
    ) -> tuple[Detection, ...]:
        family = type_family(sql_type)
        words = self._words(column)
        view = self._table_view(table, column_contexts)
        for candidate, misfit in self._table_trials(words, view, family):
            if misfit is None:
                return (self._shared(self._detection(column, candidate, view, sql_type, family)),)
        return self._by_sql_type(words, view, sql_type, family)

    def trials(
        self, column: str, table: str = "", sql_type: str | None = None, sibling_columns: tuple[str, ...] = ()
    ) -> tuple[Trial, ...]:
        """Every rule tried on the column, from the steps `classify` takes: the candidates of the
        name, best first, with what the SQL type or the table made of each (the first that held
        is the detection); the SQL type's `held_by_types` rule when none held; then the patterns
        the name itself rules out."""
        words = self._words(column)
        view = self._table_view(table, self._contexts_of(sibling_columns))
        family = type_family(sql_type)
        tried: list[Trial] = []
        for candidate, misfit in self._table_trials(words, view, family):
            if misfit is not None and misfit[0] == TABLE_PREFIX and any(t.misfit is None for t in tried):
                continue  # classify stopped before it: the whole name's reading held
            tried.append(Trial(candidate.rule, candidate.pattern, candidate.whole, misfit, *_read(candidate)))
        by_type = self._by_type.get(family or "")
        if by_type is not None and all(trial.misfit is not None for trial in tried):
            tried.append(Trial(by_type, None, False, self._type_misfit(by_type, words, view)))
        # The name's words, and as `_name_candidates` reads them when no pattern holds there.
        readings = dict.fromkeys((words,) if self._ranked(words) else (words, self._decompounded(words)))
        for read in readings:
            tried.extend(
                Trial(rule, pattern, whole, misfit, read_as=() if read == words else read)
                for _, rule, pattern, whole, misfit in self._name_trials(read)
                if misfit is not None
            )
        return tuple(tried)

    def table_contexts(
        self, table: str, sibling_columns: tuple[str, ...] = ()
    ) -> tuple[dict[str, str], dict[str, str]]:
        """The table contexts a table is in, each with what put it there (a word of its name or
        a column); and those a word or column named but another context overruled (`unless`,
        `unless_head`), each with what named it and what overruled it."""
        view = self._table_view(table, self._contexts_of(sibling_columns))
        held: dict[str, str] = {}
        overruled: dict[str, str] = {}
        for name, context in self.rules.table_contexts.items():
            if not view.words.isdisjoint(context.words):
                by = f"table word `{min(view.words.intersection(context.words))}`"
            elif name in view.column_contexts:
                by = f"column `{mask_name(view.column_contexts[name])}`"
            else:
                continue
            if name in view.contexts:
                held[name] = by
            elif overruling := sorted(context.unless.intersection(view.contexts)):
                overruled[name] = f"{by}, overruled by context `{overruling[0]}` (`unless`)"
            else:
                head_of = min(
                    other for other in context.unless_head if view.head in self.rules.table_contexts[other].words
                )
                overruled[name] = f"{by}, overruled by head word `{view.head}` of context `{head_of}` (`unless_head`)"
        return held, overruled

    def _table_trials(
        self, words: tuple[str, ...], table: _TableView, family: str | None
    ) -> Iterator[tuple[_Candidate, Misfit | None]]:
        """Each candidate of the name, best first, then those of the name without a first word
        that abbreviates the table's name (`ec_name` in `emp_children`), with what in the SQL
        type or the table rules it out (None: nothing); last, those of a first word that does
        not abbreviate it, ruled out."""
        candidates = self._candidates(words)
        rest = self._after_prefix(words)
        abbreviates = bool(rest) and _abbreviates(words[0], table.ordered)
        if abbreviates:
            candidates += tuple(replace(candidate, table_prefix=words[0]) for candidate in rest)
        for candidate in candidates:
            if family == "boolean":
                # yes or no: whether a person has a phone, never the phone
                yield candidate, (BOOLEAN, frozenset((family,)))
            elif family in candidate.rule.exclude_types:
                yield candidate, (EXCLUDE_TYPES, frozenset((family,)))
            else:
                yield candidate, self._table_misfit(candidate.pattern, table)
        if rest and not abbreviates:
            for candidate in rest:
                yield candidate, (TABLE_PREFIX, frozenset((words[0],)))

    def _type_misfit(self, rule: DataTypeRule, words: tuple[str, ...], table: _TableView) -> Misfit | None:
        """What rules out the rule whose `held_by_types` names the SQL type's family: a word of
        its `exclude` in the name (range, network), a business table (servers)."""
        if not rule.exclude.isdisjoint(words):
            return (EXCLUDE, rule.exclude.intersection(words))
        if self._business is not None and self._table_in(self._business.name, table):
            return (NOT_TABLES, frozenset((self._business.name,)))
        return None

    def _by_sql_type(
        self, words: tuple[str, ...], table: _TableView, sql_type: str | None, family: str | None
    ) -> tuple[Detection, ...]:
        """A column whose SQL type holds one data type (`inet`: an IP address), whatever its
        name, unless its name says range or network or its table is the business's own (servers)."""
        rule = self._by_type.get(family or "")
        if rule is None or self._type_misfit(rule, words, table) is not None:
            return ()
        evidence = Evidence("type", "type.made_for", (("sql_type", sql_type or ""), ("title", rule.title)))
        return (Detection(rule.data_type, CONFIDENCE_PART_OF_NAME, (evidence,)),)

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
        return name in table.contexts if name in self.rules.table_contexts else name in table.words

    def _detection(
        self, column: str, candidate: _Candidate, table: _TableView, sql_type: str | None, family: str | None
    ) -> Detection:
        rule, pattern = candidate.rule, candidate.pattern
        meaning = pattern.means or in_a_sentence(rule.title)
        column, table_name = mask_name(column), mask_name(table.name)  # evidence is shown: names masked
        matched = " ".join(pattern.words)
        contains = Evidence("name", "name.contains", (("column", column), ("words", matched), ("meaning", meaning)))
        if candidate.table_prefix:
            prefix = (("prefix", candidate.table_prefix), ("table", table_name))
            evidence = [contains, Evidence("table", "table.prefix", prefix)]
            confidence = CONFIDENCE_PART_OF_NAME * TABLE_INFERENCE
        elif candidate.whole:
            evidence = [Evidence("name", "name.means", (("column", column), ("meaning", meaning)))]
            confidence = CONFIDENCE_WHOLE_NAME
        else:
            evidence = [contains]
            confidence = CONFIDENCE_PART_OF_NAME
        needed = [name for name in pattern.tables if name in self.rules.table_contexts]
        if pattern.table_is:
            evidence.append(Evidence("table", "table.head", (("table", table_name), ("head", table.head))))
        for name in needed:
            context = self.rules.table_contexts[name]
            if name in table.column_contexts and table.words.isdisjoint(context.words):
                by_column = mask_name(table.column_contexts[name])
                values = (("table", table_name), ("means", context.means), ("column", by_column))
                evidence.append(Evidence("table", "table.context_by_column", values))
            else:
                evidence.append(Evidence("table", "table.context", (("table", table_name), ("means", context.means))))
        literal = tuple(name for name in pattern.tables if name not in self.rules.table_contexts)
        if literal:
            evidence.append(Evidence("table", "table.words", (("table", table_name), ("words", literal))))
        if pattern.table_is or pattern.tables:
            confidence *= TABLE_INFERENCE
        elif self._person is not None and self._table_in(self._person.name, table):
            person = (("table", table_name), ("means", self._person.means))
            evidence.append(Evidence("table", "table.context", person))
            confidence += SUPPORT
        if family is not None and family in rule.expect_types:
            evidence.append(Evidence("type", "type.fits", (("sql_type", sql_type or ""), ("title", rule.title))))
            confidence += SUPPORT
        return Detection(rule.data_type, round(min(confidence, CONFIDENCE_CEILING), 2), tuple(evidence))


def _abbreviates(prefix: str, table_words: tuple[str, ...]) -> bool:
    """Whether a short leading word of a column is the table's name abbreviated, as legacy
    schemas prefix every column (`emp_` in `employees`, `ec_` in `hs_emp_children`): its
    letters, in order, within the table's words from one that starts with the same letter."""
    if not (2 <= len(prefix) <= 5 and prefix.isalpha()):
        return False
    for start, word in enumerate(table_words):
        if word[:1] == prefix[0]:
            letters = iter("".join(table_words[start:]))
            if all(letter in letters for letter in prefix):
                return True
    return False


def _read(candidate: _Candidate) -> tuple[str, tuple[str, ...]]:
    return candidate.table_prefix, candidate.read_as


def _same(detection: Detection) -> Detection:
    return detection


def _whole(words: tuple[str, ...], pattern: NamePattern) -> bool:
    """The identifier is nothing but the pattern's words (digits aside: `address_1`)."""
    return tuple(word for word in words if not word.isdigit()) == tuple(w for w in pattern.words if not w.isdigit())


@lru_cache(maxsize=1024)
def in_a_sentence(title: Phrase) -> Phrase:
    """A taxonomy title inside a sentence, in each language: `Full name` -> `full name`,
    `IP address` and `IP-адрес` unchanged."""
    return Phrase(as_phrase(title.en), tuple((lang, as_phrase(words)) for lang, words in title.translations))
