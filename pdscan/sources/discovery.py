"""Turn what the user typed (files, directories, globs, `-`, sqlite:/// and storage URLs) into sources.

SQL files in one directory are one schema: a migrations folder is replayed in order, and a
single dump is simply a folder with one file. Log files are scanned one by one, and rotated
copies of a log (`access.log.1`, `access.log.2.gz`) share the identity of the log itself.
Identities are what declarations and fingerprints key on, so they are derived from the paths
alone, never from anything that changes between runs. Only regular files are opened: a FIFO
or a device would block or never end. Objects in remote storage (`s3://bucket/logs/**`) are
logs, named by their URL without credentials; SQL there is not read (schemas live in
repositories, not in log archives), and says so.

--include/--exclude match a file found in a directory, or an object under a prefix or glob,
the same way: by its path below the directory, prefix or glob base given, its whole path
(URL), or its name. A directory, prefix or glob that holds files none of which the patterns
leave, or that holds none, is skipped with its reason: a scan that read nothing must not pass.
"""

from __future__ import annotations

import fnmatch
import glob
import itertools
import os
import re
import stat
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from pdscan.detect.readable import shown_path
from pdscan.model import Skipped, SourceKind
from pdscan.ruleset.log_rules import bundled_log_rules
from pdscan.sentences import skipped_because
from pdscan.sources.database.engines import known_schemes
from pdscan.sources.database.target import DatabaseTarget, TargetError, is_database_url, parse_target
from pdscan.sources.logs.reader import COMPRESSED_SUFFIXES, peek
from pdscan.sources.logs.storage import StorageUnavailable, StorageURLError, expand, is_remote, shown_location
from pdscan.sources.orm import sniff_orm_format

if TYPE_CHECKING:
    from pdscan.request import ScanRequest
    from pdscan.sources.interface import Source

SQL_SUFFIXES = (".sql", ".ddl")
CODE_SUFFIXES = (".py", ".rb")  # source files that hold no ORM schema (sources/orm tells)
SQLITE_MAGIC = b"SQLite format 3\x00"
SQLITE_MIN_SIZE = 512  # a database file is whole pages of at least 512 bytes: smaller files are not opened
SQLITE_URL_PREFIX = "sqlite:///"
STDIN = "-"
STDIN_SCHEMA = "<stdin>"  # SQL on standard input: its name as a source
OWN_FILES = frozenset({"pdscan.yml", "pdscan.yaml", ".pdscan-baseline.json"})
LOG_DIRECTORIES = frozenset({"log", "logs"})
# `access.log.1`, `app.log-20261124`, `app.2026-11-24.log`: rotation marks stripped for identity.
_ROTATION = re.compile(r"(?:[.-]\d{1,4}|[.-]\d{8}(?:\d{2})?|[.-]\d{4}-\d{2}-\d{2}(?:[T_.-]\d{2}(?::?\d{2}){0,2})?)$")
FILTERED_OUT = "skipped.filtered_out"  # sentences of rules/labels.yaml
EMPTY_DIRECTORY = "skipped.empty_directory"
NO_MATCH = "skipped.no_match"
_SQL_HEAD = re.compile(
    rb"(?im)^\s*(?:create|alter)\s+(?:or\s+replace\s+)?(?:temporary\s+|temp\s+|unlogged\s+)?"
    rb"(?:table|index|unique|view|sequence|schema|type|function|trigger|database)\b"
)


class UnknownSourceError(Exception):
    """A target that is neither a path nor a URL pdscan can read: a usage error, exit 2."""


@dataclass(frozen=True)
class SchemaInput:
    """One schema to scan: a replayed set of DDL files, a SQLite file, or standard input."""

    kind: SourceKind
    database: str
    files: tuple[Path, ...] = ()


@dataclass(frozen=True)
class LogInput:
    """One log file to scan; `identity` is the log it belongs to, rotation and compression aside."""

    path: Path | str | None  # a local Path; a str is a storage URL (s3://…); None: standard input
    identity: str


