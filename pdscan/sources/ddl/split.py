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

from pdscan.model import SentenceValue
from pdscan.sentences import phrase

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
    message: str  # a sentence's key in rules/labels.yaml
    values: tuple[tuple[str, SentenceValue], ...]


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


# Tokens that run until their closing mark, and how a problem names each.
QUOTE_KINDS = ("single", "double", "backtick", "block_comment", "dollar")  # named by `quote.*` in labels.yaml
MAX_RESYNCS = 10  # quotes taken for stray in one text; after that the rest is read as written


@dataclass(frozen=True)
class _Quote:
    """A quoted token that swallows a statement start, or runs to the end of the text.

    `kind` tells quotes that pair with each other apart (`'`, `"`, each `$tag$`); `statement` and
    `walk_line` are where the statement holding the quote starts (what reading it again needs),
    `resume` the first statement start inside the token (-1: none), read from with `delimiter`.
    """

    kind: str
    what: str  # its key in rules/labels.yaml: `quote.single`…
    opened: int
    line: int
    closed: bool
    statement: int
    walk_line: int
    statement_line: int
    resume: int
    resume_line: int
    delimiter: str


class StatementSplitter:
    """Iterate statements of one text; problems (unterminated quotes) are collected, not raised.

    A quote that never closes swallows every statement after it. When the text ends inside a
    quote, one quote of that kind is stray: the first that swallowed a statement start (a line
    starting CREATE, ALTER, COMMENT or DROP after a line ending in `;`, or after `GO` in
    T-SQL), or else the one left open. Its statement, up to that statement start, is skipped as
    a problem naming the lines, and reading resumes there. A text whose quotes all close is read
    as written: a comment or string holding `;` and `CREATE …` lines is legitimate.
    """

    def __init__(self, text: str, dialect: str) -> None:
        self.text = text
        self.dialect = dialect
        self.problems: list[SplitProblem] = []

    def __iter__(self) -> Iterator[Statement]:
        start, line, delimiter = 0, 1, ";"
        for resyncs in range(MAX_RESYNCS + 1):
            stray: int | None = None
            checked = False  # whether the rest of the text was read for a stray quote
            restart = None
            for item in self._walk(start, line, delimiter):
                if isinstance(item, Statement):
                    yield item
                    continue
                if item.resume >= 0 and resyncs < MAX_RESYNCS:
                    if item.closed and not checked:
                        stray, checked = self._stray_quote(item), True
                    if not item.closed or item.opened == stray:
                        restart = item
                        break
                if not item.closed:
                    quote = (("quote", phrase(item.what)),)
                    self.problems.append(SplitProblem(item.line, "skipped.quote_never_closed", quote))
            if restart is None:
                return
            first, last = restart.statement_line, restart.resume_line - 1
            said = (("quote", phrase(restart.what)), ("line", restart.line), ("first", first), ("last", last))
            message = "skipped.quote_stray_line" if first == last else "skipped.quote_stray_lines"
            self.problems.append(SplitProblem(first, message, (*said, ("resume", restart.resume_line))))
            start, line, delimiter = restart.resume, restart.resume_line, restart.delimiter

    def _stray_quote(self, first: _Quote) -> int | None:
        """Where the stray quote opens when the text ends inside a quote of some kind; None
        when every quote from `first` on closes."""
        swallowing: dict[str, int] = {}
        for item in self._walk(first.statement, first.walk_line, first.delimiter):
            if not isinstance(item, _Quote):
                continue
            if item.closed:
                if item.resume >= 0:
                    swallowing.setdefault(item.kind, item.opened)
                continue
            return swallowing.get(item.kind, item.opened if item.resume >= 0 else None)
        return None

    def _walk(self, start: int, line: int, delimiter: str) -> Iterator[Statement | _Quote]:
        """Statements from `start` (on `line`), and the quotes that may be stray."""
        text = self.text
        pattern = _token_pattern(self.dialect, delimiter)
        position = start
        lines = _LineCounter(text, start, line)
        statement_line = None  # where the statement holding a quote starts, once one is met
        while True:
            match = pattern.search(text, position)
            if match is None:
                break
            kind = match.lastgroup
            if kind in QUOTE_KINDS:
                opened = match.start()
                if kind == "dollar":
                    close = text.find(match.group(), match.end())
                    closed = close >= 0
                    position = close + len(match.group()) if closed else len(text)
                else:
                    position = match.end()
                    closed = position < len(text) or _closed(match.group(), kind, self.dialect == "mysql")
                resume = None
                if text.find("\n", opened, position) >= 0:
                    resume = _resume_pattern(self.dialect, delimiter).search(text, opened, position)
                if resume is not None or not closed:
                    if statement_line is None:
                        leading = _LEADING_COMMENTS.match(text, start, opened)
                        statement_line = lines.at(leading.end() if leading else start)
                    yield _Quote(
                        match.group() if kind == "dollar" else kind,
                        f"quote.{kind}",
                        opened,
                        lines.at(opened),
                        closed,
                        start,
                        line,
                        statement_line,
                        resume.end() if resume else -1,
                        lines.at(resume.end()) if resume else 0,
                        delimiter,
                    )
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
                lines, statement_line = _LineCounter(text, start, line), None
            elif kind in ("delimiter_command", "meta"):
                statement = _statement(text[start : match.start()], line)
                if statement is not None:
                    yield statement
                line += text.count("\n", start, match.end())
                start = position = match.end()
                lines, statement_line = _LineCounter(text, start, line), None
                if kind == "delimiter_command":
                    delimiter = match.group("new_delimiter")
                    pattern = _token_pattern(self.dialect, delimiter)
            else:  # comments, conditional-comment markers: part of the statement
                position = match.end()
        statement = _statement(text[start:], line)
        if statement is not None:
            yield statement


class _LineCounter:
    """Line numbers of increasing offsets in one statement, each newline counted once (a
    statement with many quotes in it would otherwise be counted again for each)."""

    def __init__(self, text: str, offset: int, line: int) -> None:
        self.text, self.offset, self.line = text, offset, line

    def at(self, offset: int) -> int:
        self.line += self.text.count("\n", self.offset, offset)
        self.offset = offset
        return self.line


@lru_cache(maxsize=32)
def _resume_pattern(dialect: str, delimiter: str) -> re.Pattern[str]:
    """A statement start to resume reading at: a line starting CREATE, ALTER, COMMENT or DROP
    after a line that ends a statement (blank and `--` lines between); its match ends at the word."""
    ends = [re.escape(delimiter)] + ([";"] if delimiter != ";" else [])
    end_line = rf"(?:{'|'.join(ends)})[ \t]*(?:--[^\n]*)?\r?\n"
    if dialect in ("tsql", "generic"):
        end_line = rf"(?:{end_line}|^[ \t]*GO(?:[ \t]+\d+)?[ \t]*\r?\n)"
    return re.compile(
        rf"{end_line}(?:[ \t]*(?:--[^\n]*)?\r?\n)*+[ \t]*(?=(?:CREATE|ALTER|COMMENT|DROP)\b)",
        re.IGNORECASE | re.MULTILINE,
    )


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
