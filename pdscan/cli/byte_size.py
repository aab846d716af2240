"""Sizes as a command line writes them (`64M`, `512k`, `1G`, `1048576`): a click type.

Suffixes count in powers of 1024, as `sort -S` and `split -b` read them; `B`, `iB` after the
letter change nothing (`64MB` = `64MiB` = `64M`). A size must be a whole positive number of bytes.
"""

from __future__ import annotations

import re

import click

UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}
_SIZE = re.compile(r"(\d+)\s*([kmgt]?)(?:i?b)?", re.IGNORECASE)


def parse_size(text: str) -> int | None:
    """Bytes in `text`, or None when it is not a size of at least one byte."""
    match = _SIZE.fullmatch(text.strip())
    if match is None:
        return None
    count = int(match.group(1)) * UNITS[match.group(2).lower()]
    return count or None


class ByteSize(click.ParamType):
    name = "size"

    def convert(self, value: object, parameter: click.Parameter | None, context: click.Context | None) -> int:
        if isinstance(value, int) and value > 0:
            return value
        size = parse_size(str(value))
        if size is None:
            self.fail(
                f"{value!r} is not a size: a positive number of bytes, or with K, M, G or T (64M)",
                parameter,
                context,
            )
        return size