@dataclass(frozen=True)
class Discovery:
    inputs: tuple[SchemaInput, ...]
    skipped: tuple[Skipped, ...]
    logs: tuple[LogInput, ...] = ()
    stdin: bool = False  # `-` was given: standard input is a schema or a log, told by its content
    own_reports: tuple[tuple[str, str], ...] = ()  # (path, format) of pdscan's reports left out


@dataclass(frozen=True)
class Sources:
    sources: tuple[Source, ...]  # in the report's order: schema files, standard input, SQLite files, servers, logs
    skipped: tuple[Skipped, ...]  # targets, or files in them, that are no source
    own_reports: tuple[tuple[str, str], ...] = ()  # (path, format) of pdscan's reports left out


def discover_sources(request: ScanRequest, prompt: Callable[[str], str] | None = None) -> Sources:
    """The sources the request's targets name. Server URLs are read first, so that a password is
    asked for (`prompt`, --password-prompt) before any file is opened.

    Each kind's module is imported only when a target is of that kind: a log scan starts
    without the SQL parser."""
    servers = [_server(text, prompt) for text in request.targets if is_database_url(text)]
    found = discover(
        [text for text in request.targets if not is_database_url(text)],
        request.include,
        request.exclude,
        schema_forced=request.schema_format is not None,
    )
    schemas = [(schema.database, schema.files) for schema in found.inputs if schema.kind is SourceKind.DDL]
    logs = list(found.logs)
    if found.stdin:
        if looks_like_sql(peek(sys.stdin.buffer)):
            schemas.append((STDIN_SCHEMA, ()))
        else:
            from pdscan.sources.logs.source import stdin_input

            logs.insert(0, stdin_input())
    sources: list[Source] = []
    if schemas:
        from pdscan.sources.ddl.schema_source import DdlSource

        sources.extend(DdlSource(database, files) for database, files in schemas)
    sqlite_urls = {  # named as discovery names the databases
        shown_path(Path(text.removeprefix(SQLITE_URL_PREFIX)))
        for text in request.targets
        if text.startswith(SQLITE_URL_PREFIX)
    }
    databases = [schema for schema in found.inputs if schema.kind is SourceKind.SQLITE]
    if databases or servers:
        from pdscan.sources.database.source import ServerSource, SqliteSource

        # Table patterns apply to a sqlite:/// URL; beside a file path they were file patterns.
        sources.extend(SqliteSource(schema.files[0], schema.database in sqlite_urls) for schema in databases)
        sources.extend(ServerSource(target) for target in servers)
    if logs:
        from pdscan.sources.logs.log_source import LogSource

        sources.append(LogSource(tuple(logs)))
    return Sources(tuple(sources), found.skipped, found.own_reports)


def _server(text: str, prompt: Callable[[str], str] | None) -> DatabaseTarget:
    try:
        return parse_target(text, os.environ, prompt)
    except TargetError as error:
        raise UnknownSourceError(str(error)) from None


