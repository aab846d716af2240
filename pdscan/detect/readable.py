"""Names from what pdscan reads (table, column and field names, file names, object keys) as
every output shows them.

Bytes that are not UTF-8, in a log line or in a Linux file name, reach Python as lone
surrogates, which every encoder refuses: one such name would abort the whole report. They
become U+FFFD, as undecodable bytes in values do. A name may hold a personal value
(`backup_alice@example.com`, `iban_GB82…`, `user_<e-mail>.log`): it is masked, in the report,
the data map and the baseline alike, so fingerprints are made from the masked name. Files are
still opened, and tables read, by their real names.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pdscan.detect.masking import mask_name
from pdscan.detect.text_values import NAME_CACHE


def readable_name(name: str) -> str:
    """`name` with lone surrogates (undecodable bytes) replaced by U+FFFD."""
    return name if name.isascii() else name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


@lru_cache(maxsize=NAME_CACHE)
def shown_name(name: str) -> str:
    """`name` readable, and with the personal values in it masked."""
    return mask_name(readable_name(name))


def shown_path(path: Path | str) -> str:
    """A path as reports show it."""
    return shown_name(str(path))
