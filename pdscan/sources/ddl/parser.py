"""One SQL statement -> the schema changes it makes (or none), across dialects.

Only statements that shape tables matter to pdscan: CREATE/ALTER/RENAME/DROP TABLE, column
comments and T-SQL's stored procedures for the same. They are recognised on a small token
stream of their own; anything else is ignored without tokenising it. A statement that looks
like DDL but defeats this recogniser is retried with a walker over sqlparse's lexer before it
is reported as skipped.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

import sqlparse
from sqlparse import tokens as sqltokens
from sqlparse.exceptions import SQLParseError

from pdscan.sources.ddl.create_table_fast import CONSTRAINT_WORDS as CONSTRAINT_STARTS
from pdscan.sources.ddl.create_table_fast import TYPE_STOPS, fast_create_table
from pdscan.sources.ddl.placeholders import mask_placeholders, restore
from pdscan.sources.ddl.split import Statement, StatementSplitter

_NAME = re.compile(r"^[^\W\d]\w*$")
DEFAULT_SCHEMAS = frozenset({"public", "dbo", "main"})

INTERESTING = re.compile(
    r"(?:CREATE|ALTER|DROP|RENAME|COMMENT|EXEC|EXECUTE|sp_rename|sp_addextendedproperty|DO)\b",
    re.IGNORECASE,
)
CREATE_TABLE = re.compile(
    r"CREATE\s+(?P<or_replace>OR\s+REPLACE\s+)?(?:(?:GLOBAL|LOCAL)\s+)?"
    r"(?:(?:TEMP|TEMPORARY|UNLOGGED|VIRTUAL|EXTERNAL|FOREIGN)\s+)?TABLE\b"
    r"(?P<if_not_exists>\s*(?:/\*!\d*\s*)?IF\s+NOT\s+EXISTS\b)?",  # mysqldump: /*!32312 IF NOT EXISTS*/
    re.IGNORECASE,
)

# pg_dump writes one of these per table; they change no column, so they are not tokenised.
CONSTRAINT_ONLY_ALTER = re.compile(
    r"ALTER\s+TABLE\s+(?:ONLY\s+)?[\w.\"]+\s+(?:ADD\s+CONSTRAINT\s+[\w\"]+\s+(?:PRIMARY|FOREIGN|UNIQUE|CHECK|EXCLUDE)"
    r"|ALTER\s+COLUMN\s+[\w\"]+\s+SET\s+DEFAULT|OWNER\s+TO)[^,;]*\Z",
    re.IGNORECASE | re.DOTALL,
)
ALTER_ADD_IGNORED = frozenset(
    {
        "CONSTRAINT",
        "PRIMARY",
        "FOREIGN",
        "UNIQUE",
        "CHECK",
        "KEY",
        "INDEX",
        "FULLTEXT",
        "SPATIAL",
        "PARTITION",
        "PERIOD",
        "DEFAULT",
    }
)
EXTENDED_PROPERTY_ARGS = (
    "name",
    "value",
    "level0type",
    "level0name",
    "level1type",
    "level1name",
    "level2type",
    "level2name",
)


class DdlSyntaxError(Exception):
    """The statement is DDL pdscan cares about, but not in a shape it can read."""


@dataclass(frozen=True)
class ColumnDef:
    name: str
    sql_type: str | None
    line: int
    comment: str | None = None
    annotation: str | None = None


@dataclass(frozen=True)
class CreateTable:
    """`if_not_exists`: a no-op when the table exists; `or_replace`: replaces it (MariaDB)."""

    table: str
    line: int
    columns: tuple[ColumnDef, ...]
    comment: str | None = None
    annotation: str | None = None
    inherits: tuple[str, ...] = ()
    if_not_exists: bool = False
    or_replace: bool = False


@dataclass(frozen=True)
class CreateTableAs:
    """`CREATE TABLE t AS SELECT a, b AS c FROM source`: columns copied from a known table.
    `columns` pairs each source column with its new name; () for `SELECT *`."""

    table: str
    line: int
    source: str
    columns: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class PartitionOf:
    """`CREATE TABLE events_2026 PARTITION OF events …`: the parent's rows, reported under it."""

    table: str
    line: int
    parent: str


@dataclass(frozen=True)
class AddColumn:
    table: str
    column: ColumnDef


@dataclass(frozen=True)
class DropColumn:
    table: str
    column: str


@dataclass(frozen=True)
class RenameColumn:
    table: str
    old: str
    new: str
    line: int


@dataclass(frozen=True)
class RedefineColumn:
    """MySQL CHANGE (old -> new definition) and MODIFY (same name, new definition)."""

    table: str
    old: str
    column: ColumnDef


@dataclass(frozen=True)
class AlterColumnType:
    table: str
    column: str
    sql_type: str