def discover(
    targets: Sequence[str],
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    schema_forced: bool = False,
) -> Discovery:
    """Expand targets; files given or found that pdscan cannot scan are reported, not dropped.

    `schema_forced` (`--schema-format`): a file named, or picked by --include, is a schema file."""
    sql_files: dict[Path, list[Path]] = {}
    explicit_dirs: set[Path] = set()
    inputs: list[SchemaInput] = []
    logs: list[LogInput] = []
    skipped: list[Skipped] = []
    own_reports: list[tuple[str, str]] = []
    stdin = False

    for target in targets:
        if target == STDIN:
            stdin = True
            continue
        if target.startswith(SQLITE_URL_PREFIX):
            inputs.append(_sqlite_input(Path(target[len(SQLITE_URL_PREFIX) :])))
            continue
        if is_remote(target):
            remote_logs, remote_skipped = _remote_logs(target, include, exclude)
            logs.extend(remote_logs)
            skipped.extend(remote_skipped)
            continue
        if "://" in target:
            raise UnknownSourceError(
                f"{_scheme(target)}:// sources are not supported by this version; give SQL files, directories, "
                f"globs, a sqlite:/// file or a server URL: {known_schemes()}"
            )
        files_found = kept = problems = 0
        for found in _expand(target):
            if isinstance(found, Skipped):
                skipped.append(found)
                problems += 1
                continue
            path, below, was_explicit = found.path, found.below, found.explicit
            if found.directory:
                if was_explicit or not _matches_any(path.as_posix(), below, exclude):
                    explicit_dirs.add(path)
                continue
            chosen = was_explicit  # named, or picked by an --include pattern: read whatever its name
            if not was_explicit:
                files_found += 1
                if not _selected(path.as_posix(), below, include, exclude):
                    continue
                kept += 1
                chosen = bool(include)
            try:
                status = path.stat()  # one call per path: a hundred thousand files make every call count
            except OSError as error:
                skipped.append(skipped_because(shown_path(path), "skipped.cannot_read", _error(error)))
                continue
            problem = _not_regular(status.st_mode)
            if problem:
                skipped.append(skipped_because(shown_path(path), problem))
            elif status.st_size >= SQLITE_MIN_SIZE and _is_sqlite(path):
                inputs.append(_sqlite_input(path))
            elif (
                path.suffix.lower() in SQL_SUFFIXES
                or (chosen and (schema_forced or _looks_like_sql(path)))
                or sniff_orm_format(path)
            ):
                sql_files.setdefault(path.parent, []).append(path)
            elif path.suffix.lower() in CODE_SUFFIXES:
                continue  # a repository's code beside its schema: not a data source, nothing skipped
            elif not was_explicit and (report_format := _own_report(path)):
                own_reports.append((shown_path(path), report_format))
                files_found -= 1  # as the data map and the baseline are: not a file of the folder's
                kept -= 1
            elif chosen or _is_log_name(path):
                logs.append(LogInput(path, log_identity(shown_path(path))))
            else:
                skipped.append(skipped_because(shown_path(path), "skipped.not_a_source"))
        skipped.extend(_nothing_selected(target, files_found, kept, problems))

    if sql_files:
        from pdscan.sources.ddl.source import migration_order  # the SQL parser: only for schema scans
    for directory, files in sorted(sql_files.items()):
        ordered = tuple(migration_order(dict.fromkeys(files)))
        database = shown_path(directory if directory in explicit_dirs or len(ordered) > 1 else ordered[0])
        inputs.append(SchemaInput(SourceKind.DDL, database, ordered))
    inputs.sort(key=lambda item: (item.kind.value, item.database))
    ordered_logs = sorted(dict.fromkeys(logs), key=lambda log: (log.identity, _rotation_age(log)))
    return Discovery(tuple(inputs), tuple(skipped), tuple(ordered_logs), stdin, tuple(own_reports))


def _own_report(path: Path) -> str | None:
    """The format of the pdscan report a file found in a folder is, if it is one."""
    from pdscan.sources.own_reports import own_report_format  # the formats' words: only for files found

    return own_report_format(path)


