"""The standard library's `re`, one pass per trigger: always available, slowest."""

from __future__ import annotations

import re
from collections.abc import Sequence

from pdscan.detect.engine import EngineUnavailable, Event, Trigger


class ReEngine:
    name = "re"

    def __init__(self, triggers: Sequence[Trigger]) -> None:
        try:
            self._patterns = [
                re.compile(
                    trigger.pattern.encode("utf-8"), re.MULTILINE | (re.IGNORECASE if trigger.ignore_case else 0)
                )
                for trigger in triggers
            ]
        except re.error as error:
            raise EngineUnavailable(f"a trigger does not compile: {error}") from None

    def scan(self, block: bytes) -> list[Event]:
        return [
            (index, match.start(), match.end())
            for index, pattern in enumerate(self._patterns)
            for match in pattern.finditer(block)
        ]


def compile(triggers: Sequence[Trigger]) -> ReEngine:
    return ReEngine(triggers)
