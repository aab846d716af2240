"""Compiled Hyperscan databases kept between runs, in the user's cache directory.

Compiling every trigger takes about 80 ms, a fifth of a short scan and a serial step before
`--jobs` can help; loading the compiled database takes 0.1 ms. A cache entry is named by a
digest of everything that shaped it (library version, machine, patterns, flags), so a changed
rule or an upgraded wheel makes a new entry rather than a wrong one. The cache is a courtesy:
a directory that cannot be written, an entry that is corrupt, truncated or not the user's own,
all mean compiling as before, never an error.
"""

from __future__ import annotations

import hashlib
import os
import platform
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

CACHE_ENV = "PDSCAN_CACHE_DIR"  # a directory, or "off" to compile every time
DIGEST = hashlib.sha256
DIGEST_SIZE = DIGEST().digest_size


def cache_directory() -> Path | None:
    """`$PDSCAN_CACHE_DIR`, else `$XDG_CACHE_HOME/pdscan`, else `~/.cache/pdscan`; None when off."""
    chosen = os.environ.get(CACHE_ENV)
    if chosen is not None:
        return None if chosen.strip().lower() in ("", "off", "0", "no") else Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "pdscan"


def entry_name(library_version: str, expressions: Sequence[bytes], flags: Sequence[int]) -> str:
    shaping = DIGEST()
    for part in (library_version, platform.machine(), platform.python_implementation()):
        shaping.update(part.encode("utf-8") + b"\0")
    for expression, flag in zip(expressions, flags, strict=True):
        shaping.update(len(expression).to_bytes(8, "little") + expression + flag.to_bytes(8, "little"))
    return f"hyperscan-{shaping.hexdigest()[:40]}.db"


def cached_database(
    name: str, compile_database: Callable[[], Any], dump: Callable[[Any], bytes], load: Callable[[bytes], Any]
) -> Any:
    """The database from the cache entry `name`, else compiled and stored there; `load` gives
    None for an entry it cannot use."""
    directory = cache_directory()
    if directory is None:
        return compile_database()
    path = directory / name
    serialized = _read_own(path)
    if serialized is not None:
        database = load(serialized)
        if database is not None:
            return database
    database = compile_database()
    _store(directory, path, dump(database))
    return database


def _read_own(path: Path) -> bytes | None:
    """The entry's database if the file is the user's own and its checksum holds."""
    try:
        with open(path, "rb") as handle:
            if os.fstat(handle.fileno()).st_uid != os.geteuid():
                return None  # someone else's file in a shared directory: not trusted
            data = handle.read()
    except OSError:
        return None
    checksum, serialized = data[:DIGEST_SIZE], data[DIGEST_SIZE:]
    return serialized if serialized and DIGEST(serialized).digest() == checksum else None


def _store(directory: Path, path: Path, serialized: bytes) -> None:
    """Written whole under a temporary name, then renamed: a reader never sees half an entry."""
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(prefix=".hyperscan-", dir=directory)
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(DIGEST(serialized).digest() + serialized)
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError:
        pass  # a read-only or full disk: the next run compiles again