def reads_back(
    output: Path, targets: Sequence[str], include: Sequence[str] = (), exclude: Sequence[str] = ()
) -> str | None:
    """How `targets` would read `output`, or None: it is a file they name (through a symbolic or
    hard link, or `..`), or it lies in a folder or matches a glob they scan where this run or
    the next reads it (a report named `*.log`, `*.ndjson` or `*.sql`, any name --include picks).
    Asked before anything is read: pdscan never writes to what it scans."""
    if output.exists() and not output.is_file():
        return None  # a device or a pipe is written to, never replaced; a folder cannot be written
    # Where the report's name is written (its folder resolved), and the file a link there leads to.
    places = {Path(os.path.realpath(output.parent)) / output.name, Path(os.path.realpath(output))}
    for target in targets:
        if target == STDIN or ("://" in target and not target.startswith(SQLITE_URL_PREFIX)):
            continue
        if glob.has_magic(target):
            base_parts = _before_magic(Path(target).parts)
            pattern = Path(target).parts[len(base_parts) :]
            if any(_would_read(Path(*base_parts), place, pattern, include, exclude) for place in places):
                return f"matches {shown_path(target)}, which this command scans: this run or the next would read it"
            continue
        path = Path(target.removeprefix(SQLITE_URL_PREFIX))
        if same_file(output, path):
            return f"is {shown_path(path)}, which this command scans"
        if path.is_dir() and any(_would_read(path, place, None, include, exclude) for place in places):
            return f"lies in {shown_path(path)}, which this command scans: this run or the next would read it"
    return None


def _would_read(
    base: Path, place: Path, pattern: Sequence[str] | None, include: Sequence[str], exclude: Sequence[str]
) -> bool:
    """Whether scanning the folder `base` (or the glob `pattern` below it) reads a file at
    `place`, as it is or once a report is written there: the choices `discover` makes."""
    try:
        below = place.relative_to(os.path.realpath(base)).parts
    except ValueError:
        return False
    if not below or not _reached(below, pattern):
        return False
    found = base.joinpath(*below)
    if not _selected(found.as_posix(), "/".join(below), include, exclude):
        return False
    return bool(include) or found.suffix.lower() in SQL_SUFFIXES or _is_log_name(found) or _is_sqlite(found)


def _reached(below: Sequence[str], pattern: Sequence[str] | None) -> bool:
    """Whether discovery comes to the path `below` a folder it walks (pattern None), or below a
    glob's base: a match, or inside a matched folder. A walk leaves out hidden names and
    pdscan's own files."""
    if pattern is not None and _glob_matches(pattern, below):
        return True
    walks = [0] if pattern is None else [k for k in range(1, len(below)) if _glob_matches(pattern, below[:k])]
    return below[-1] not in OWN_FILES and any(not any(p.startswith(".") for p in below[k:]) for k in walks)


def _glob_matches(pattern: Sequence[str], names: Sequence[str]) -> bool:
    """Whether the path `names` matches the glob `pattern`, both in parts, as glob.glob with
    recursive=True matches: `**` any number of folders, hidden names only by a pattern of a dot."""
    if not pattern:
        return not names
    if pattern[0] == "**":
        visible = itertools.takewhile(lambda name: not name.startswith("."), names)
        return any(_glob_matches(pattern[1:], names[skip:]) for skip in range(len(list(visible)) + 1))
    if not names or (names[0].startswith(".") and not pattern[0].startswith(".")):
        return False
    return fnmatch.fnmatchcase(names[0], pattern[0]) and _glob_matches(pattern[1:], names[1:])


def same_file(first: Path, second: Path) -> bool:
    """The same file on disk (device and inode): through symbolic links, hard links and `..`
    (resolved as the output is, even after a folder that does not exist)."""
    try:
        return os.path.samefile(os.path.realpath(first), os.path.realpath(second))
    except OSError:
        return False


def _rotation_age(log: LogInput) -> tuple[int, int, str]:
    """Oldest copy first, the live log last: `.2.gz`, `.1`, then `access.log`; dated copies by date."""
    path = _without_compression(shown_location(str(log.path)))
    mark = path[len(log.identity) :].lstrip(".-")
    if not mark:
        return (1, 0, path)
    digits = "".join(character for character in mark if character.isdigit())
    number = int(digits) if digits else 0
    return (0, -number if len(digits) <= 4 else number, path)


