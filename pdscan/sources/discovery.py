"""Turn what the user typed (files, directories, globs, `-`, sqlite:/// URLs) into schemas to scan.

SQL files in one directory are one schema: a migrations folder is replayed in order, and a
single dump is simply a folder with one file. A file's identity (`database`) is what
declarations and fingerprints key on, so it is derived from the paths alone, never from
anything that changes between runs.
"""

from __future__ import annotations

import fnmatch
import glob
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pdscan.model import Skipped, SourceKind
from pdscan.sources.sql_ddl import migration_order

SQL_SUFFIXES = (".sql", ".ddl")
SQLITE_MAGIC = b"SQLite format 3\x00"
SQLITE_URL_PREFIX = "sqlite:///"
STDIN = "-"
OWN_FILES = frozenset({"pdscan.yml", "pdscan.yaml", ".pdscan-baseline.json"})


class UnknownSourceError(Exception):
    """A target that is neither a path nor a URL pdscan can read: a usage error, exit 2."""


@dataclass(frozen=True)
class SchemaInput:
    """One schema to scan: a replayed set of DDL files, a SQLite file, or standard input."""

    kind: SourceKind
    database: str
    files: tuple[Path, ...] = ()


@dataclass(frozen=True)
class Discovery:
    inputs: tuple[SchemaInput, ...]
    skipped: tuple[Skipped, ...]


def discover(
    targets: Sequence[str],
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
) -> Discovery:
    """Expand targets; files given or found that pdscan cannot scan are reported, not dropped."""
    sql_files: dict[Path, list[Path]] = {}
    explicit_dirs: set[Path] = set()
    inputs: list[SchemaInput] = []
    skipped: list[Skipped] = []

    for target in targets:
        if target == STDIN:
            inputs.append(SchemaInput(SourceKind.DDL, "<stdin>"))
            continue
        if target.startswith(SQLITE_URL_PREFIX):
            inputs.append(_sqlite_input(Path(target[len(SQLITE_URL_PREFIX) :])))
            continue
        if "://" in target:
            raise UnknownSourceError(
                f"{_scheme(target)}:// sources are not supported by this version; "
                "give SQL files, directories, globs or a sqlite:/// URL"
            )
        for path, was_explicit in _expand(target):
            if was_explicit is False and not _selected(path, include, exclude):
                continue
            if path.is_dir():
                explicit_dirs.add(path)
                continue
            if _is_sqlite(path):
                inputs.append(_sqlite_input(path))
            elif path.suffix.lower() in SQL_SUFFIXES or was_explicit:
                sql_files.setdefault(path.parent, []).append(path)
            else:
                skipped.append(Skipped(str(path), "not a SQL schema or SQLite database; not scanned"))

    for directory, files in sorted(sql_files.items()):
        ordered = tuple(migration_order(dict.fromkeys(files)))
        database = str(directory) if directory in explicit_dirs or len(ordered) > 1 else str(ordered[0])
        inputs.append(SchemaInput(SourceKind.DDL, database, ordered))
    inputs.sort(key=lambda item: (item.kind.value, item.database))
    return Discovery(tuple(inputs), tuple(skipped))


def _expand(target: str) -> Iterable[tuple[Path, bool]]:
    """Yield (path, explicit): a file named outright is scanned whatever its suffix."""
    if glob.has_magic(target):
        matches = sorted(glob.glob(target, recursive=True))
        if not matches:
            raise UnknownSourceError(f"{target}: the pattern matches no file")
        for match in matches:
            yield from _expand_path(Path(match), explicit=False)
        return
    path = Path(target)
    if not path.exists() and not path.is_symlink():
        raise UnknownSourceError(f"{target}: no such file or directory")
    yield from _expand_path(path, explicit=True)


def _expand_path(path: Path, explicit: bool) -> Iterable[tuple[Path, bool]]:
    if not path.is_dir():
        yield path, explicit
        return
    yield path, explicit
    for root, dirs, files in os.walk(path, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith(".") and name not in OWN_FILES:
                yield Path(root) / name, False


def _selected(path: Path, include: Sequence[str], exclude: Sequence[str]) -> bool:
    text = path.as_posix()

    def matches(pattern: str) -> bool:
        return fnmatch.fnmatch(text, pattern) or fnmatch.fnmatch(path.name, pattern)

    if include and not path.is_dir() and not any(matches(p) for p in include):
        return False
    return not any(matches(p) for p in exclude)


def _is_sqlite(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC
    except OSError:
        return False


def _sqlite_input(path: Path) -> SchemaInput:
    if not path.is_file():
        raise UnknownSourceError(f"{path}: no such SQLite database file (pdscan never creates one)")
    return SchemaInput(SourceKind.SQLITE, str(path), (path,))


def _scheme(target: str) -> str:
    return target.split("://", 1)[0]
