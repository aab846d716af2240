"""Which files of a migrations folder are its history: the way up, in one dialect.

Migration tools keep more than the history in one folder: golang-migrate and Ory's popx write a
`.down.sql` beside every `.up.sql`, Flyway keeps undo scripts (`U2__…`) beside versions
(`V2__…`), and popx keeps one copy of each migration per database (`…postgres.up.sql`,
`…mysql.up.sql`, `…sqlite3.up.sql`, `…cockroach.up.sql`). Replaying all of them would drop
every column again, or define each table four times. The replay takes the up path of one
dialect: the one `--dialect` names, else PostgreSQL, else the most common; files that name no
dialect are shared by all. What was left out is said in the source's notes.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

_DOWN = re.compile(r"[._-]down\.sql$", re.IGNORECASE)
_UP = re.compile(r"[._-]up\.sql$", re.IGNORECASE)
_FLYWAY_UNDO = re.compile(r"^U\d+(?:[._]\d+)*__", re.IGNORECASE)
_FLYWAY_VERSION = re.compile(r"^V\d+(?:[._]\d+)*__", re.IGNORECASE)
# Words in a migration's file name that say which database it is written for.
_DIALECT_WORDS = {
    "postgres": "postgres",
    "postgresql": "postgres",
    "pg": "postgres",
    "cockroach": "cockroach",
    "cockroachdb": "cockroach",
    "crdb": "cockroach",
    "mysql": "mysql",
    "mariadb": "mysql",
    "sqlite": "sqlite",
    "sqlite3": "sqlite",
    "mssql": "tsql",
    "sqlserver": "tsql",
    "tsql": "tsql",
}
PREFERRED = "postgres"


@dataclass(frozen=True)
class MigrationPath:
    """The files to replay, in the order given, and what was left out, in words."""

    files: tuple[Path, ...]
    notes: tuple[str, ...] = ()


def migration_path(files: Sequence[Path], dialect: str | None = None) -> MigrationPath:
    """The up path of one dialect among `files` (one folder's, in replay order)."""
    kept = list(files)
    notes = []
    if any(_UP.search(path.name) for path in kept):
        down = [path for path in kept if _DOWN.search(path.name)]
        if down:
            kept = [path for path in kept if path not in down]
            notes.append(f"{_count(len(down))} down migration(s) (`*.down.sql`) not replayed: they are the way back")
    if any(_FLYWAY_VERSION.match(path.name) for path in kept):
        undo = [path for path in kept if _FLYWAY_UNDO.match(path.name)]
        if undo:
            kept = [path for path in kept if path not in undo]
            notes.append(f"{_count(len(undo))} Flyway undo script(s) (`U…__`) not replayed: they are the way back")
    dialects = Counter(found for path in kept if (found := file_dialect(path)) is not None)
    if len(dialects) > 1:
        chosen = _chosen(dialects, dialect)
        others = sorted(name for name in dialects if name != chosen)
        kept = [path for path in kept if file_dialect(path) in (None, chosen)]
        left = sum(dialects[name] for name in others)
        notes.append(
            f"the {chosen} migrations replayed ({_why(chosen, dialect)}); {_count(left)} file(s) written for "
            f"{', '.join(others)} not replayed (--dialect chooses)"
        )
    return MigrationPath(tuple(kept), tuple(notes))


def file_dialect(path: Path) -> str | None:
    """The database a migration file's name says it is written for (`…postgres.up.sql`)."""
    stem = path.name.lower()
    for suffix in (".sql", ".up", ".down"):
        stem = stem.removesuffix(suffix)
    words = re.split(r"[._-]+", stem)
    return next((_DIALECT_WORDS[word] for word in reversed(words) if word in _DIALECT_WORDS), None)


def _chosen(dialects: Counter[str], asked: str | None) -> str:
    if asked is not None and asked in dialects:
        return asked
    if PREFERRED in dialects:
        return PREFERRED
    return max(sorted(dialects), key=lambda name: dialects[name])


def _why(chosen: str, asked: str | None) -> str:
    if asked == chosen:
        return "--dialect"
    return "PostgreSQL first" if chosen == PREFERRED else "the most files"


def _count(number: int) -> str:
    return f"{number:,}"
