"""Which characters a trigger's match can hold inside it, read from `re`'s parse tree.

Positional logs are judged a column value at a time, the engine run once over each distinct
value with the separators around it (pdscan/sources/logs/segments.py). That finds exactly what
the engine finds in the whole line only for triggers whose matches cannot run from one column
into the next: a match that holds a separator anywhere but as its first or last character may
cross (a separator with an anchor or word boundary beyond it, `^ x` or `x \\b`, counts as
inside: that answer depends on the column beside it). Those are searched over whole lines too.

The reading is conservative: a character matched inside a repeat, or after an optional part, is
taken as possibly inside; a construct not read here (look-arounds, back-references) makes the
whole pattern a crossing one.
"""

from __future__ import annotations

from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

_ATOMS = (sre.LITERAL, sre.NOT_LITERAL, sre.ANY, sre.IN)
_SPACE = " \t\n\r\f\v"


class _Unread(Exception):
    """A construct this reading does not follow."""


def may_cross(pattern: str, separators: str) -> bool:
    """Whether a match of `pattern` may hold one of `separators` other than as its first or last
    character with nothing asserted beyond it."""
    try:
        parsed = sre_parse.parse(pattern)
        return _sequence_holds(list(parsed), separators, at_start=True, at_end=True)
    except (_Unread, Exception):  # a pattern the parser refuses is not read as safe either
        return True


def _sequence_holds(items: list[Any], separators: str, at_start: bool, at_end: bool) -> bool:
    last = len(items) - 1
    return any(
        _item_holds(op, value, separators, at_start and index == 0, at_end and index == last)
        for index, (op, value) in enumerate(items)
    )


def _item_holds(op: Any, value: Any, separators: str, first: bool, last: bool) -> bool:  # untyped parse nodes
    """Whether this node may match a separator at a place other than an unasserted end of the
    match; `first`/`last`: the node starts (ends) every match it takes part in, with nothing
    consumed or asserted before (after) it."""
    if op in _ATOMS:
        return not (first or last) and any(_atom_matches(op, value, character) for character in separators)
    if op is sre.AT:
        return False  # zero-width; it makes its neighbours inner (they are not first or last)
    if op is sre.BRANCH:
        return any(_sequence_holds(list(branch), separators, first, last) for branch in value[1])
    if op is sre.SUBPATTERN:
        return _sequence_holds(list(value[3]), separators, first, last)
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
        _, high, inner = value
        once = high <= 1  # `x?` at an end stands at that end when present
        return _sequence_holds(list(inner), separators, first and once, last and once)
    raise _Unread(str(op))


def _atom_matches(op: Any, value: Any, character: str) -> bool:
    code = ord(character)
    if op is sre.LITERAL:
        return value == code or chr(value).lower() == character.lower()
    if op is sre.NOT_LITERAL:
        return value != code
    if op is sre.ANY:
        return character != "\n"
    return _in_set(value, character)


def _in_set(items: list[Any], character: str) -> bool:
    negated = bool(items) and items[0][0] is sre.NEGATE
    found = False
    for op, value in items[1:] if negated else items:
        if op is sre.LITERAL:
            found = found or chr(value).lower() == character.lower()
        elif op is sre.RANGE:
            low, high = value
            found = found or any(
                low <= ord(variant) <= high for variant in {character, character.lower(), character.upper()}
            )
        elif op is sre.CATEGORY:
            found = found or _in_category(value, character)
        else:
            raise _Unread(str(op))
    return found != negated


def _in_category(category: Any, character: str) -> bool:
    if category is sre.CATEGORY_DIGIT:
        return character.isdigit()
    if category is sre.CATEGORY_NOT_DIGIT:
        return not character.isdigit()
    if category is sre.CATEGORY_WORD:
        return character.isalnum() or character == "_"
    if category is sre.CATEGORY_NOT_WORD:
        return not (character.isalnum() or character == "_")
    if category is sre.CATEGORY_SPACE:
        return character in _SPACE
    if category is sre.CATEGORY_NOT_SPACE:
        return character not in _SPACE
    raise _Unread(str(category))


def alternatives(pattern: str) -> list[str]:
    """The pattern's top-level alternatives as written (`a|b(c|d)|e` -> `a`, `b(c|d)`, `e`)."""
    found, depth, start, index = [], 0, 0, 0
    in_set = False
    while index < len(pattern):
        character = pattern[index]
        if character == "\\":
            index += 2
            continue
        if in_set:
            in_set = character != "]"
        elif character == "[":
            in_set = True
            if pattern.startswith(("[]", "[^]"), index):  # a `]` first in a set is itself
                index += 2 if pattern[index + 1] == "]" else 3
                continue
        elif character == "(":
            depth += 1
        elif character == ")":
            depth -= 1
        elif character == "|" and depth == 0:
            found.append(pattern[start:index])
            start = index + 1
        index += 1
    found.append(pattern[start:])
    return found
