"""Google RE2: linear-time matching, one pass per trigger."""

from __future__ import annotations

from collections.abc import Sequence

from pdscan.detect.engine import EngineUnavailable, Event, Trigger


class Re2Engine:
    name = "re2"

    def __init__(self, triggers: Sequence[Trigger]) -> None:
        try:
            import re2
        except ImportError as error:
            raise EngineUnavailable(f"the re2 module cannot be loaded ({error})") from None
        self._patterns = []
        for trigger in triggers:
            options = re2.Options()
            options.case_sensitive = not trigger.ignore_case
            options.encoding = re2.Options.Encoding.LATIN1
            try:
                self._patterns.append(re2.compile(b"(?m)" + trigger.pattern.encode("utf-8"), options))
            except re2.error as error:
                raise EngineUnavailable(f"re2 refused {trigger.pattern!r}: {error}") from None

    def scan(self, block: bytes) -> list[Event]:
        return [
            (index, match.start(), match.end())
            for index, pattern in enumerate(self._patterns)
            for match in pattern.finditer(block)
        ]


def compile(triggers: Sequence[Trigger]) -> Re2Engine:
    return Re2Engine(triggers)
