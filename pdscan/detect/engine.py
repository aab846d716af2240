"""The text-scanning engine: every trigger pattern over a block of raw bytes in one pass.

Logs are gigabytes; Python cannot look at every character. A compiled multi-pattern engine
finds where any pattern may match (a superset is fine: validation is exact), and only those
lines reach Python. Hyperscan is fastest; RE2 is the fallback where Hyperscan cannot load;
the standard `re` module is the last resort. `--engine` picks one for a measurement.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

ENGINE_NAMES = ("hyperscan", "re2", "re")
_LOOKAROUND = re.compile(r"\(\?<?[=!]")
_BACKREFERENCE = re.compile(r"\\[1-9]")


@dataclass(frozen=True)
class Trigger:
    """A pattern in Python `re` syntax, searched in raw bytes; a superset match is fine."""

    pattern: str
    ignore_case: bool = False


class Engine(Protocol):
    name: str

    def scan(self, block: bytes) -> list[tuple[int, int]]:
        """(end offset, trigger index) of every match in the block, in any order."""
        ...


class EngineUnavailable(Exception):
    """An engine's library is missing or refused a pattern; the next engine is tried."""


def compile_engine(triggers: Sequence[Trigger], name: str | None = None) -> Engine:
    """The fastest engine that loads and compiles every trigger (or exactly the one named)."""
    from pdscan.detect.engines import hyperscan_engine, re2_engine, re_engine

    builders = {"hyperscan": hyperscan_engine.compile, "re2": re2_engine.compile, "re": re_engine.compile}
    errors = []
    for candidate in [name] if name else ENGINE_NAMES:
        try:
            return builders[candidate](triggers)
        except EngineUnavailable as error:
            errors.append(f"{candidate}: {error}")
    raise EngineUnavailable("; ".join(errors))


def without_lookaround(pattern: str) -> str:
    """The pattern with lookaround groups removed and back-references loosened: a superset,
    for engines that support neither."""
    result = []
    index = 0
    while index < len(pattern):
        if pattern[index] == "\\":
            result.append(pattern[index : index + 2])
            index += 2
            continue
        match = _LOOKAROUND.match(pattern, index)
        if match is None:
            result.append(pattern[index])
            index += 1
            continue
        depth, index = 1, match.end()
        while index < len(pattern) and depth:
            if pattern[index] == "\\":
                index += 2
                continue
            depth += {"(": 1, ")": -1}.get(pattern[index], 0)
            index += 1
    return _BACKREFERENCE.sub(".", "".join(result))
