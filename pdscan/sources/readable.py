"""Names from what pdscan reads (field names, file names) made writable by every format.

Bytes that are not UTF-8, in a log line or in a Linux file name, reach Python as lone
surrogates, which every encoder refuses: one such name would abort the whole report. They
become U+FFFD, as undecodable bytes in values do; files are still opened by their real names.
"""

from __future__ import annotations

from pathlib import Path


def readable_name(name: str) -> str:
    """`name` with lone surrogates (undecodable bytes) replaced by U+FFFD."""
    return name if name.isascii() else name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def shown_path(path: Path | str) -> str:
    """A path as reports show it."""
    return readable_name(str(path))
