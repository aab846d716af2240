"""The common shape of CREATE TABLE, read with a few compiled patterns instead of tokens.

Dumps of thousands of tables are almost all plain `CREATE TABLE name (col type …, …)` with no
comments inside. Reading those by regular expression, element by element, is several times
faster than tokenising them in Python. Anything less plain (comments, virtual tables,
INHERITS, deep nesting, a constraint-like first word) answers None, and the general token
reader takes the statement instead, so this path only ever trades speed, never accuracy.
"""

from __future__ import annotations

import re
from typing import Literal

NAME_PART = r'"(?:[^"]|"")*"|`(?:[^`]|``)*`|\[(?:[^\]]|\]\])*\]|[^\W\d][\w$#@]*'
HEADER = re.compile(
    r"CREATE\s+(?:(?:GLOBAL|LOCAL)\s+)?(?:(?:TEMP|TEMPORARY|UNLOGGED)\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?"
    rf"(?P<name>(?:{NAME_PART})(?:\s*\.\s*(?:{NAME_PART})){{0,2}})\s*\(",
    re.IGNORECASE,
)
NAME_PARTS = re.compile(rf"\s*({NAME_PART})\s*\.?")
# Possessive quantifiers (*+, ++): an element that does not fit fails at once instead of
# backtracking through every way of splitting a long run of text.
ELEMENT = re.compile(
    r"""\s*(?P<body>(?:[^,()'"`\[]++|'(?:[^'\\]|\\.|'')*+'|"(?:[^"]|"")*+"|`(?:[^`]|``)*+`|\[(?:[^\]]|\]\])*+\]"""
    r"""|\((?:[^()'"]++|'(?:[^'\\]|\\.|'')*+'|"[^"]*+"|\((?:[^()'"]++|'[^']*+')*+\))*+\))*+)(?P<end>[,)])""",
    re.DOTALL,
)
COLUMN_NAME = re.compile(rf"({NAME_PART})")
# Words that end a column's type and start its constraints; WITH also starts `WITH TIME ZONE`.
TYPE_STOPS = frozenset(
    {
        "NOT",
        "NULL",
        "DEFAULT",
        "PRIMARY",
        "REFERENCES",
        "UNIQUE",
        "CHECK",
        "COMMENT",
        "COLLATE",
        "CONSTRAINT",
        "AUTO_INCREMENT",
        "AUTOINCREMENT",
        "GENERATED",
        "IDENTITY",
        "ON",
        "CHARSET",
        "AS",
        "WITH",
        "ROWGUIDCOL",
        "SPARSE",
        "MASKED",
        "ENCRYPTED",
        "STORED",
        "VIRTUAL",
        "INVISIBLE",
        "VISIBLE",
        "COLUMN_FORMAT",
        "STORAGE",
        "FILESTREAM",
        "ENCODE",
    }
)
TYPE_STOP = re.compile(
    r"\s(?:CHARACTER\s+SET|WITH(?!\s+TIME)|" + "|".join(sorted(TYPE_STOPS - {"WITH"})) + r")\b", re.IGNORECASE
)
BRACKETED_TYPE = re.compile(r"\[([A-Za-z_][^\]]*)\]")
COMMENT = re.compile(r"\bCOMMENT\s*=?\s*'((?:[^'\\]|\\.|'')*)'", re.IGNORECASE)
NOT_PLAIN_TAIL = re.compile(r"\b(?:INHERITS|PARTITION\s+OF|AS)\b", re.IGNORECASE)
CONSTRAINT_WORDS = frozenset(
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
        "EXCLUDE",
        "LIKE",
        "PERIOD",
    }
)
CONSTRAINT_BODY = re.compile(
    r"(?:CONSTRAINT\s|PRIMARY\s+KEY|FOREIGN\s+KEY|(?:UNIQUE|CHECK|KEY|INDEX|FULLTEXT|SPATIAL|EXCLUDE)\b"
    r"\s*(?:\(|(?:KEY|INDEX|USING)\b|\S+\s*\()|PERIOD\s)",  # `LIKE other` copies columns: the full reader
    re.IGNORECASE,
)


def fast_create_table(
    text: str, line: int
) -> tuple[list[str], list[tuple[str, str | None, int, str | None]], str | None] | None:
    """(name parts, [(column, sql type, line, comment)], table comment), or None when not plain."""
    if "--" in text or "/*" in text or "#" in text:
        return None
    header = HEADER.match(text)
    if header is None:
        return None
    name_parts = [_unquote(m.group(1)) for m in NAME_PARTS.finditer(header.group("name"))]
    columns = []
    position = header.end()
    current_line, counted_to = line, 0
    while True:
        element = ELEMENT.match(text, position)
        if element is None:
            return None
        body = element.group("body")
        if body.strip():
            name_at = element.start("body") + len(body) - len(body.lstrip())
            current_line += text.count("\n", counted_to, name_at)
            counted_to = name_at
            column = _column(body.strip(), current_line)
            if column is False:
                return None
            if column is not None:
                columns.append(column)
        position = element.end()
        if element.group("end") == ")":
            break
    tail = text[position:]
    if NOT_PLAIN_TAIL.search(tail):
        return None
    comment = COMMENT.search(tail)
    return name_parts, columns, _unescape(comment.group(1)) if comment else None


def _column(body: str, line: int) -> tuple[str, str | None, int, str | None] | Literal[False] | None:
    """A column; None for a constraint; False when the element is not plain enough for this path."""
    name_match = COLUMN_NAME.match(body)
    if name_match is None:
        return False
    raw_name = name_match.group(1)
    if raw_name[0] not in '"`[' and raw_name.upper() in CONSTRAINT_WORDS:
        return None if CONSTRAINT_BODY.match(body) else False
    rest = body[name_match.end() :]
    stop = TYPE_STOP.search(rest) if " " in rest.strip() else None
    sql_type = " ".join((rest[: stop.start()] if stop else rest).split())
    if "[" in sql_type:
        sql_type = BRACKETED_TYPE.sub(r"\1", sql_type)
    if "(" in sql_type:
        sql_type = sql_type.replace(" (", "(").replace(", ", ",").replace(",", ", ")
    comment = COMMENT.search(rest) if "omment" in rest or "OMMENT" in rest else None
    return _unquote(raw_name), sql_type or None, line, _unescape(comment.group(1)) if comment else None


def _unquote(name: str) -> str:
    if name[0] == '"':
        return name[1:-1].replace('""', '"')
    if name[0] == "`":
        return name[1:-1].replace("``", "`")
    if name[0] == "[":
        return name[1:-1].replace("]]", "]")
    return name


def _unescape(text: str) -> str:
    return text.replace("''", "'").replace("\\'", "'").replace("\\\\", "\\")