@dataclass(frozen=True)
class RenameTable:
    old: str
    new: str


@dataclass(frozen=True)
class DropTable:
    table: str


@dataclass(frozen=True)
class CommentOn:
    """COMMENT ON TABLE/COLUMN and T-SQL MS_Description; `column` None for the table."""

    table: str
    column: str | None
    text: str | None


@dataclass(frozen=True)
class Unsupported:
    """A statement that defines a table pdscan cannot derive columns for, with the reason."""

    line: int
    reason: str


Change = (
    CreateTable
    | CreateTableAs
    | PartitionOf
    | AddColumn
    | DropColumn
    | RenameColumn
    | RedefineColumn
    | AlterColumnType
    | RenameTable
    | DropTable
    | CommentOn
    | Unsupported
)


class Token:
    """One lexical token; a slotted class because a large schema has millions of them."""

    __slots__ = ("kind", "start", "text", "upper", "value")

    def __init__(self, kind: str, text: str, value: str, start: int) -> None:
        self.kind = kind  # word, ident (quoted), string, number, op, comment
        self.text = text
        self.value = value
        self.start = start
        self.upper = value.upper() if kind == "word" else ""


def _token_regex(dialect: str) -> re.Pattern[str]:
    """One token per match. A backslash-escaped string, a bracket or a dollar body that is never
    closed runs to the end of the statement: failing instead, it would be retried from each
    `'`, `[` or `$tag$` after it, which takes time quadratic in the statement."""
    string = (
        r"[NnEeXxBbUu]?'[^'\\]*+(?:(?:\\.|'')[^'\\]*+)*+\\?(?:'|\Z)"
        if dialect == "mysql"
        else r"[NnEeXxBbUu]?'[^']*(?:''[^']*)*'"
    )
    parts = [
        r"(?P<comment>--[^\n]*" + (r"|\#[^\n]*" if dialect == "mysql" else "") + ")",
        r"(?P<block>/\*.*?(?:\*/|\Z))",
        rf"(?P<string>{string})",
        r'(?P<dquote>"[^"]*(?:""[^"]*)*")',
        r"(?P<backtick>`[^`]*(?:``[^`]*)*`)",
    ]
    if dialect != "postgres":
        parts.append(r"(?P<bracket>\[[^\]]*+(?:\]\][^\]]*+)*+(?:\]|\Z))")
    parts += [
        r"(?P<dollar>\$(?P<tag>[A-Za-z_]\w*)?\$.*?(?:\$(?P=tag)?\$|\Z))",
        r"(?P<word>[^\W\d][\w$#@]*|[#@][\w$#@]+)",
        r"(?P<number>\d[\w.]*)",
        r"(?P<op>::|.)",
    ]
    return re.compile(r"\s*(?:" + "|".join(parts) + ")", re.DOTALL)


_TOKEN_REGEXES = {d: _token_regex(d) for d in ("postgres", "mysql", "sqlite", "tsql", "generic")}


def tokenize(text: str, dialect: str, executable_comments: bool = True) -> list[Token]:
    """The tokens of a statement; the content of a MySQL `/*!…*/` counts, one level deep (MySQL
    does not nest comments; expanding `/*!` inside `/*!` recursed once per level and rescanned
    the rest of the statement each time)."""
    tokens: list[Token] = []
    append = tokens.append
    for match in _TOKEN_REGEXES.get(dialect, _TOKEN_REGEXES["generic"]).finditer(text):
        kind = match.lastgroup or "op"
        raw = match.group(kind)
        start = match.start(kind)
        if kind == "word":
            append(Token("word", raw, raw, start))
        elif kind == "block":
            if executable_comments and raw.startswith("/*!"):  # MySQL executable comment: its content counts
                tokens.extend(
                    Token(t.kind, t.text, t.value, t.start + start + 3)
                    for t in tokenize(re.sub(r"^\d*", "", raw[3:-2]), dialect, executable_comments=False)
                )
        else:
            append(Token(_KINDS.get(kind, kind), raw, _value(kind, raw), start))
    return tokens


_KINDS = {"dquote": "ident", "backtick": "ident", "bracket": "ident", "dollar": "string"}


def _value(kind: str, raw: str) -> str:
    if kind == "dquote":
        return raw[1:-1].replace('""', '"')
    if kind == "backtick":
        return raw[1:-1].replace("``", "`")
    if kind == "bracket":
        return raw[1:-1].replace("]]", "]")
    if kind == "string":
        body = raw[raw.index("'") + 1 : -1]
        return body.replace("''", "'").replace("\\'", "'").replace("\\\\", "\\")
    if kind == "dollar":
        return raw[raw.index("$", 1) + 1 : raw.rindex("$", 0, len(raw) - 1)]
    if kind == "comment":
        return raw[2:].strip() if raw.startswith("--") else raw[1:].strip()
    return raw


