"""Template placeholders in migration files, read as parts of the names they stand in.

Real migration folders write schema names and table prefixes as templates that a tool fills in
before the SQL runs: Go templates (`{{ index .Options "Namespace" }}.users`), Flyway and shell
placeholders (`${schema}.users`), PHP prefixes (`%TABLE_PREFIX%staff`, `{prefix}members`, Joomla's
`#__users`, which would otherwise read as a T-SQL temporary table). The
SQL readers know none of them, so each is swapped for a plain identifier while a statement is
read and put back in every name and text of the changes read from it: `%TABLE_PREFIX%staff` is
one table whichever statement names it, and its CREATE, ALTER, COMMENT and DROP all replay.
"""

from __future__ import annotations

import dataclasses
import re
from typing import TypeVar

# One line each: a Go template, a ${name} placeholder, an upper-case %NAME%, a {name} prefix,
# Joomla's #__ prefix.
PLACEHOLDER = re.compile(r"\{\{[^{}\n]*\}\}|\$\{[A-Za-z_][\w.:-]*\}|%[A-Z][A-Z0-9_]*%|\{[A-Za-z_]\w*\}|#__(?=\w)")
_MARKER = "pdscantpl{}z"
_MARKER_FOUND = re.compile(r"pdscantpl\d+z")

Item = TypeVar("Item")


@dataclasses.dataclass(frozen=True)
class Masked:
    """A statement's text with its placeholders swapped for identifiers, and how to swap back."""

    text: str
    placeholders: dict[str, str]  # marker -> the placeholder it stands for


def mask_placeholders(text: str) -> Masked | None:
    """The text with each distinct placeholder replaced by a marker; None when it has none."""
    if not PLACEHOLDER.search(text):
        return None
    markers: dict[str, str] = {}

    def marker(match: re.Match[str]) -> str:
        placeholder = match.group()
        if placeholder not in markers:
            markers[placeholder] = _MARKER.format(len(markers))
        return markers[placeholder]

    masked = PLACEHOLDER.sub(marker, text)
    return Masked(masked, {value: key for key, value in markers.items()})


def restore(item: Item, placeholders: dict[str, str]) -> Item:
    """`item` (a change, a tuple of them, a name) with every marker put back as written."""
    if isinstance(item, str):
        return _MARKER_FOUND.sub(lambda match: placeholders.get(match.group(), match.group()), item)  # type: ignore[return-value]
    if isinstance(item, tuple):
        return tuple(restore(part, placeholders) for part in item)  # type: ignore[return-value]
    if dataclasses.is_dataclass(item) and not isinstance(item, type):
        changed = {field.name: restore(getattr(item, field.name), placeholders) for field in dataclasses.fields(item)}
        return dataclasses.replace(item, **changed)
    return item
