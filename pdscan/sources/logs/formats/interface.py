"""What every log format provides: the fields of a line, with their names and spans."""

from __future__ import annotations

from typing import Protocol

from pdscan.model import Field


class LogFormat(Protocol):
    name: str
    # Personal data sits in fields known by position or header (the client address of an access
    # log): every line is read, not only lines where a pattern fired.
    positional: bool
    # Header lines inside a file change how the lines after them read: a range cut from the
    # file must start with those before it.
    has_headers: bool
    # Lines write backslash escapes (`\n` in a JSON string, Apache's `\t`): their letters are
    # blanked for detection (pdscan.detect.escapes). IIS writes none: `SHOP\bob` is an account.
    escapes: bool

    def fields(self, line: str) -> list[Field] | None:
        """The fields of a line, or None when the line is not written in this format."""
        ...

    def header(self, line: str) -> bool:
        """Take a header line (`#Fields: …`); True when it was one and changes the fields."""
        ...

    @staticmethod
    def is_header(line: str) -> bool:
        """Whether a line is a header that identifies this format."""
        ...


class WithoutHeader:
    """For formats that no header line names or changes."""

    has_headers = False
    escapes = True

    def header(self, line: str) -> bool:
        return False

    @staticmethod
    def is_header(line: str) -> bool:
        return False
