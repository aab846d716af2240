"""The text-scanning engine: every trigger pattern over a block of raw bytes in one pass.

Logs are gigabytes; Python cannot look at every character. A compiled multi-pattern engine
finds the spans where a rule may match, and only those spans reach Python, where the rule's
exact pattern and validator decide. Hyperscan is fastest; RE2 is the fallback where
Hyperscan cannot load; the standard `re` module is the last resort. `--text-engine` picks one.

Patterns from users' rule files never reach Hyperscan or `re`: they run on RE2 beside the
chosen engine, as their files were checked at load. The Hyperscan library in the `hyperscan`
wheel (5.4.12) writes the scanned bytes over its own stack for a pattern as plain as `a+!` with
leftmost starts (a segmentation fault on any block of 300 bytes or more, whatever it holds), and
refuses others (`(.*a){20}`, long alternations) only once a scan has started; RE2 runs what
it compiled in linear time and bounded memory.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

ENGINE_NAMES = ("hyperscan", "re2", "re")
_LOOKAROUND = re.compile(r"\(\?<?[=!]")
_BACKREFERENCE = re.compile(r"\\[1-9]")


@dataclass(frozen=True)
class Trigger:
    """A pattern searched in raw bytes, in the syntax all engines share: no lookaround, no
    back-references. It may match more than the rule it triggers (validation is exact) and
    should end on a delimiter, so each candidate is reported once."""

    pattern: str
    ignore_case: bool = False
    linear_only: bool = False  # from a user's rule: run on RE2 whatever the engine chosen


# (trigger index, start, end): a match of a trigger, byte offsets in the scanned block.
Event = tuple[int, int, int]


class Engine(Protocol):
    name: str

    def scan(self, block: bytes) -> list[Event]:
        """Every match of every trigger in the block, in any order."""
        ...


class EngineUnavailable(Exception):
    """An engine's library is missing or refused a pattern; the next engine is tried."""


def compile_engine(triggers: Sequence[Trigger], name: str | None = None) -> Engine:
    """The fastest engine that loads and compiles every bundled trigger (or exactly the one
    named), with the triggers of users' rules on RE2 beside it."""
    from pdscan.detect.engines import hyperscan_engine, re2_engine, re_engine

    bundled = [index for index, trigger in enumerate(triggers) if not trigger.linear_only]
    users = [index for index, trigger in enumerate(triggers) if trigger.linear_only]
    if triggers and not bundled:  # a user's rule checked alone against its examples
        return re2_engine.compile_users(triggers)
    builders: dict[str, Callable[[list[Trigger]], Engine]] = {
        "hyperscan": hyperscan_engine.compile,
        "re2": re2_engine.compile,
        "re": re_engine.compile,
    }
    errors = []
    for candidate in [name] if name else ENGINE_NAMES:
        try:
            engine = builders[candidate]([triggers[index] for index in bundled])
            break
        except EngineUnavailable as error:
            errors.append(f"{candidate}: {error}")
    else:
        raise EngineUnavailable("; ".join(errors))
    if not users:
        return engine
    return _BesideUsers(engine, bundled, re2_engine.compile_users([triggers[index] for index in users]), users)


class _BesideUsers:
    """The bundled triggers on one engine and the users' on another, numbered as given."""

    def __init__(self, bundled: Engine, bundled_ids: list[int], users: Engine, user_ids: list[int]) -> None:
        self.name = bundled.name
        self._parts = ((bundled, bundled_ids), (users, user_ids))

    def scan(self, block: bytes) -> list[Event]:
        return [(ids[trigger], start, end) for engine, ids in self._parts for trigger, start, end in engine.scan(block)]


class RuleWithTrigger(Protocol):
    @property
    def pattern(self) -> str: ...
    @property
    def trigger(self) -> str | None: ...
    @property
    def linear_only(self) -> bool: ...


def trigger_of(rule: RuleWithTrigger) -> Trigger:
    """What the engine searches for a rule: its own trigger, else its pattern without lookaround."""
    return Trigger(rule.trigger or without_lookaround(rule.pattern), linear_only=rule.linear_only)


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