def _remote_logs(target: str, include: Sequence[str], exclude: Sequence[str]) -> tuple[list[LogInput], list[Skipped]]:
    """The objects a storage URL, glob or prefix names, as logs, chosen as files in a directory
    are (pdscan's own files left out: the data map is always local); SQL objects skipped with why."""
    try:
        objects, skipped = expand(target)
    except (StorageUnavailable, StorageURLError) as error:
        raise UnknownSourceError(str(error)) from None
    if skipped:
        return [], skipped
    named = [item.url for item in objects if item.below is None]
    found = [(item.url, item.below) for item in objects if item.below is not None]
    found = [(url, below) for url, below in found if url.rsplit("/", 1)[-1] not in OWN_FILES]
    kept = [url for url, below in found if _selected(url, below, include, exclude)]
    if not named and not kept:
        return [], [skipped_because(shown_location(target), FILTERED_OUT if found else _remote_empty(target))]
    logs = []
    for url in named + kept:
        shown = shown_location(url)
        if _without_compression(url.lower()).endswith(SQL_SUFFIXES):
            skipped.append(skipped_because(shown, "skipped.remote_sql"))
        else:
            logs.append(LogInput(url, log_identity(shown)))
    return logs, skipped


def _remote_empty(target: str) -> str:
    _, _, path = target.partition("://")
    return NO_MATCH if any(character in path for character in "*?[") else EMPTY_DIRECTORY


def log_identity(path: str) -> str:
    """`logs/access.log.2.gz` -> `logs/access.log`: the log a rotated or compressed copy is of."""
    path = _without_compression(path)
    stripped = _ROTATION.sub("", path)
    return stripped if stripped and not stripped.endswith(("/", ".")) else path


def _without_compression(name: str) -> str:
    """`access.log.2.gz` -> `access.log.2` (every compression suffix is one dot and a word)."""
    return name[: name.rindex(".")] if name.lower().endswith(COMPRESSED_SUFFIXES) else name


def looks_like_sql(head: bytes) -> bool:
    """Whether text starts a SQL schema (a CREATE/ALTER statement near the top) rather than a log."""
    return _SQL_HEAD.search(head) is not None