def parse_statement(statement: Statement, dialect: str) -> list[Change]:
    """The schema changes of one statement; [] for statements that change no table. Template
    placeholders (`${schema}.users`) are read as parts of the names they stand in."""
    if INTERESTING.match(statement.text) is None:  # data (INSERT, COPY) is never searched
        return []
    masked = mask_placeholders(statement.text)
    if masked is None:
        return _parse(statement, dialect)
    changes = _parse(Statement(masked.text, statement.line), dialect)
    return [restore(change, masked.placeholders) for change in changes]


def _parse(statement: Statement, dialect: str) -> list[Change]:
    text = statement.text
    head = INTERESTING.match(text)
    if head is None:
        return []
    keyword = head.group().upper()
    if keyword == "DO":
        return _do_block(statement, dialect)
    if keyword == "CREATE":
        create = CREATE_TABLE.match(text)
        if create is None:
            return []
        if_not_exists, or_replace = bool(create.group("if_not_exists")), bool(create.group("or_replace"))
        return [
            replace(change, if_not_exists=if_not_exists, or_replace=or_replace)
            if isinstance(change, CreateTable) and (if_not_exists or or_replace)
            else change
            for change in _changes(statement, dialect, keyword)
        ]
    if keyword in ("DROP", "ALTER") and not re.match(rf"{keyword}\s+TABLE\b", text, re.IGNORECASE):
        return []
    if keyword == "ALTER" and CONSTRAINT_ONLY_ALTER.match(text):
        return []
    if keyword == "RENAME" and not re.match(r"RENAME\s+TABLES?\b", text, re.IGNORECASE):
        return []
    if keyword == "COMMENT" and not re.match(r"COMMENT\s+ON\s+(?:TABLE|COLUMN)\b", text, re.IGNORECASE):
        return []
    if keyword in ("EXEC", "EXECUTE") and not re.search(
        r"\bsp_(?:rename|addextendedproperty|updateextendedproperty)\b", text[:200], re.IGNORECASE
    ):
        return []
    return _changes(statement, dialect, keyword)


def _changes(statement: Statement, dialect: str, keyword: str) -> list[Change]:
    """The changes of a statement that starts with `keyword` and shapes a table."""
    text = statement.text
    if keyword == "CREATE" and (plain := fast_create_table(text, statement.line)) is not None:
        name_parts, columns, comment = plain
        table = qualified_name(name_parts)
        if table.startswith("#") or table.lower().startswith("sqlite_"):
            return []
        definitions = tuple(
            ColumnDef(name, sql_type, line, column_comment) for name, sql_type, line, column_comment in columns
        )
        return [CreateTable(table, statement.line, definitions, comment)]
    reader = _Reader(statement, tokenize(text, dialect))
    try:
        return reader.changes()
    except (DdlSyntaxError, IndexError) as error:
        if keyword == "CREATE":
            fallback = _create_table_with_sqlparse(statement)
            if fallback is not None:
                return [fallback]
        reason = str(error) if isinstance(error, DdlSyntaxError) else "the statement ends too early"
        return [Unsupported(statement.line, f"cannot read {_first_words(text)}: {reason}")]


def _first_words(text: str) -> str:
    words = " ".join(text.split()[:4])
    return words if len(words) < 80 else words[:77] + "..."


