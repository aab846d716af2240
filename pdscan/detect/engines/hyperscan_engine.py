"""Hyperscan in block mode: all triggers in one pass, each match with its leftmost start."""

from __future__ import annotations

import threading
from collections.abc import Sequence

from pdscan.detect.engine import EngineUnavailable, Event, Trigger


class HyperscanEngine:
    name = "hyperscan"

    def __init__(self, triggers: Sequence[Trigger]) -> None:
        try:
            import hyperscan
        except ImportError as error:
            raise EngineUnavailable(f"the hyperscan module cannot be loaded ({error})") from None
        flags = [
            hyperscan.HS_FLAG_SOM_LEFTMOST
            | hyperscan.HS_FLAG_MULTILINE
            | (hyperscan.HS_FLAG_CASELESS if trigger.ignore_case else 0)
            for trigger in triggers
        ]
        self._hyperscan = hyperscan
        self._thread = threading.local()
        self._database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
        try:
            self._database.compile(
                expressions=[trigger.pattern.encode("utf-8") for trigger in triggers],
                ids=list(range(len(triggers))),
                elements=len(triggers),
                flags=flags,
            )
        except hyperscan.error as error:
            raise EngineUnavailable(f"hyperscan refused a pattern: {error}") from None

    def scan(self, block: bytes) -> list[Event]:
        hits: list[Event] = []
        append = hits.append

        def on_match(trigger: int, start: int, end: int, flags: int, context: object) -> None:
            append((trigger, start, end))

        scratch = getattr(self._thread, "scratch", None)
        if scratch is None:  # Hyperscan's scratch space serves one scan at a time: one per thread
            scratch = self._thread.scratch = self._hyperscan.Scratch(self._database)
        self._database.scan(block, match_event_handler=on_match, scratch=scratch)
        return hits


def compile(triggers: Sequence[Trigger]) -> HyperscanEngine:
    return HyperscanEngine(triggers)
