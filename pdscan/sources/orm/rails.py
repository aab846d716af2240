"""Rails schemas: `db/schema.rb` and the migrations in `db/migrate/*.rb`, read as text.

Ruby is never run. Each statement the schema DSL writes (`create_table … do |t|`, `t.string
"email"`, `add_column`, `rename_column`, `remove_column`, `drop_table`, `change_table`…) becomes
the same schema change a SQL statement would, so the replay, declarations and fingerprints are
those of SQL sources. `comment: "purpose: …"` is a column comment; a trailing `# pdscan: …` an
annotation. Anything else in the file (indexes, foreign keys, data changes, plain Ruby) changes
no column and is passed over.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from pdscan.sources.ddl.parser import (
    AddColumn,
    AlterColumnType,
    Change,
    ColumnDef,
    CreateTable,
    DropColumn,
    DropTable,
    RenameColumn,
    RenameTable,
)

# One Ruby token: a string, a symbol, a hash key, `=>`, a number, a name, or punctuation.
_TOKEN = re.compile(
    r"""
    (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
  | (?P<key>[A-Za-z_]\w*[?!]?):(?!:)
  | (?P<symbol>:(?:[A-Za-z_]\w*[?!=]?|"(?:[^"\\]|\\.)*"))
  | (?P<arrow>=>)
  | (?P<word>[A-Za-z_][\w.:]*[?!]?)
  | (?P<number>-?\d[\d_.]*)
  | (?P<comment>\#.*)
  | (?P<punct>[\[\]{}(),|])
  | (?P<space>\s+)
  | (?P<other>.)
    """,
    re.VERBOSE,
)
_BRACKET = re.compile(r"[\[({]")
# `t.string "email", null: false, comment: "…"  # …`: one column, simple options (no brackets,
# no commas or quotes inside strings), the shape of nearly every line schema.rb writes.
_PLAIN_COLUMN = re.compile(
    r'^\s*t\.(?P<method>[a-z_]+)\s+"(?P<name>[^"\\]+)"'
    r'(?P<options>(?:\s*,\s*[A-Za-z_]\w*:\s*(?:"[^"\\,]*"|:\w+|-?[\w.]+))*)\s*(?P<comment>#.*)?$'
)
_PLAIN_OPTION = re.compile(r'([A-Za-z_]\w*):\s*("[^"\\,]*"|:\w+|-?[\w.]+)')
_CLOSES = re.compile(r"^\s*end\b")
_OPENS_BLOCK = re.compile(r"^\s*(?:if|unless|case|while|until|begin|def|class|module)\b|\bdo\s*(?:\|[^|]*\|)?\s*$")
# Column types of the schema DSL that are not written as SQL types (the others are: `inet`,
# `jsonb`…); `references` is a foreign key, a bigint.
_TYPES = {"string": "varchar", "references": "bigint", "belongs_to": "bigint", "primary_key": "bigint"}
_NOT_COLUMNS = frozenset({"index", "check_constraint", "remove_index", "foreign_key", "exclusion_constraint"})
_TIMESTAMPS = ("created_at", "updated_at")


@dataclass
class _Call:
    """One DSL call: `add_column "users", "email", :string, comment: "…"`."""

    method: str
    receiver: str | None  # `t` in `t.string`
    arguments: list[str] = field(default_factory=list)  # strings and symbols, as plain text
    options: dict[str, str] = field(default_factory=dict)  # keyword options, as plain text
    annotation: str | None = None  # a trailing `# …` comment
    line: int = 0


def read_rails(text: str) -> list[Change]:
    """The schema changes a `schema.rb` or a Rails migration makes, in order."""
    return list(_Reader(text).changes())


class _Reader:
    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.position = 0

    def changes(self) -> Iterator[Change]:
        while self.position < len(self.lines):
            call = self._next_call()
            if call is None:
                continue
            yield from self._top_level(call)

    def _next_call(self) -> _Call | None:
        """The call starting at the current line (continuation lines joined), or None."""
        start = self.position
        text = self.lines[start]
        self.position += 1
        plain = _PLAIN_COLUMN.match(text)
        if plain is not None:  # most lines of a schema.rb: read without the tokenizer
            options = {key: _plain(value) for key, value in _PLAIN_OPTION.findall(plain.group("options"))}
            comment = plain.group("comment")
            annotation = comment[1:].strip() if comment else None
            return _Call(plain.group("method"), "t", [plain.group("name")], options, annotation, start + 1)
        while _unbalanced(text) and self.position < len(self.lines):
            text += " " + self.lines[self.position]
            self.position += 1
        return _parse_call(text, start + 1)

    def _top_level(self, call: _Call) -> Iterator[Change]:
        method, arguments = call.method, call.arguments
        if method == "create_table" and arguments:
            yield self._create_table(call)
        elif method == "change_table" and arguments:
            yield from self._block(arguments[0], call)
        elif method == "drop_table" and arguments:
            yield DropTable(arguments[0])
        elif method == "rename_table" and len(arguments) >= 2:
            yield RenameTable(arguments[0], arguments[1])
        elif method == "add_column" and len(arguments) >= 3:
            yield AddColumn(arguments[0], _column(arguments[1], arguments[2], call))
        elif method in ("remove_column", "remove_columns") and len(arguments) >= 2:
            yield from (DropColumn(arguments[0], name) for name in arguments[1:] if name not in _TYPES)
        elif method == "rename_column" and len(arguments) >= 3:
            yield RenameColumn(arguments[0], arguments[1], arguments[2], call.line)
        elif method == "change_column" and len(arguments) >= 3:
            yield AlterColumnType(arguments[0], arguments[1], _sql_type(arguments[2], call.options))
        elif method in ("add_reference", "add_belongs_to") and len(arguments) >= 2:
            yield from (AddColumn(arguments[0], column) for column in _references(arguments[1], call))
        elif method in ("remove_reference", "remove_belongs_to") and len(arguments) >= 2:
            yield DropColumn(arguments[0], f"{arguments[1]}_id")
        elif method == "add_timestamps" and arguments:
            yield from (AddColumn(arguments[0], ColumnDef(name, "datetime", call.line)) for name in _TIMESTAMPS)
        elif method == "def" and call.options.get("__def__") in ("down", "self.down"):
            self._skip_block()  # a migration's way back is not part of the history

    def _create_table(self, call: _Call) -> CreateTable:
        table = call.arguments[0]
        columns: dict[str, ColumnDef] = {}
        primary = call.options.get("id", "")
        if primary != "false":
            key = call.options.get("primary_key", "id")
            columns[key.lower()] = ColumnDef(key, _sql_type(primary or "bigint", {}), call.line)
        for change in self._block(table, call):
            if isinstance(change, AddColumn):
                columns.pop(change.column.name.lower(), None)
                columns[change.column.name.lower()] = change.column
        return CreateTable(
            table,
            call.line,
            tuple(columns.values()),
            comment=call.options.get("comment"),
            annotation=call.annotation,
            or_replace=call.options.get("force") in ("cascade", "true"),  # drops the table first
        )

    def _block(self, table: str, opener: _Call) -> Iterator[Change]:
        """The `t.…` calls of a `do |t| … end` block, as changes to `table`."""
        if not _opens_block(opener):
            return
        while self.position < len(self.lines):
            if _CLOSES.match(self.lines[self.position]):
                self.position += 1
                return
            call = self._next_call()
            if call is None:
                continue
            if call.receiver is None:
                if _opens_block(call):
                    self._skip_block()
                continue
            yield from _table_call(table, call)
            if _opens_block(call):
                self._skip_block()
        raise RubySyntaxError(opener.line, f"`{opener.method}` block opened here is never closed with `end`")

    def _skip_block(self) -> None:
        """Past the `end` of a block this reader does not read (a `reversible do`, an `if`)."""
        depth = 1
        while self.position < len(self.lines) and depth:
            line = self.lines[self.position]
            self.position += 1
            if _CLOSES.match(line):
                depth -= 1
            elif _OPENS_BLOCK.search(line.split("#", 1)[0]):
                depth += 1


class RubySyntaxError(Exception):
    """A Ruby file pdscan cannot read as the schema DSL: line and reason."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line = line
        self.reason = reason


def _table_call(table: str, call: _Call) -> Iterator[Change]:
    method, arguments = call.method, call.arguments
    if method in _NOT_COLUMNS:
        return
    if method == "timestamps":
        yield from (AddColumn(table, ColumnDef(name, "datetime", call.line)) for name in _TIMESTAMPS)
    elif method in ("references", "belongs_to"):
        for name in arguments:
            yield from (AddColumn(table, column) for column in _references(name, call))
    elif method == "column" and len(arguments) >= 2:
        yield AddColumn(table, _column(arguments[0], arguments[1], call))
    elif method in ("remove", "remove_column"):
        yield from (DropColumn(table, name) for name in arguments)
    elif method == "rename" and len(arguments) >= 2:
        yield RenameColumn(table, arguments[0], arguments[1], call.line)
    elif method == "change" and len(arguments) >= 2:
        yield AlterColumnType(table, arguments[0], _sql_type(arguments[1], call.options))
    elif method == "remove_references" or method == "remove_belongs_to":
        yield from (DropColumn(table, f"{name}_id") for name in arguments)
    elif method == "remove_timestamps":
        yield from (DropColumn(table, name) for name in _TIMESTAMPS)
    elif arguments and method.isidentifier():
        # `t.string "first_name", "last_name", comment: "…"`: one column of the type per name
        yield from (AddColumn(table, _column(name, method, call)) for name in arguments)


def _column(name: str, ruby_type: str, call: _Call) -> ColumnDef:
    return ColumnDef(name, _sql_type(ruby_type, call.options), call.line, call.options.get("comment"), call.annotation)


def _references(name: str, call: _Call) -> list[ColumnDef]:
    """`t.references :owner, polymorphic: true` -> owner_id (and owner_type)."""
    key_type = _sql_type(call.options.get("type", "bigint"), {})
    columns = [ColumnDef(f"{name}_id", key_type, call.line, call.options.get("comment"), call.annotation)]
    if call.options.get("polymorphic") == "true":
        columns.append(ColumnDef(f"{name}_type", "varchar", call.line))
    return columns


def _sql_type(ruby_type: str, options: dict[str, str]) -> str:
    sql_type = _TYPES.get(ruby_type, ruby_type)
    if options.get("array") == "true":
        sql_type += "[]"
    return sql_type


def _opens_block(call: _Call) -> bool:
    return call.options.get("__block__") == "do"


def _unbalanced(text: str) -> bool:
    """A call that goes on past its line: open brackets, or a trailing comma or backslash."""
    if not _BRACKET.search(text):  # most lines: no bracket, so only the end can continue them
        code = text.split("#", 1)[0] if "#" in text and '"' not in text and "'" not in text else text
        return code.rstrip().endswith((",", "\\"))
    depth = 0
    code_end = len(text)
    for match in _TOKEN.finditer(text):
        if match.lastgroup == "comment":
            code_end = match.start()
            break
        if match.lastgroup == "punct" and match.group() in "[({":
            depth += 1
        elif match.lastgroup == "punct" and match.group() in "])}":
            depth -= 1
    return depth > 0 or text[:code_end].rstrip().endswith((",", "\\"))


def _parse_call(text: str, line: int) -> _Call | None:
    """`[receiver.]method arg, arg, key: value [do |t|]` -> _Call; None for anything else."""
    stripped = text.strip()
    if not stripped or stripped[0] == "#" or stripped == "end":
        return None
    tokens = [
        (match.lastgroup or "", match.group()) for match in _TOKEN.finditer(text) if match.lastgroup not in ("space",)
    ]
    annotation = next((value[1:].strip() for kind, value in tokens if kind == "comment"), None)
    tokens = [(kind, value) for kind, value in tokens if kind != "comment"]
    if not tokens or tokens[0][0] != "word":
        return None
    head = tokens[0][1]
    if head == "def":
        name = "".join(value for _, value in tokens[1:3] if value != "(")
        return _Call("def", None, options={"__def__": name}, line=line)
    receiver, _, method = head.rpartition(".")
    call = _Call(method, receiver or None, annotation=annotation, line=line)
    rest = tokens[1:]
    if rest and rest[0] == ("punct", "("):
        rest = rest[1:]
    index = 0
    while index < len(rest):
        kind, value = rest[index]
        if kind == "key" or (kind == "symbol" and index + 1 < len(rest) and rest[index + 1][0] == "arrow"):
            skip = 1 if kind == "key" else 2
            option_value, used = _value(rest[index + skip :])
            call.options[_plain(value.rstrip(":"))] = option_value
            index += skip + used
            continue
        if kind in ("string", "symbol"):
            call.arguments.append(_plain(value))
        elif kind == "punct" and value == "[":
            # `remove_columns :users, [:a, :b]` and `t.index ["email"]`: the names inside
            close = next((i for i in range(index, len(rest)) if rest[i] == ("punct", "]")), len(rest))
            if method not in _NOT_COLUMNS:
                call.arguments.extend(_plain(v) for k, v in rest[index + 1 : close] if k in ("string", "symbol"))
            index = close
        elif kind == "word" and value == "do":
            call.options["__block__"] = "do"
            break
        index += 1
    return call


def _value(tokens: list[tuple[str, str]]) -> tuple[str, int]:
    """An option's value as text (`"…"`, `:uuid`, `true`, `255`), and how many tokens it took."""
    if not tokens:
        return "", 0
    kind, value = tokens[0]
    if kind in ("string", "symbol", "word", "number"):
        return _plain(value), 1
    if kind == "punct" and value in "[{(":
        closing = {"[": "]", "{": "}", "(": ")"}[value]
        depth = 0
        for index, (inner_kind, inner) in enumerate(tokens):
            if inner_kind == "punct" and inner == value:
                depth += 1
            elif inner_kind == "punct" and inner == closing:
                depth -= 1
                if depth == 0:
                    return "", index + 1
        return "", len(tokens)
    return "", 1


def _plain(token: str) -> str:
    """A Ruby string or symbol literal's text: `"email"`, `'email'`, `:email`, `:"e-mail"`."""
    if token.startswith(":"):
        token = token[1:]
    if len(token) >= 2 and token[0] == token[-1] and token[0] in "\"'":
        inner = token[1:-1]
        return re.sub(r"\\(.)", r"\1", inner) if token[0] == '"' else inner.replace("\\'", "'").replace("\\\\", "\\")
    return token