class _Reader:
    """A cursor over the significant tokens of one statement."""

    def __init__(self, statement: Statement, tokens: list[Token]) -> None:
        self.statement = statement
        self.tokens = [t for t in tokens if t.kind != "comment"]
        self.position = 0
        self._newlines = [m.start() for m in re.finditer("\n", statement.text)]
        # `--` comments by line, looked up for every element: scanning all of them for each
        # element would take time quadratic in a table with a comment on every column.
        self._comments: dict[int, list[Token]] = {}
        for token in tokens:
            if token.kind == "comment":
                self._comments.setdefault(self.line_of(token), []).append(token)

    # -- cursor
    def peek(self, offset: int = 0) -> Token | None:
        index = self.position + offset
        return self.tokens[index] if index < len(self.tokens) else None

    def next(self) -> Token:
        token = self.peek()
        if token is None:
            raise DdlSyntaxError("the statement ends too early")
        self.position += 1
        return token

    def at_word(self, *words: str) -> bool:
        token = self.peek()
        return token is not None and token.upper in words

    def accept(self, *words: str) -> bool:
        if self.at_word(*words):
            self.position += 1
            return True
        return False

    def accept_sequence(self, *words: str) -> bool:
        for offset, word in enumerate(words):
            token = self.peek(offset)
            if token is None or token.upper != word:
                return False
        self.position += len(words)
        return True

    def expect_op(self, op: str) -> None:
        token = self.next()
        if token.text != op:
            raise DdlSyntaxError(f"expected '{op}' but found '{token.text}'")

    def line_of(self, token: Token) -> int:
        return self.statement.line + bisect.bisect_left(self._newlines, token.start)

    def name(self) -> str:
        """A possibly qualified name (`a.b.c`), normalised: default schemas dropped."""
        parts = [self._identifier()]
        while (token := self.peek()) is not None and token.text == ".":
            self.position += 1
            parts.append(self._identifier())
        return qualified_name(parts)

    def _identifier(self) -> str:
        token = self.next()
        if token.kind in ("word", "ident") or (token.kind == "string" and token.text.startswith("'")):
            return token.value
        raise DdlSyntaxError(f"expected a name but found '{token.text}'")

    # -- statements
    def changes(self) -> list[Change]:
        first = self.next().upper
        if first == "CREATE":
            return self._create_table()
        if first == "ALTER":
            self.accept("TABLE")
            self.accept("ONLY")
            self.accept_sequence("IF", "EXISTS")
            self.accept("ONLY")
            table = self.name()
            return self._alter_actions(table)
        if first == "DROP":
            return self._drop_tables()
        if first == "RENAME":
            return self._rename_tables()
        if first == "COMMENT":
            return self._comment_on()
        if first in ("EXEC", "EXECUTE"):
            return self._procedure()
        if first in ("SP_RENAME", "SP_ADDEXTENDEDPROPERTY"):
            self.position -= 1
            return self._procedure()
        return []

    def _create_table(self) -> list[Change]:
        start = self.tokens[0]
        virtual = False
        while not self.at_word("TABLE"):
            virtual = virtual or self.at_word("VIRTUAL")
            self.next()
        self.next()
        self.accept_sequence("IF", "NOT", "EXISTS")
        table = self.name()
        if table.startswith("#") or table.lower().startswith("sqlite_"):
            return []  # T-SQL temporary tables, SQLite's own bookkeeping tables
        annotation = self._annotation_on_line(self.line_of(start))
        if virtual:
            return [self._virtual_table(table, start, annotation)]
        token = self.peek()
        if token is None:
            raise DdlSyntaxError("no column list")
        if token.upper == "AS" or (token.text == "(" and self._is_query()):
            copied = _copied_columns(self.statement.text[token.start :])
            if copied is not None:
                return [CreateTableAs(table, self.line_of(start), *copied)]
            return [
                Unsupported(
                    self.line_of(start),
                    f"CREATE TABLE {table} AS a query: its columns come from a query more than a plain "
                    "SELECT of columns FROM one table, which pdscan does not evaluate",
                )
            ]
        if token.upper == "PARTITION" and (following := self.peek(1)) is not None and following.upper == "OF":
            self.next()
            self.next()
            return [PartitionOf(table, self.line_of(start), self.name())]
        if token.upper in ("PARTITION", "OF"):
            return []  # a typed table (`OF type`) or a partition pdscan cannot name: nothing to report
        if token.upper == "LIKE":
            self.next()
            return [CreateTable(table, self.line_of(start), (), None, annotation, (self.name(),))]
        if token.text != "(":
            raise DdlSyntaxError(f"expected the column list but found '{token.text}'")
        elements = self._parenthesised_elements()
        columns = tuple(c for element in elements if (c := self._column_or_none(element)) is not None)
        # `(LIKE other INCLUDING ALL, …)` copies another table's columns, as INHERITS does
        likes = tuple(
            qualified_name([t.value for t in element[1:] if t.kind in ("word", "ident")][:1] or [""])
            if len(element) < 3 or element[2].text != "."
            else qualified_name([element[1].value, element[3].value])
            for element in elements
            if len(element) > 1 and element[0].upper == "LIKE"
        )
        comment, inherits = self._table_options()
        return [CreateTable(table, self.line_of(start), columns, comment, annotation, likes + inherits)]

    def _is_query(self) -> bool:
        following = self.peek(1)
        return following is not None and following.upper in ("SELECT", "WITH", "VALUES")

    def _virtual_table(self, table: str, start: Token, annotation: str | None) -> CreateTable:
        """SQLite `CREATE VIRTUAL TABLE t USING fts4(a, b, tokenize=…)`: the bare names are columns."""
        while (token := self.peek()) is not None and token.text != "(":
            self.next()
        if self.peek() is None:
            return CreateTable(table, self.line_of(start), (), None, annotation)
        columns = []
        for element in self._parenthesised_elements():
            if len(element) >= 1 and element[0].kind in ("word", "ident") and not any(t.text == "=" for t in element):
                sql_type = _joined(element[1:]) or None
                columns.append(
                    ColumnDef(
                        element[0].value,
                        sql_type,
                        self.line_of(element[0]),
                        annotation=self._annotation_for(element),
                    )
                )
        return CreateTable(table, self.line_of(start), tuple(columns), None, annotation)

    def _parenthesised_elements(self) -> list[list[Token]]:
        """Consume `( … )` and return its top-level comma-separated elements."""
        self.expect_op("(")
        tokens = self.tokens
        elements: list[list[Token]] = []
        current: list[Token] = []
        depth = 0
        for index in range(self.position, len(tokens)):
            token = tokens[index]
            text = token.text
            if text == "(":
                depth += 1
            elif text == ")":
                if depth == 0:
                    self.position = index + 1
                    if current:
                        elements.append(current)
                    return elements
                depth -= 1
            elif text == "," and depth == 0:
                if current:
                    elements.append(current)
                current = []
                continue
            current.append(token)
        raise DdlSyntaxError("the column list is never closed")

    def _column_or_none(self, element: list[Token]) -> ColumnDef | None:
        first = element[0]
        if first.kind == "word" and first.upper in CONSTRAINT_STARTS:
            following = element[1] if len(element) > 1 else None
            if first.upper in ("KEY", "INDEX", "UNIQUE", "CHECK", "FULLTEXT", "SPATIAL", "EXCLUDE"):
                if (
                    following is None
                    or following.text == "("
                    or following.upper in ("KEY", "INDEX", "USING")
                    or (len(element) > 2 and element[2].text == "(")
                ):
                    return None
            elif (
                (first.upper == "PRIMARY" and following is not None and following.upper == "KEY")
                or (first.upper == "FOREIGN" and following is not None and following.upper == "KEY")
                or first.upper in ("CONSTRAINT", "LIKE", "PERIOD")
            ):
                return None
        if first.kind not in ("word", "ident"):
            raise DdlSyntaxError(f"a column definition starts with '{first.text}'")
        return self._column_def(element)

    def _column_def(self, element: list[Token]) -> ColumnDef:
        name = element[0]
        if name.kind not in ("word", "ident"):
            raise DdlSyntaxError(f"expected a column name but found '{name.text}'")
        type_tokens: list[Token] = []
        depth = 0
        index = 1
        while index < len(element):
            token = element[index]
            if depth == 0 and token.kind == "word" and token.upper in TYPE_STOPS and not _time_zone(element, index):
                break
            if (
                depth == 0
                and token.upper == "CHARACTER"
                and index + 1 < len(element)
                and element[index + 1].upper == "SET"
            ):
                break
            depth += token.text == "("
            depth -= token.text == ")"
            type_tokens.append(token)
            index += 1
        comment = None
        for position, token in enumerate(element[:-1]):
            if token.upper == "COMMENT" and element[position + 1].kind == "string":
                comment = element[position + 1].value
        return ColumnDef(
            name.value,
            _joined(type_tokens) or None,
            self.line_of(name),
            comment,
            self._annotation_for(element),
        )

    def _annotation_for(self, element: Sequence[Token]) -> str | None:
        """A `--` comment on the line where the element ends (before or after its comma)."""
        return self._annotation_on_line(self.line_of(element[-1]), after=element[0].start)

    def _annotation_on_line(self, line: int, after: int = -1) -> str | None:
        texts = [c.value for c in self._comments.get(line, ()) if c.start > after]
        return " ".join(texts) if texts else None

    def _table_options(self) -> tuple[str | None, tuple[str, ...]]:
        comment = None
        inherits: tuple[str, ...] = ()
        while (token := self.peek()) is not None:
            self.position += 1
            if token.upper == "COMMENT":
                self.accept_op("=")
                value = self.peek()
                if value is not None and value.kind == "string":
                    comment = value.value
                    self.position += 1
            elif token.upper == "INHERITS" and self.accept_op("("):
                names = [self.name()]
                while self.accept_op(","):
                    names.append(self.name())
                inherits = tuple(names)
        return comment, inherits

    def accept_op(self, op: str) -> bool:
        token = self.peek()
        if token is not None and token.text == op:
            self.position += 1
            return True
        return False

    def _alter_actions(self, table: str) -> list[Change]:
        changes: list[Change] = []
        actions: list[list[Token]] = [[]]
        depth = 0
        while (token := self.peek()) is not None:
            self.position += 1
            if token.text == "(":
                depth += 1
            elif token.text == ")":
                depth -= 1
            elif token.text == "," and depth == 0:
                actions.append([])
                continue
            actions[-1].append(token)
        previous = ""
        for action in (a for a in actions if a):
            previous = self._alter_action(table, action, previous, changes)
        return changes

    def _alter_action(self, table: str, action: list[Token], previous: str, changes: list[Change]) -> str:
        """Apply one ALTER TABLE action; returns what it was, for T-SQL's `ADD a int, b int`."""
        verb = action[0].upper
        rest = action[1:]
        if verb == "ADD":
            rest = _skip_words(rest, "COLUMN")
            rest = _skip_sequence(rest, "IF", "NOT", "EXISTS")
            if not rest or (rest[0].kind == "word" and rest[0].upper in ALTER_ADD_IGNORED):
                return "other"
            if rest[0].text == "(":
                inner = _split_top_level(rest[1:-1] if rest[-1].text == ")" else rest[1:])
                changes.extend(AddColumn(table, self._column_def(e)) for e in inner if e)
                return "add"
            changes.append(AddColumn(table, self._column_def(rest)))
            return "add"
        if verb == "DROP":
            rest = _skip_words(rest, "COLUMN")
            rest = _skip_sequence(rest, "IF", "EXISTS")
            if (
                rest
                and rest[0].kind in ("word", "ident")
                and not (
                    rest[0].kind == "word"
                    and rest[0].upper
                    in (
                        "CONSTRAINT",
                        "INDEX",
                        "KEY",
                        "PRIMARY",
                        "FOREIGN",
                        "PARTITION",
                        "CHECK",
                        "DEFAULT",
                        "PERIOD",
                        "SYSTEM",
                    )
                )
            ):
                changes.append(DropColumn(table, rest[0].value))
                return "drop"
            return "other"
        if verb == "RENAME":
            if rest and rest[0].upper in ("TO", "AS"):
                changes.append(RenameTable(table, qualified_name([t.value for t in rest[1:] if t.text != "."])))
                return "other"
            rest = _skip_words(rest, "COLUMN")
            if len(rest) >= 3 and rest[1].upper == "TO" and rest[0].kind in ("word", "ident"):
                if rest[0].upper in ("INDEX", "KEY", "CONSTRAINT"):
                    return "other"
                changes.append(RenameColumn(table, rest[0].value, rest[2].value, self.line_of(rest[2])))
            return "other"
        if verb == "CHANGE":
            rest = _skip_words(rest, "COLUMN")
            if len(rest) >= 2:
                changes.append(RedefineColumn(table, rest[0].value, self._column_def(rest[1:])))
            return "other"
        if verb == "MODIFY":
            rest = _skip_words(rest, "COLUMN")
            if rest and rest[0].text == "(":
                rest = rest[1:-1]
            if rest:
                changes.append(RedefineColumn(table, rest[0].value, self._column_def(rest)))
            return "other"
        if verb == "ALTER":
            rest = _skip_words(rest, "COLUMN")
            if len(rest) >= 2:
                column = rest[0].value
                if rest[1].upper == "TYPE":
                    changes.append(AlterColumnType(table, column, _type_text(rest[2:])))
                elif rest[1].upper == "SET" and len(rest) > 3 and rest[2].upper == "DATA":
                    changes.append(AlterColumnType(table, column, _type_text(rest[4:])))
                elif rest[1].kind == "word" and rest[1].upper not in (
                    "SET",
                    "DROP",
                    "ADD",
                    "RESET",
                    "OPTIONS",
                    "RESTART",
                ):
                    changes.append(AlterColumnType(table, column, _type_text(rest[1:])))
            return "other"
        if previous == "add" and action[0].kind in ("word", "ident") and len(action) >= 2:
            changes.append(AddColumn(table, self._column_def(action)))
            return "add"
        if previous == "drop" and action[0].kind in ("word", "ident") and len(action) == 1:
            changes.append(DropColumn(table, action[0].value))
            return "drop"
        return "other"

    def _drop_tables(self) -> list[Change]:
        self.accept("TABLE")
        self.accept_sequence("IF", "EXISTS")
        changes: list[Change] = [DropTable(self.name())]
        while self.accept_op(","):
            changes.append(DropTable(self.name()))
        return changes

    def _rename_tables(self) -> list[Change]:
        self.accept("TABLE", "TABLES")
        changes: list[Change] = []
        while True:
            old = self.name()
            if not self.accept("TO"):
                raise DdlSyntaxError("expected TO in RENAME TABLE")
            changes.append(RenameTable(old, self.name()))
            if not self.accept_op(","):
                return changes

    def _comment_on(self) -> list[Change]:
        self.accept("ON")
        target = self.next().upper
        parts = [self._identifier()]
        while self.accept_op("."):
            parts.append(self._identifier())
        if not self.accept("IS"):
            raise DdlSyntaxError("expected IS in COMMENT ON")
        value = self.next()
        text = value.value if value.kind == "string" else None
        if target == "COLUMN":
            if len(parts) < 2:
                raise DdlSyntaxError("COMMENT ON COLUMN needs table.column")
            return [CommentOn(qualified_name(parts[:-1]), parts[-1], text)]
        return [CommentOn(qualified_name(parts), None, text)]

    def _procedure(self) -> list[Change]:
        """T-SQL `EXEC sp_rename …` and `EXEC sp_addextendedproperty … MS_Description …`."""
        procedure = self.name().split(".")[-1].lower()
        arguments = self._procedure_arguments()
        if procedure == "sp_rename":
            return _sp_rename(arguments, self.statement.line)
        if procedure in ("sp_addextendedproperty", "sp_updateextendedproperty"):
            return _extended_property(arguments)
        return []

    def _procedure_arguments(self) -> dict[str, str]:
        arguments: dict[str, str] = {}
        position = 0
        while (token := self.peek()) is not None:
            name = None
            if token.kind == "word" and token.value.startswith("@"):
                name = token.value[1:].lower()
                self.next()
                self.accept_op("=")
            value = self.next()
            arguments[name or f"#{position}"] = value.value
            position += 1
            if not self.accept_op(","):
                break
        return arguments


