"""Hyperscan in block mode: all triggers in one pass, each match with its leftmost start.

The compiled database is kept between runs (`hyperscan_cache`): compiling is most of a short
scan's start."""

from __future__ import annotations

import threading
from collections.abc import Sequence

from pdscan.detect.engine import EngineUnavailable, Event, Trigger
from pdscan.detect.engines.hyperscan_cache import cached_database, entry_name


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
        expressions = [trigger.pattern.encode("utf-8") for trigger in triggers]

        def compiled() -> hyperscan.Database:
            database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
            database.compile(
                expressions=expressions, ids=list(range(len(triggers))), elements=len(triggers), flags=flags
            )
            return database

        def loaded(serialized: bytes) -> hyperscan.Database | None:
            try:
                database = hyperscan.loadb(serialized, hyperscan.HS_MODE_BLOCK)
                hyperscan.Scratch(database)  # refuses a database built for another processor
            except hyperscan.error:
                return None
            return database

        self._hyperscan = hyperscan
        self._thread = threading.local()
        try:
            version = hyperscan.__version__  # type: ignore[attr-defined]  # the stubs omit it; the module has it
            self._database = cached_database(entry_name(version, expressions, flags), compiled, hyperscan.dumpb, loaded)
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
