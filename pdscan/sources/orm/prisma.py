"""Prisma schemas (`schema.prisma`): each `model` is a table, each scalar field a column.

Names are those the database holds: `@@map("users")` and `@map("last_ip")` when written, else
the model's and field's own. Relation fields (`posts Post[]`, `author User @relation(…)`) are
not columns; their foreign keys (`authorId Int`) are. A native type (`@db.Inet`,
`@db.VarChar(255)`) is the SQL type; else the scalar's usual one. `///` doc comments are the
comments of what follows them (`/// purpose: user_notifications`), a trailing `// pdscan: …`
an annotation, as in SQL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pdscan.sources.ddl.parser import Change, ColumnDef, CreateTable

_BLOCK = re.compile(r"^\s*(model|enum|type|view|datasource|generator)\s+(\w+)\s*\{\s*(?://.*)?$")
_FIELD = re.compile(r"^\s*(?P<name>\w+)\s+(?P<type>\w+(?:\(\s*\"[^\"]*\"\s*\))?)(?P<modifier>\[\]|\?)?(?P<rest>.*)$")
_MAP = re.compile(r"@map\(\s*(?:name:\s*)?\"([^\"]+)\"")
_TABLE_MAP = re.compile(r"^\s*@@map\(\s*(?:name:\s*)?\"([^\"]+)\"")
_COMMENT = re.compile(r'^((?:[^"/]|"(?:[^"\\]|\\.)*"|/(?!/))*)//.*$')
_NATIVE = re.compile(r"@db\.(\w+)(\([^)]*\))?")
_SCALARS = {
    "String": "text",
    "Boolean": "boolean",
    "Int": "integer",
    "BigInt": "bigint",
    "Float": "double precision",
    "Decimal": "decimal",
    "DateTime": "timestamp",
    "Json": "jsonb",
    "Bytes": "bytea",
}


class PrismaSyntaxError(Exception):
    """A Prisma schema pdscan cannot read: line and reason."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line = line
        self.reason = reason


@dataclass
class _Field:
    name: str
    type: str
    line: int
    comment: str | None
    annotation: str | None


def read_prisma(text: str) -> list[Change]:
    """One CreateTable per model; raises PrismaSyntaxError on a block never closed or a field
    line that is no field."""
    lines = text.splitlines()
    enums = {match.group(2) for line in lines if (match := _BLOCK.match(line)) and match.group(1) == "enum"}
    changes: list[Change] = []
    doc: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        stripped = line.strip()
        if stripped.startswith("///"):
            doc.append(stripped[3:].strip())
            continue
        block = _BLOCK.match(line)
        if block is None:
            if stripped and not stripped.startswith("//"):
                doc = []
            continue
        kind, name = block.groups()
        start = index
        index = _block_end(lines, index, kind, name, start)
        if kind in ("model", "view"):
            changes.append(_model(name, lines[start : index - 1], start, " ".join(doc) or None, enums))
        doc = []
    return changes


def _block_end(lines: list[str], index: int, kind: str, name: str, opened: int) -> int:
    """The index after the block's closing `}`."""
    while index < len(lines):
        if _code(lines[index]).strip() == "}":
            return index + 1
        index += 1
    raise PrismaSyntaxError(opened, f"{kind} {name} opened here has no closing `}}` before the end of the file")


def _code(line: str) -> str:
    """The line without its `//` comment (a `//` inside a string is not one)."""
    return _COMMENT.sub(r"\1", line, count=1) if "//" in line else line


def _model(name: str, body: list[str], first_line: int, comment: str | None, enums: set[str]) -> CreateTable:
    table = name
    fields: list[_Field] = []
    doc: list[str] = []
    for offset, line in enumerate(body):
        number = first_line + offset + 1
        code = _code(line)
        trailing = line[len(code) + 2 :] if len(code) < len(line) else ""
        stripped = line.strip()
        if stripped.startswith("///"):
            doc.append(stripped[3:].strip())
            continue
        if not code.strip():
            continue
        if (mapped := _TABLE_MAP.match(code)) is not None:
            table = mapped.group(1)
        elif not code.strip().startswith("@@"):
            field = _FIELD.match(code)
            if field is None:
                raise PrismaSyntaxError(number, f"model {name}: `{code.strip()}` is not a field")
            sql_type = _sql_type(field.group("type"), field.group("modifier"), field.group("rest"), enums)
            if sql_type is not None:
                column = _MAP.search(field.group("rest"))
                annotation = trailing.strip() if trailing and not stripped.startswith("//") else None
                fields.append(
                    _Field(
                        column.group(1) if column else field.group("name"),
                        sql_type,
                        number,
                        " ".join(doc) or None,
                        annotation,
                    )
                )
        doc = []
    columns = tuple(ColumnDef(f.name, f.type, f.line, f.comment, f.annotation) for f in fields)
    return CreateTable(table, first_line, columns, comment=comment)


def _sql_type(prisma_type: str, modifier: str | None, rest: str, enums: set[str]) -> str | None:
    """The column's SQL type, or None for a relation field (a model's name)."""
    native = _NATIVE.search(rest)
    if native is not None:
        sql_type = native.group(1).lower() + (native.group(2) or "")
    elif prisma_type in _SCALARS:
        sql_type = _SCALARS[prisma_type]
    elif prisma_type in enums:
        sql_type = f"enum {prisma_type}"
    elif prisma_type.startswith("Unsupported("):
        sql_type = prisma_type[len("Unsupported(") :].strip(' ")')
    else:
        return None
    return sql_type + "[]" if modifier == "[]" else sql_type