_DO_BODY = re.compile(r"DO\s+(?:LANGUAGE\s+\w+\s+)?(?P<tag>\$\w*\$)(?P<body>.*?)(?P=tag)", re.IGNORECASE | re.DOTALL)
_BLOCK_DDL = re.compile(
    r"\b(?:ALTER\s+TABLE|CREATE\s+(?:(?:TEMP|TEMPORARY|UNLOGGED)\s+)?TABLE|DROP\s+TABLE|COMMENT\s+ON)\b", re.IGNORECASE
)
_DYNAMIC = re.compile(r"\bEXECUTE\b", re.IGNORECASE)
_LINE_COMMENT = re.compile(r"--[^\n]*")


def _do_block(statement: Statement, dialect: str) -> list[Change]:
    """The plain DDL statements of a PostgreSQL `DO $$ … $$` block (an idempotent migration's
    `IF NOT EXISTS … THEN ALTER TABLE … END IF`), each read as if written alone; DDL built in
    an `EXECUTE` string is not read, and said."""
    block = _DO_BODY.match(statement.text)
    if block is None:
        return []
    body = _LINE_COMMENT.sub(lambda match: " " * len(match.group()), block.group("body"))
    first_line = statement.line + statement.text.count("\n", 0, block.start("body"))
    changes: list[Change] = []
    for piece in StatementSplitter(body, "postgres"):
        line = first_line + piece.line - 1
        ddl = _BLOCK_DDL.search(piece.text)
        if ddl is not None and _DYNAMIC.search(piece.text, 0, ddl.start()):
            reason = "a DO block runs DDL built in an EXECUTE string, which pdscan does not read"
            changes.append(Unsupported(line, reason))
        elif ddl is not None:
            inner = Statement(piece.text[ddl.start() :], line + piece.text.count("\n", 0, ddl.start()))
            changes.extend(parse_statement(inner, dialect))
    return changes


