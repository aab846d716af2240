"""Google RE2: linear-time matching, one pass per trigger."""

from __future__ import annotations

from collections.abc import Sequence

import re2

from pdscan.detect.engine import EngineUnavailable, Event, Trigger
from pdscan.ruleset.linear_patterns import LinearPattern, UnsafePattern, compile_linear


class Re2Engine:
    name = "re2"

    def __init__(self, patterns: Sequence[LinearPattern[bytes]]) -> None:
        self._patterns = patterns

    def scan(self, block: bytes) -> list[Event]:
        return [
            (index, match.start(), match.end())
            for index, pattern in enumerate(self._patterns)
            for match in pattern.finditer(block)
        ]


def compile(triggers: Sequence[Trigger]) -> Re2Engine:
    """The bundled triggers, byte for byte (Latin-1) as Hyperscan reads them."""
    patterns = []
    for trigger in triggers:
        options = re2.Options()
        options.case_sensitive = not trigger.ignore_case
        options.encoding = re2.Options.Encoding.LATIN1
        try:
            patterns.append(re2.compile(b"(?m)" + trigger.pattern.encode("utf-8"), options))
        except re2.error as error:
            raise EngineUnavailable(f"re2 refused {trigger.pattern!r}: {error}") from None
    return Re2Engine(patterns)


def compile_users(triggers: Sequence[Trigger]) -> Re2Engine:
    """Triggers from users' rule files, compiled as their files were checked at load (UTF-8,
    RE2's memory bound), so none that loaded can be refused here: `\\p{Greek}` is Greek letters."""
    try:
        return Re2Engine([compile_linear(b"(?m)" + trigger.pattern.encode("utf-8")) for trigger in triggers])
    except UnsafePattern as error:
        raise EngineUnavailable(f"re2 refused a pattern of your rules: {error}") from None
