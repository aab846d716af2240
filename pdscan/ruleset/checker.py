"""Reading a hand-written YAML file (rules, log rules, taxonomy, policy, data map): every mistake
collected, each at file:line:column, and reported at once, so one run shows a person every
mistake in the file.

Every reader builds on `Checker`: it says what a mapping may and must hold and what a value must
be, and the checker words the problems the same way for every file (`unknown key 'x' in <what>
(expected: …)`).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any

from pdscan.ruleset.suggestions import did_you_mean
from pdscan.ruleset.yaml_lines import Marked, Problem, ProblemsError, YamlError, load_marked_text, read_user_bytes


class PolicyError(ProblemsError):
    """Every problem found in a policy or taxonomy file."""


def read_user_file(path: Path, what: str) -> bytes:
    try:
        return read_user_bytes(path)
    except OSError as error:
        reason = error.strerror or str(error)
        raise PolicyError((Problem(str(path), 1, 1, f"cannot read the {what}: {reason}"),)) from None


def parse_user_yaml(raw: bytes, display: str) -> Marked:
    try:
        return load_marked_text(raw.decode("utf-8"), display)
    except UnicodeDecodeError:
        raise PolicyError((Problem(display, 1, 1, "not UTF-8 text: save the file as UTF-8"),)) from None
    except YamlError as error:
        raise PolicyError(error.problems) from None


class Checker:
    """Collects problems while walking a marked document, so all of them are reported together."""

    def __init__(self, marked: Marked, error: type[ProblemsError] = PolicyError) -> None:
        self.marked = marked
        self.error = error  # what the reader's callers catch (PolicyError, DeclarationError)
        self.problems: list[Problem] = []

    def fail(self, container: Any, message: str, entry: Any = None, on_key: bool = False) -> None:
        """A problem at `container`, or at its entry (a dict key's value, the key itself, a list index)."""
        self.problems.append(self.marked.problem(container, message, entry, on_key))

    def raise_if_any(self) -> None:
        """Every problem found, in the order of the file."""
        if self.problems:
            ordered = sorted(set(self.problems), key=lambda p: (p.line, p.column, p.message))
            raise self.error(tuple(ordered))

    def unknown_keys(self, fields: dict[Any, Any], allowed: Collection[str], what: str) -> None:
        """A problem at each key of `fields` that is not `allowed`, listing what is."""
        for unknown in sorted((key for key in fields if key not in allowed), key=str):
            expected = ", ".join(sorted(allowed))
            self.fail(fields, f"unknown key '{unknown}' in {what} (expected: {expected})", unknown, on_key=True)

    def mapping(
        self,
        value: Any,
        parent: Any,
        key: Any,
        what: str,
        allowed: set[str] | None,
        required: set[str] | None = None,
    ) -> dict[Any, Any] | None:
        """`value` if it is a mapping with only `allowed` keys (None: any); problems for anything else."""
        if not isinstance(value, dict):
            if value is None and isinstance(parent, dict) and key not in parent:
                return None  # the missing key is reported by the parent
            target = parent if parent is not None else value
            self.fail(target, f"{what} must be a mapping", key)
            return None
        for missing in sorted((required or set()) - set(value)):
            self.fail(value, f"{what} is missing '{missing}'")
        if allowed is not None:
            self.unknown_keys(value, allowed, what)
        return value

    def sequence(self, fields: dict[Any, Any], key: str) -> list[Any]:
        value = fields.get(key)
        if key in fields and not isinstance(value, list):
            self.fail(fields, f"'{key}' must be a list", key)
        return value if isinstance(value, list) else []

    def text(self, fields: dict[Any, Any], key: str, required: bool = True, accept_date: bool = False) -> str | None:
        """A non-empty string at `key` (a missing required key was already reported by `mapping`)."""
        if key not in fields:
            return None
        value = fields[key]
        if accept_date and isinstance(value, datetime.date):
            return value.isoformat()
        if not isinstance(value, str) or not value.strip():
            self.fail(fields, f"'{key}' must be a non-empty text" + ("" if required else " (or left out)"), key)
            return None
        return value

    def matching(self, fields: dict[Any, Any], key: str, pattern: re.Pattern[str], example: str) -> str | None:
        value = fields.get(key)
        if key not in fields:
            return None
        if not isinstance(value, str) or not pattern.fullmatch(value):
            self.fail(fields, f"'{key}' must be {example}, not {value!r}", key)
            return None
        return value

    def titles(self, fields: dict[Any, Any]) -> tuple[str, str] | None:
        if "title" not in fields:
            return None
        title = fields["title"]
        if not isinstance(title, dict):
            self.fail(fields, "'title' must be a mapping with an English and a Russian text: {en: …, ru: …}", "title")
            return None
        self.unknown_keys(title, ("en", "ru"), "'title'")
        texts = []
        for language in ("en", "ru"):
            if language not in title:
                self.fail(title, f"'title' is missing '{language}'")
            texts.append(self.text(title, language))
        if texts[0] is None or texts[1] is None:
            return None
        return texts[0], texts[1]

    def strings(
        self,
        fields: dict[Any, Any],
        key: str,
        valid: Callable[[str], bool],
        complaint: str,
        known: Collection[str] = (),
    ) -> tuple[str, ...] | None:
        """The texts listed under `key`; each invalid one is a problem naming the closest of `known`."""
        if key not in fields:
            return None
        values = fields[key]
        if not isinstance(values, list):
            self.fail(fields, f"'{key}' must be a list (write [] for none)", key)
            return None
        good: list[str] = []
        for index, value in enumerate(values):
            if not isinstance(value, str):
                self.fail(values, f"'{key}' entries must be text, not {value!r}", index)
            elif not valid(value):
                self.fail(values, f"'{value}' {complaint}{did_you_mean(value, known)}", index)
            elif value in good:
                self.fail(values, f"'{value}' is listed twice", index)
            else:
                good.append(value)
        return tuple(good)

    def unique_ids(self, entries: list[Any], what: str) -> set[str]:
        seen: set[str] = set()
        for index, entry in enumerate(entries):
            identifier = entry.get("id") if isinstance(entry, dict) else None
            if not isinstance(identifier, str):
                continue
            if identifier in seen:
                self.fail(entries, f"duplicate {what} id '{identifier}'", index)
            seen.add(identifier)
        return seen