_PLAIN_SELECT = re.compile(
    r"AS\s*\(?\s*SELECT\s+(?:ALL\s+)?(?P<items>.+?)\s+FROM\s+(?P<source>[\w$.\"`\[\]]+)\s*"
    r"(?:\b(?:AS\s+)?\w+\s*)?(?:\b(?:WHERE|LIMIT|WITH|ORDER|GROUP)\b.*|\)\s*(?:WITH\b.*)?)?\Z",
    re.IGNORECASE | re.DOTALL,
)
_SELECTED = re.compile(r"(?:[\w\"`\[\]]+\.)?(?P<column>[\w\"`\[\]]+)(?:\s+(?:AS\s+)?(?P<alias>[\w\"`\[\]]+))?", re.I)


def _copied_columns(query: str) -> tuple[str, tuple[tuple[str, str], ...]] | None:
    """(source table, (column, new name)…) of `AS SELECT a, t.b AS c FROM source [WHERE …]`;
    () for `SELECT *`; None for anything else (joins, expressions, functions, subqueries)."""
    match = _PLAIN_SELECT.match(query.strip().rstrip(";"))
    if match is None or "(" in match.group("items"):
        return None
    source = qualified_name([_unquoted(part) for part in match.group("source").split(".")])
    items = [item.strip() for item in match.group("items").split(",")]
    if items == ["*"]:
        return source, ()
    columns = []
    for item in items:
        selected = _SELECTED.fullmatch(item)
        if selected is None:
            return None
        column = _unquoted(selected.group("column"))
        columns.append((column, _unquoted(selected.group("alias") or column)))
    return source, tuple(columns)


