"""Patterns from users' rule files run on RE2, whose matching time is linear in the text.

A backtracking engine (Python's `re`) can take exponential time on a pattern like `(a+)+$`
over a line of `a`s: one careless rule would hang every scan of every log. RE2 guarantees
linear time by refusing what needs backtracking (look-around, back-references); such a
pattern is rejected with the reason before anything is read. The bundled rules are reviewed
and tested (tests/unit/test_properties.py) and keep the look-behinds of `re`'s syntax.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import AnyStr, Protocol, TypeVar

import re2

MAX_PROGRAM_MEMORY = 8 << 20  # bytes RE2 may spend on one pattern; a bigger one is refused, not built
_NEEDS_BACKTRACKING = {
    "(?=": "a look-ahead `(?=`",
    "(?!": "a negative look-ahead `(?!`",
    "(?<=": "a look-behind `(?<=`",
    "(?<!": "a negative look-behind `(?<!`",
}


class UnsafePattern(ValueError):
    """A user's pattern that RE2 cannot run in linear time, with the reason in words."""


_MatchedText = TypeVar("_MatchedText", str, bytes, covariant=True)  # a match only hands its text out


class LinearMatch(Protocol[_MatchedText]):
    def start(self) -> int: ...
    def end(self) -> int: ...
    def span(self) -> tuple[int, int]: ...
    def group(self) -> _MatchedText: ...


class LinearPattern(Protocol[AnyStr]):
    """What pdscan calls on a compiled pattern: the subset `re` and RE2 share."""

    def search(self, text: AnyStr, pos: int = ..., endpos: int = ...) -> LinearMatch[AnyStr] | None: ...
    def finditer(self, text: AnyStr, pos: int = ..., endpos: int = ...) -> Iterator[LinearMatch[AnyStr]]: ...


def compile_rule_pattern(pattern: AnyStr, linear_only: bool) -> LinearPattern[AnyStr]:
    """A bundled rule's pattern on `re` (it may look behind); a user's on RE2."""
    return compile_linear(pattern) if linear_only else re.compile(pattern)


def compile_linear(pattern: AnyStr) -> LinearPattern[AnyStr]:
    """`pattern` compiled by RE2 (bytes patterns search raw bytes as UTF-8), or UnsafePattern."""
    options = re2.Options()
    options.log_errors = False  # RE2 would print its own copy of the error on stderr
    options.max_mem = MAX_PROGRAM_MEMORY
    try:
        compiled: LinearPattern[AnyStr] = re2.compile(pattern, options)
    except re2.error as error:
        raise UnsafePattern(_reason(pattern, error)) from None
    return compiled


def _reason(pattern: str | bytes, error: re2.error) -> str:
    text = pattern.decode("utf-8", "replace") if isinstance(pattern, bytes) else pattern
    detail = error.args[0].decode("utf-8", "replace") if error.args and isinstance(error.args[0], bytes) else str(error)
    for marker, construct in _NEEDS_BACKTRACKING.items():
        if marker in text:
            return (
                f"it uses {construct}, which needs a backtracking engine; pdscan runs your patterns on RE2, "
                "which takes time linear in the text but has no look-around: match the surrounding "
                "characters instead, or use `not_after` for text that must not come before a value"
            )
    if "invalid escape sequence: \\" in detail and detail.rstrip()[-1:].isdigit():
        return (
            f"it uses a back-reference ({detail.rsplit(': ', 1)[-1]}), which needs a backtracking engine; "
            "pdscan runs your patterns on RE2, which takes time linear in the text: spell the repeated text out"
        )
    if "pattern too large" in detail or "repetition size" in detail:
        return f"it is too large for a linear-time engine ({detail}): use smaller repetition counts"
    return f"it is not a pattern RE2 can run in linear time: {detail}"
