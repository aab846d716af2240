"""Log formats: how one line splits into fields, and which format a file is written in.

Each format is a module with one class; `detect_format` picks one per file from its first
lines (`--log-format` overrides). A line that does not fit its file's format is read as plain
text, so a mixed file (docker-compose output, a stack trace in a JSON log) loses nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from pdscan.sources.logs.formats.access import AccessLog
from pdscan.sources.logs.formats.interface import LogFormat
from pdscan.sources.logs.formats.json_lines import JsonLines
from pdscan.sources.logs.formats.logfmt import Logfmt
from pdscan.sources.logs.formats.plain import PlainText
from pdscan.sources.logs.formats.syslog import Syslog
from pdscan.sources.logs.formats.w3c import W3cExtended
from pdscan.sources.logs.formats.zeek import ZeekTsv

FORMATS: dict[str, type[LogFormat]] = {
    "json": JsonLines,
    "logfmt": Logfmt,
    "access": AccessLog,
    "w3c": W3cExtended,
    "zeek": ZeekTsv,
    "syslog": Syslog,
    "plain": PlainText,
}
# Formats known by a header line, then formats known by most lines fitting them.
_BY_HEADER = ("w3c", "zeek")
_BY_LINES = ("json", "access", "syslog", "logfmt")
MAJORITY = 0.6
SAMPLE_LINES = 200

__all__ = ["FORMATS", "SAMPLE_LINES", "LogFormat", "detect_format", "new_format"]


def new_format(name: str, head: Sequence[str] = ()) -> LogFormat:
    """A fresh parser of the named format, primed with the header lines found in `head`."""
    log_format = FORMATS[name]()
    for line in head:
        if line.startswith("#"):
            log_format.header(line)
    return log_format


def detect_format(head: Sequence[str]) -> str:
    """The format most of the first lines are written in; `plain` when none fits most."""
    lines = [line for line in head[:SAMPLE_LINES] if line.strip()]
    if not lines:
        return "plain"
    for name in _BY_HEADER:
        if any(FORMATS[name].is_header(line) for line in lines[:20]):
            return name
    best, best_share = "plain", 0.0
    for name in _BY_LINES:
        parser = FORMATS[name]()
        share = sum(1 for line in lines if parser.fields(line) is not None) / len(lines)
        if share > best_share:
            best, best_share = name, share
    return best if best_share >= MAJORITY else "plain"