def _unquoted(name: str) -> str:
    return name.strip('"`[]')


def qualified_name(parts: Sequence[str]) -> str:
    """`db.schema.table` -> `schema.table`; default schemas (public, dbo, main) dropped."""
    parts = [p for p in parts if p]
    if len(parts) >= 3:
        parts = parts[-2:]
    if len(parts) == 2 and parts[0].lower() in DEFAULT_SCHEMAS:
        parts = parts[1:]
    return ".".join(parts)


def _sp_rename(arguments: dict[str, str], line: int) -> list[Change]:
    old = arguments.get("objname", arguments.get("#0"))
    new = arguments.get("newname", arguments.get("#1"))
    kind = (arguments.get("objtype", arguments.get("#2")) or "").upper()
    if not old or not new:
        return []
    parts = [p.strip('[]"') for p in old.split(".")]
    if kind == "COLUMN" and len(parts) >= 2:
        return [RenameColumn(qualified_name(parts[:-1]), parts[-1], new, line)]
    if kind in ("", "OBJECT"):
        schema = parts[:-1]
        return [RenameTable(qualified_name(parts), qualified_name([*schema, new]))]
    return []


def _extended_property(arguments: dict[str, str]) -> list[Change]:
    named = {
        EXTENDED_PROPERTY_ARGS[int(k[1:])] if k.startswith("#") and int(k[1:]) < 8 else k: v
        for k, v in arguments.items()
    }
    if named.get("name", "").lower() != "ms_description":
        return []
    if named.get("level1type", "").upper() != "TABLE" or not named.get("level1name"):
        return []
    table = qualified_name([named.get("level0name", ""), named["level1name"]])
    column = named.get("level2name") if named.get("level2type", "").upper() == "COLUMN" else None
    return [CommentOn(table, column, named.get("value"))]


