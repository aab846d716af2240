"""A rule's `not_after`, asked of the text before a value, read backwards from the value.

`not_after` says what may not end right before a value (`Firefox/` before `2.0.0.4`): a
pattern anchored at the end of that text. Python's `re` has no backward search, so `search`
tries every start in the text, 10-15 µs on 32 characters, paid for each address in a W3C or
Zeek line. The same pattern reversed (sequences back to front, `^` and `$` swapped) matched at
the start of the reversed text finds the same thing at once. Patterns this cannot reverse
(look-arounds, back-references, local flags, possessive or atomic groups) keep `search`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

from pdscan.ruleset.linear_patterns import compile_rule_pattern

_CATEGORIES = {
    sre.CATEGORY_DIGIT: r"\d",
    sre.CATEGORY_NOT_DIGIT: r"\D",
    sre.CATEGORY_WORD: r"\w",
    sre.CATEGORY_NOT_WORD: r"\W",
    sre.CATEGORY_SPACE: r"\s",
    sre.CATEGORY_NOT_SPACE: r"\S",
}
# Anchors seen from the other end of the text.
_ANCHORS = {
    sre.AT_BEGINNING: r"\Z",
    sre.AT_BEGINNING_STRING: r"\Z",
    sre.AT_END: r"\A",
    sre.AT_END_STRING: r"\A",
    sre.AT_BOUNDARY: r"\b",
    sre.AT_NON_BOUNDARY: r"\B",
}
_GLOBAL_FLAGS = {re.IGNORECASE: "i", re.DOTALL: "s", re.ASCII: "a"}
_FLAGS_SET = re.compile(r"^\(\?[a-z]+\)")  # `(?i)` before a pattern


class _Unreversible(Exception):
    """A construct whose reversal is not a plain regular expression."""


def ends_with(pattern: str, linear_only: bool) -> Callable[[str], bool]:
    """Whether a text holds a match of `pattern` (in practice: ends with one, `$`-anchored).
    A user's pattern (RE2, linear time already) is searched as it is."""
    if not linear_only:
        try:
            backwards = re.compile(reversed_pattern(pattern))
        except (_Unreversible, re.error):
            pass
        else:
            if _FLAGS_SET.sub("", backwards.pattern, count=1).startswith(r"\A"):  # anchored: one place to try
                return lambda text: backwards.match(text[::-1]) is not None
            return lambda text: backwards.search(text[::-1]) is not None
    forwards = compile_rule_pattern(pattern, linear_only)
    return lambda text: forwards.search(text) is not None


def reversed_pattern(pattern: str) -> str:
    """A pattern matching exactly the reversals of what `pattern` matches (anchors swapped), or
    _Unreversible. Multiline `^`/`$` are not reversed: the text before a value is one line."""
    parsed = sre_parse.parse(pattern)
    flags = parsed.state.flags
    if flags & re.MULTILINE or flags & re.VERBOSE:
        raise _Unreversible("multiline or verbose")
    letters = "".join(letter for flag, letter in _GLOBAL_FLAGS.items() if flags & flag)
    body = _sequence(list(parsed))
    return f"(?{letters}){body}" if letters else body


def _sequence(items: list[Any]) -> str:
    return "".join(_item(op, value) for op, value in reversed(items))


def _item(op: Any, value: Any) -> str:  # the parser's nodes are untyped
    if op is sre.LITERAL:
        return re.escape(chr(value))
    if op is sre.NOT_LITERAL:
        return f"[^{re.escape(chr(value))}]"
    if op is sre.ANY:
        return "."
    if op is sre.IN:
        return _set(value)
    if op is sre.AT:
        return _ANCHORS[value]
    if op is sre.BRANCH:
        return "(?:" + "|".join(_sequence(list(branch)) for branch in value[1]) + ")"
    if op is sre.SUBPATTERN:
        _, add_flags, del_flags, inner = value
        if add_flags or del_flags:
            raise _Unreversible("local flags")
        return f"(?:{_sequence(list(inner))})"
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
        low, high, inner = value
        upper = "" if high == sre.MAXREPEAT else str(high)
        return f"(?:{_sequence(list(inner))}){{{low},{upper}}}"  # lazy or greedy: the same texts match
    raise _Unreversible(str(op))


def _set(items: list[Any]) -> str:
    parts = []
    for op, value in items:
        if op is sre.NEGATE:
            parts.append("^")
        elif op is sre.LITERAL:
            parts.append(re.escape(chr(value)))
        elif op is sre.RANGE:
            parts.append(f"{re.escape(chr(value[0]))}-{re.escape(chr(value[1]))}")
        elif op is sre.CATEGORY:
            parts.append(_CATEGORIES[value])
        else:
            raise _Unreversible(str(op))
    return "[" + "".join(parts) + "]"