def _looks_like_sql(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return looks_like_sql(handle.read(65536))
    except OSError:
        return False


def _is_log_name(path: Path) -> bool:
    name = _without_compression(path.name.lower())
    rules = bundled_log_rules()
    if any(fnmatch.fnmatchcase(name, pattern) for pattern in rules.files):
        return True
    in_log_folder = any(part.lower() in LOG_DIRECTORIES for part in path.parent.parts)
    return in_log_folder and not name.endswith(rules.not_log_suffixes)


def _not_regular(mode: int) -> str | None:
    """Why a file of this mode is not read (a FIFO would block, a device never end), as its
    sentence's key, or None."""
    if stat.S_ISREG(mode):
        return None
    kind = "fifo" if stat.S_ISFIFO(mode) else "device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "socket"
    return f"skipped.not_regular_{kind}"


class _Found(NamedTuple):
    """A path a target names: `below` is its path below the directory or glob base given."""

    path: Path
    below: str
    explicit: bool  # named outright: read whatever its name
    directory: bool


def _expand(target: str) -> Iterable[_Found | Skipped]:
    """Every path a target names (a file named outright is scanned whatever its suffix), and a
    Skipped for each directory that cannot be listed."""
    if glob.has_magic(target):
        matches = sorted(glob.glob(target, recursive=True))
        if not matches:
            raise UnknownSourceError(f"{_shown_target(target)}: the pattern matches no file")
        base = Path(*_before_magic(Path(target).parts))
        for match in matches:
            yield from _expand_path(Path(match), base, explicit=False)
        return
    path = Path(target)
    if not path.exists() and not path.is_symlink():
        raise UnknownSourceError(f"{_shown_target(target)}: no such file or directory")
    yield from _expand_path(path, path, explicit=True)


def _before_magic(parts: Sequence[str]) -> list[str]:
    """`logs/2026/**/*.log` -> `logs/2026`: the folder a glob lists below."""
    return list(itertools.takewhile(lambda part: not glob.has_magic(part), parts))


def _expand_path(path: Path, base: Path, explicit: bool) -> Iterable[_Found | Skipped]:
    if not path.is_dir():
        yield _Found(path, _below(path, base), explicit, directory=False)
        return
    yield _Found(path, _below(path, base), explicit, directory=True)
    unlisted: list[OSError] = []  # os.walk leaves out what it cannot list: said, not dropped
    for root, dirs, files in os.walk(path, onerror=unlisted.append, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in dirs:
            if os.path.islink(os.path.join(root, name)):  # os.walk lists it, then leaves it: said, not dropped
                yield _linked_directory(Path(root) / name)
        for name in sorted(files):
            if not name.startswith(".") and name not in OWN_FILES:
                found = Path(root) / name
                yield _Found(found, _below(found, base), explicit=False, directory=False)
    for error in unlisted:
        yield skipped_because(shown_path(str(error.filename)), "skipped.cannot_read_directory", _error(error))


def _linked_directory(link: Path) -> Skipped:
    """A directory symlink is not followed (it may lead out of the tree or back into it): the
    user learns where it leads, so nothing read can be mistaken for everything there."""
    target = Path(os.path.realpath(link))
    if link.parent.resolve().is_relative_to(target):
        return skipped_because(shown_path(link), "skipped.symlink_loop")
    return skipped_because(shown_path(link), "skipped.symlink", (("target", shown_path(target)),))


def _error(error: OSError) -> tuple[tuple[str, str], ...]:
    """An operating system's error, quoted as it says it (`Permission denied`)."""
    return (("error", str(error.strerror or error)),)


def _below(path: Path, base: Path) -> str:
    """`logs/app/x.log` below `logs` -> `app/x.log` (the whole path when not below it)."""
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return path.as_posix()


def _selected(whole: str, below: str, include: Sequence[str], exclude: Sequence[str]) -> bool:
    """--include/--exclude for a file in a directory and an object under a prefix alike."""
    if include and not _matches_any(whole, below, include):
        return False
    return not _matches_any(whole, below, exclude)


def _matches_any(whole: str, below: str, patterns: Sequence[str]) -> bool:
    """A pattern matches the path below the directory or prefix given (`app/*.log`), the whole
    path or URL (scheme optional), or the name (`*.gz`); `*` crosses `/`, as fnmatch's does."""
    whole = whole.split("://", 1)[-1]
    name = whole.rsplit("/", 1)[-1]
    for pattern in patterns:
        if fnmatch.fnmatch(below, pattern) or fnmatch.fnmatch(name, pattern):
            return True
        if fnmatch.fnmatch(whole, pattern.split("://", 1)[-1]):
            return True
    return False


def _nothing_selected(target: str, files_found: int, kept: int, problems: int) -> list[Skipped]:
    """The target as skipped when it held files but the patterns left none, or held none."""
    if files_found and not kept:
        return [skipped_because(_shown_target(target), FILTERED_OUT)]
    if not files_found and not problems and (glob.has_magic(target) or Path(target).is_dir()):
        return [skipped_because(_shown_target(target), NO_MATCH if glob.has_magic(target) else EMPTY_DIRECTORY)]
    return []


def _shown_target(target: str) -> str:
    return shown_location(target) if is_remote(target) else shown_path(target)


def _is_sqlite(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC
    except OSError:
        return False


def _sqlite_input(path: Path) -> SchemaInput:
    if not path.is_file():
        raise UnknownSourceError(f"{shown_path(path)}: no such SQLite database file (pdscan never creates one)")
    return SchemaInput(SourceKind.SQLITE, shown_path(path), (path,))


def _scheme(target: str) -> str:
    return target.split("://", 1)[0]