def _time_zone(element: list[Token], index: int) -> bool:
    """`timestamp WITH TIME ZONE` is a type, not a WITH clause."""
    return (
        element[index].upper in ("WITH", "WITHOUT") and index + 1 < len(element) and element[index + 1].upper == "TIME"
    )


def _skip_words(tokens: list[Token], *words: str) -> list[Token]:
    """The tokens after the leading run of `words`, cut once (not copied once per word)."""
    skipped = 0
    while skipped < len(tokens) and tokens[skipped].upper in words:
        skipped += 1
    return tokens[skipped:]


def _skip_sequence(tokens: list[Token], *words: str) -> list[Token]:
    if len(tokens) >= len(words) and all(t.upper == w for t, w in zip(tokens, words, strict=False)):
        return tokens[len(words) :]
    return tokens


def _split_top_level(tokens: list[Token]) -> list[list[Token]]:
    parts: list[list[Token]] = [[]]
    depth = 0
    for token in tokens:
        if token.text == "(":
            depth += 1
        elif token.text == ")":
            depth -= 1
        elif token.text == "," and depth == 0:
            parts.append([])
            continue
        parts[-1].append(token)
    return parts


def _type_text(tokens: list[Token]) -> str:
    kept = []
    for token in tokens:
        if token.kind == "word" and token.upper in TYPE_STOPS | {"USING"}:
            break
        kept.append(token)
    return _joined(kept)


def _joined(tokens: Sequence[Token]) -> str:
    """Tokens back to readable SQL: `character varying(255)`, `numeric(10, 2)`, `text[]`."""
    out = ""
    for token in tokens:
        text = token.value if token.kind == "ident" else token.text
        if not out or text in ("(", ")", ",", "[", "]", "::") or out.endswith(("(", "[", "::")):
            out += text
        else:
            out += " " + text
    return out


def _create_table_with_sqlparse(statement: Statement) -> CreateTable | None:
    """Last resort for a CREATE TABLE the fast reader rejects: take each element's first name."""
    try:
        parsed = sqlparse.parse(statement.text)
    except SQLParseError:  # over 10,000 tokens or nested too deep: sqlparse refuses, the statement is skipped
        return None
    if not parsed:
        return None
    tokens = [t for t in parsed[0].flatten() if not t.is_whitespace]
    names = [t for t in tokens if t.ttype in sqltokens.Name or t.ttype in sqltokens.Keyword]
    try:
        open_index = next(i for i, t in enumerate(tokens) if t.value == "(")
    except StopIteration:
        return None
    table_tokens = [t.value.strip('`"[]') for t in tokens[:open_index] if t.ttype in sqltokens.Name]
    if not table_tokens or not names:
        return None
    columns = []
    depth = 0
    expect_name = True
    line = statement.line
    for token in tokens[open_index + 1 :]:
        if token.value == "(":
            depth += 1
        elif token.value == ")":
            if depth == 0:
                break
            depth -= 1
        elif token.value == "," and depth == 0:
            expect_name = True
            continue
        if expect_name and depth == 0:
            expect_name = False
            word = token.value.strip('`"[]')
            if token.ttype in sqltokens.Comment or word.upper() in CONSTRAINT_STARTS or not _NAME.match(word):
                continue
            columns.append(ColumnDef(word, None, line))
    if not columns:
        return None
    return CreateTable(qualified_name(table_tokens[-2:]), statement.line, tuple(columns))
