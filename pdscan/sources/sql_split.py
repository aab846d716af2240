"""Cut SQL text into statements, dialect-aware, with the line each statement starts on.

Generic SQL splitters stumble on exactly what real dumps are made of: mysqldump's DELIMITER
blocks and `/*!40101 … */` comments, pg_dump's `$$` function bodies and `COPY … FROM stdin`
data, T-SQL's `GO` batches and `[brackets]`, psql meta-commands. One compiled pattern per
dialect finds the next token that matters; everything between tokens is skipped by the regex
engine, which keeps large data sections cheap.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

COPY_FROM_STDIN = re.compile(r"\s*COPY\b[^;]*\bFROM\s+stdin\b", re.IGNORECASE)
TRAILING_COMMENT = re.compile(r"[ \t]*(?:--|\#)[^\n]*")
COPY_DATA_END = re.compile(r"^\\\.[ \t]*\r?$", re.MULTILINE)


@dataclass(frozen=True)
class Statement:
    """One statement's text (comments kept: they carry inline purposes) and where it starts."""

    text: str
    line: int


@dataclass(frozen=True)
class SplitProblem:
    line: int
    message: str


@lru_cache(maxsize=32)
def _token_pattern(dialect: str, delimiter: str) -> re.Pattern[str]:
    backslash_escapes = dialect == "mysql"
    # Every quote and bracket ends at its closing mark or at the end (of the text; of the line
    # for a bracket): one that failed instead would be retried from each of its own characters.
    # Possessive loops (*+): nothing to backtrack into, so a long run of `\'` or `''` keeps no stack.
    single = r"'[^'\\]*+(?:(?:\\.|'')[^'\\]*+)*+\\?(?:'|\Z)" if backslash_escapes else r"'[^']*+(?:''[^']*+)*+(?:'|\Z)"
    parts = [
        rf"(?P<single>{single})",
        r'(?P<double>"[^"]*+(?:""[^"]*+)*+(?:"|\Z))',
        r"(?P<line_comment>--[^\n]*)",
        r"(?P<block_comment>/\*(?!!).*?(?:\*/|\Z))",
    ]
    if dialect in ("mysql", "sqlite", "generic"):
        parts.append(r"(?P<backtick>`[^`]*+(?:``[^`]*+)*+(?:`|\Z))")
    if dialect == "mysql":
        parts.append(r"(?P<hash_comment>\#[^\n]*)")
        parts.append(r"(?P<conditional_open>/\*!\d*)")
        parts.append(r"(?P<conditional_close>\*/)")
        parts.append(r"(?P<delimiter_command>^[ \t]*DELIMITER[ \t]+(?P<new_delimiter>\S+)[ \t]*\r?$)")
    if dialect in ("tsql", "sqlite", "generic"):
        parts.append(r"(?P<bracket>\[[^\]\n]*+(?:\]\][^\]\n]*+)*+(?:\]|$))")
    if dialect in ("tsql", "generic"):
        parts.append(r"(?P<go>^[ \t]*GO(?:[ \t]+\d+)?[ \t]*\r?$)")
    if dialect in ("postgres", "generic"):
        parts.append(r"(?P<dollar>\$(?:[A-Za-z_][A-Za-z_0-9]*)?\$)")
        parts.append(r"(?P<meta>^\\[a-zA-Z!?][^\n]*)")
    parts.append(rf"(?P<end>{re.escape(delimiter)})")
    flags = re.DOTALL | re.MULTILINE | (re.IGNORECASE if dialect in ("tsql", "mysql", "generic") else 0)
    return re.compile("|".join(parts), flags)


class StatementSplitter:
    """Iterate statements of one text; problems (unterminated quotes) are collected, not raised."""

    def __init__(self, text: str, dialect: str) -> None:
        self.text = text
        self.dialect = dialect
        self.problems: list[SplitProblem] = []

    def __iter__(self) -> Iterator[Statement]:
        text = self.text
        delimiter = ";"
        pattern = _token_pattern(self.dialect, delimiter)
        start = position = 0
        line = 1  # line number at `start`
        while True:
            match = pattern.search(text, position)
            if match is None:
                break
            kind = match.lastgroup
            if kind in ("single", "double", "backtick", "block_comment"):
                if match.end() == len(text) and not _closed(match.group(), kind, self.dialect == "mysql"):
                    self._unterminated(kind, line + text.count("\n", start, match.start()))
                position = match.end()
            elif kind == "dollar":
                close = text.find(match.group(), match.end())
                if close < 0:
                    self._unterminated("dollar", line + text.count("\n", start, match.start()))
                    position = len(text)
                else:
                    position = close + len(match.group())
            elif kind in ("end", "go"):
                raw, stop = text[start : match.start()], match.end()
                trailing = TRAILING_COMMENT.match(text, stop)
                if trailing:  # `…); -- pdscan: purpose=…` annotates the statement's last line
                    raw, stop = f"{raw} {trailing.group().strip()}", trailing.end()
                statement = _statement(raw, line)
                if statement is not None:
                    yield statement
                line += text.count("\n", start, stop)
                start = position = stop
                if kind == "end" and statement and COPY_FROM_STDIN.match(statement.text):
                    data_end = COPY_DATA_END.search(text, position)
                    stop = data_end.end() if data_end else len(text)
                    line += text.count("\n", start, stop)
                    start = position = stop
            elif kind in ("delimiter_command", "meta"):
                statement = _statement(text[start : match.start()], line)
                if statement is not None:
                    yield statement
                line += text.count("\n", start, match.end())
                start = position = match.end()
                if kind == "delimiter_command":
                    delimiter = match.group("new_delimiter")
                    pattern = _token_pattern(self.dialect, delimiter)
            else:  # comments, conditional-comment markers: part of the statement
                position = match.end()
        statement = _statement(text[start:], line)
        if statement is not None:
            yield statement

    def _unterminated(self, kind: str, line: int) -> None:
        what = {
            "single": "a quoted string",
            "double": 'a "quoted" identifier',
            "backtick": "a `quoted` identifier",
            "block_comment": "a /* comment */",
            "dollar": "a $$-quoted body",
        }[kind]
        self.problems.append(SplitProblem(line, f"{what} starting here is never closed"))


_BACKSLASH_ESCAPE = re.compile(r"\\.", re.DOTALL)


def _closed(token: str, kind: str, backslash_escapes: bool) -> bool:
    """Whether a token that runs to the end of the text has its closing mark. A quoted token is
    closed when its quotes pair up (`'it''s'`); ending in a quote is not enough (`'it''`, `'it\\'`)."""
    if kind == "block_comment":
        return token.endswith("*/") and len(token) >= 4
    if backslash_escapes and kind == "single":
        token = _BACKSLASH_ESCAPE.sub("", token)
    return len(token) >= 2 and token[-1] == token[0] and token.count(token[0]) % 2 == 0


_LEADING_COMMENTS = re.compile(r"(?:\s+|--[^\n]*|\#[^\n]*|/\*(?!!).*?\*/)*", re.DOTALL)


def _statement(raw: str, line: int) -> Statement | None:
    """The statement without leading comments and blanks, numbered from its first word."""
    leading = _LEADING_COMMENTS.match(raw)
    skip = leading.end() if leading else 0
    if skip >= len(raw):
        return None
    return Statement(raw[skip:], line + raw.count("\n", 0, skip))
