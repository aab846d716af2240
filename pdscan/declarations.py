"""The company's record of why each place holds personal data.

Two sources, adding up: the data map `pdscan.yml` (database -> table -> column, purposes
adding downwards, names as globs) and purposes written inline in the DDL itself (column and
table comments, trailing `-- pdscan: purpose=…`). Every purpose id is checked against the
policy, so a typo is an error with file:line, never a silently undeclared column.
Ignores live in the same two places (`ignore:` entries, `-- pdscan: ignore reason=…`) and
always carry a reason: an ignore nobody can explain is an error, not a silent hole. So do
`silence:` entries, which silence a warning (`plaintext_sensitive`) where the team confirmed
the values are masked or tokenised.
Format: docs/data-map.md.
"""

from __future__ import annotations

import fnmatch
import functools
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pdscan.detect.masking import mask_name
from pdscan.model import WARNINGS, Finding, Location, SilencedWarning, SourceKind, StaleDeclaration, Table
from pdscan.policy import Policy
from pdscan.ruleset.checker import Checker
from pdscan.ruleset.suggestions import did_you_mean
from pdscan.ruleset.taxonomy import load_taxonomy
from pdscan.ruleset.yaml_lines import Marked, Problem, ProblemsError, YamlError, load_marked

DATA_MAP_VERSION = 1
# `purpose: a, b` / `purposes=a,b` anywhere in a comment, with any text around it.
INLINE_PURPOSES = re.compile(r"\bpurposes?\s*[:=]\s*([A-Za-z0-9_]+(?:\s*,\s*[A-Za-z0-9_]+)*)", re.IGNORECASE)
# A category is only read after an explicit `pdscan:` marker: "category: books" is common prose.
INLINE_MARKER = re.compile(r"\bpdscan\s*:(.*)", re.IGNORECASE | re.DOTALL)
INLINE_CATEGORY = re.compile(r"\bcategory\s*[:=]\s*([A-Za-z0-9_]+)", re.IGNORECASE)
# `ignore reason=…` after the marker: the reason runs to the end of the comment, or is quoted.
INLINE_IGNORE = re.compile(r"\bignore\b", re.IGNORECASE)
INLINE_REASON = re.compile(r"""\breason\s*[:=]\s*(?:"([^"]*)"|'([^']*)'|(.*))""", re.IGNORECASE | re.DOTALL)
ANY_CATEGORY = "*"
GLOB_CHARACTERS = frozenset("*?[")

Entry = TypeVar("Entry")  # what one entry of a top-level list reads into


class DeclarationError(ProblemsError):
    """Every problem found in the data map or in inline declarations."""


@dataclass(frozen=True)
class CategoryDeclaration:
    category: str
    purposes: tuple[str, ...]
    declared_in: str


@dataclass(frozen=True)
class ColumnDeclaration:
    """A column, or a log field: purposes for all it holds, and per category it holds."""

    pattern: str
    purposes: tuple[str, ...]
    category: str | None
    declared_in: str
    categories: tuple[CategoryDeclaration, ...] = ()


@dataclass(frozen=True)
class TableDeclaration:
    pattern: str
    purposes: tuple[str, ...]
    declared_in: str
    columns: tuple[ColumnDeclaration, ...]


@dataclass(frozen=True)
class DatabaseDeclaration:
    """A schema entry: matched by name (`pattern`) or by `files` globs relative to the data map."""

    pattern: str
    files: tuple[str, ...]
    purposes: tuple[str, ...]
    declared_in: str
    tables: tuple[TableDeclaration, ...]


@dataclass(frozen=True)
class LogDeclaration:
    """A log entry: a path glob (relative to the data map, or a file name), with purposes for
    the whole log, per category it holds, and per field."""

    pattern: str
    purposes: tuple[str, ...]
    declared_in: str
    categories: tuple[CategoryDeclaration, ...]
    fields: tuple[ColumnDeclaration, ...]


@dataclass(frozen=True)
class IgnoreDeclaration:
    """An `ignore:` entry: places (a glob over `table.column`, or a log field) holding data of a
    category (or `*`), optionally only in sources matching `source`, with the reason why."""

    place: str
    category: str
    reason: str
    source: str | None
    declared_in: str


@dataclass(frozen=True)
class SilenceDeclaration:
    """A `silence:` entry: a warning not raised at places (as an ignore's `place`), optionally
    only in sources matching `source`, with the reason why."""

    warning: str
    place: str
    reason: str
    source: str | None
    declared_in: str


@dataclass(frozen=True)
class DataMap:
    """A loaded pdscan.yml; `files` globs are relative to `base_dir`, the directory it lives in."""

    path: str
    base_dir: Path
    databases: tuple[DatabaseDeclaration, ...]
    logs: tuple[LogDeclaration, ...] = ()
    ignores: tuple[IgnoreDeclaration, ...] = ()
    silences: tuple[SilenceDeclaration, ...] = ()


@dataclass(frozen=True)
class Ignore:
    """Why a finding is not judged, and where that was written."""

    reason: str
    declared_in: str


@dataclass(frozen=True)
class DeclaredPlace:
    """What is declared for one place: purposes, where each came from, an explicit category."""

    purposes: tuple[str, ...]
    declared_in: tuple[str, ...]
    category_override: str | None = None
    ignore: Ignore | None = None  # inline `-- pdscan: ignore reason=…`


NOTHING_DECLARED = DeclaredPlace((), ())


def load_data_map(path: Path, policy: Policy) -> DataMap:
    """Read and check a data map; raises DeclarationError listing every problem."""
    try:
        marked = load_marked(path)
    except YamlError as error:
        raise DeclarationError(error.problems) from None
    return _DataMapReader(marked, policy, path.parent).read()


class _DataMapReader(Checker):
    """Builds a DataMap from a marked document, collecting every problem on the way."""

    def __init__(self, marked: Marked, policy: Policy, base_dir: Path) -> None:
        super().__init__(marked, DeclarationError)
        self.purpose_ids = {purpose.id for purpose in policy.purposes}
        self.category_ids = {category.id for category in policy.categories}
        self.data_types = set(load_taxonomy())
        self.base_dir = base_dir

    def where(self, container: dict[Any, Any], key: Any) -> str:
        mark = self.marked.mark(container, key, on_key=True)
        return f"{self.marked.path}:{mark.line}"

    def read(self) -> DataMap:
        root = self.marked.value
        if root is None:
            root = {}
        if not isinstance(root, dict):
            self.fail(root, "a data map is a mapping with 'version' and 'databases' (see docs/data-map.md)")
            self.raise_if_any()
        self.unknown_keys(root, {"version", "databases", "logs", "ignore", "silence"}, "the data map")
        if root.get("version", DATA_MAP_VERSION) != DATA_MAP_VERSION:
            self.fail(root, f"unsupported data map version (this pdscan reads version {DATA_MAP_VERSION})", "version")
        databases = self.section(root, "databases", "'databases' (schema name -> tables)")
        declared = tuple(self.database(name, entry, databases) for name, entry in databases.items())
        logs = self.section(root, "logs", "'logs' (path glob -> purposes, categories, fields)")
        log_entries = tuple(self.log(pattern, entry, logs) for pattern, entry in logs.items())
        ignores = self.listed(root, "ignore", "{place, category, reason}", self.ignore)
        silences = self.listed(root, "silence", "{warning, place, reason}", self.silence)
        self.raise_if_any()
        return DataMap(self.marked.path, self.base_dir, declared, log_entries, ignores, silences)

    def listed(
        self, root: dict[Any, Any], key: str, shape: str, read: Callable[[Any, list[Any], int], Entry | None]
    ) -> tuple[Entry, ...]:
        """The valid entries of a top-level list (`ignore:`, `silence:`); each bad one is a problem."""
        entries = root.get(key)
        if entries is None:
            return ()
        if not isinstance(entries, list):
            self.fail(root, f"'{key}' must be a list of {shape} entries", key)
            return ()
        return tuple(declared for index, entry in enumerate(entries) if (declared := read(entry, entries, index)))

    def silence(self, entry: Any, parent: list[Any], index: int) -> SilenceDeclaration | None:
        if not isinstance(entry, dict):
            self.fail(parent, "a silence entry is a mapping: {warning: ID, place: GLOB, reason: TEXT}", index)
            return None
        self.unknown_keys(entry, {"warning", "place", "reason", "source"}, "a silence entry")
        where = f"{self.marked.path}:{self.marked.mark(parent, index).line}"
        warning, place, reason, source = (entry.get(key) for key in ("warning", "place", "reason", "source"))
        problems = len(self.problems)
        if warning is None:
            self.fail(parent, f"a silence entry needs 'warning': one of {', '.join(WARNINGS)}", index)
        elif warning not in WARNINGS:
            self.fail(
                entry,
                f"unknown warning '{warning}' (pdscan's warnings: {', '.join(WARNINGS)})"
                + did_you_mean(warning, WARNINGS),
                "warning",
            )
        if not isinstance(place, str) or not place.strip():
            self.fail(parent, "a silence entry needs 'place': a glob over `table.column` or a log field", index)
        self.reason(
            entry, parent, index, "a silence entry", "say how the team confirmed the values are masked or tokenised"
        )
        if source is not None and not isinstance(source, str):
            self.fail(entry, "'source' must be a glob naming a schema or log", "source")
        if len(self.problems) > problems:
            return None
        shown_source = _as_shown(source) if source is not None else None
        return SilenceDeclaration(str(warning), _as_shown(str(place)), str(reason).strip(), shown_source, where)

    def reason(self, entry: dict[Any, Any], parent: list[Any], index: int, what: str, advice: str) -> None:
        """An entry's `reason`, required and not blank: what every report shows for it."""
        reason = entry.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            self.fail(
                entry if "reason" in entry else parent,
                f"{what} needs a 'reason': {advice}",
                "reason" if "reason" in entry else index,
            )

    def ignore(self, entry: Any, parent: list[Any], index: int) -> IgnoreDeclaration | None:
        if not isinstance(entry, dict):
            self.fail(parent, "an ignore entry is a mapping: {place: GLOB, category: ID, reason: TEXT}", index)
            return None
        self.unknown_keys(entry, {"place", "category", "reason", "source"}, "an ignore entry")
        where = f"{self.marked.path}:{self.marked.mark(parent, index).line}"
        place, category, reason, source = (entry.get(key) for key in ("place", "category", "reason", "source"))
        problems = len(self.problems)
        if not isinstance(place, str) or not place.strip():
            self.fail(parent, "an ignore entry needs 'place': a glob over `table.column` or a log field", index)
        if not isinstance(category, str) or not (
            category == ANY_CATEGORY or category in self.category_ids or category in self.data_types
        ):
            self.fail(
                entry if "category" in entry else parent,
                f"an ignore entry needs 'category': a category id of the policy (`pdscan policy`), a data type "
                f"no category covers, or '{ANY_CATEGORY}' (got {category!r})"
                + did_you_mean(category, self.category_ids | self.data_types),
                "category" if "category" in entry else index,
            )
        self.reason(entry, parent, index, "an ignore entry", "say why this place is not personal data to declare")
        if source is not None and not isinstance(source, str):
            self.fail(entry, "'source' must be a glob naming a schema or log", "source")
        if len(self.problems) > problems:
            return None
        shown_source = _as_shown(source) if source is not None else None
        return IgnoreDeclaration(_as_shown(str(place)), str(category), str(reason).strip(), shown_source, where)

    def log(self, pattern: Any, entry: Any, parent: dict[Any, Any]) -> LogDeclaration:
        if isinstance(entry, list):  # short form: `"logs/*.log": [fraud_prevention]`
            return LogDeclaration(
                _as_shown(str(pattern)), self.purpose_list(entry, parent, pattern), self.where(parent, pattern), (), ()
            )
        what = f"log '{pattern}'"
        fields = self.entry_mapping(entry, parent, pattern, what)
        self.unknown_keys(fields, {"purposes", "categories", "fields"}, what)
        log_fields = self.section(fields, "fields", f"'fields' of {what}")
        return LogDeclaration(
            pattern=_as_shown(str(pattern)),
            purposes=self.purposes(fields),
            declared_in=self.where(parent, pattern),
            categories=self.categories(fields, what),
            fields=tuple(self.column(name, value, log_fields, "field") for name, value in log_fields.items()),
        )

    def categories(self, fields: dict[Any, Any], what: str) -> tuple[CategoryDeclaration, ...]:
        """`categories:` (category id -> purpose ids): purposes for what a place holds of each."""
        categories = self.section(fields, "categories", f"'categories' of {what}")
        declared = []
        for category, purposes in categories.items():
            if category not in self.category_ids:
                self.fail(
                    categories,
                    f"unknown category '{category}' (the policy's categories: `pdscan policy`)"
                    + did_you_mean(category, self.category_ids),
                    category,
                    on_key=True,
                )
                continue
            where = self.where(categories, category)
            declared.append(
                CategoryDeclaration(str(category), self.purpose_list(purposes, categories, category), where)
            )
        return tuple(declared)

    def database(self, name: Any, entry: Any, parent: dict[Any, Any]) -> DatabaseDeclaration:
        what = f"database '{name}'"
        fields = self.entry_mapping(entry, parent, name, what)
        self.unknown_keys(fields, {"files", "purposes", "tables"}, what)
        files = fields.get("files") or []
        if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
            self.fail(fields, "'files' must be a list of globs, e.g. [\"db/migrate/*.sql\"]", "files")
            files = []
        tables = self.section(fields, "tables", f"'tables' of {what}")
        return DatabaseDeclaration(
            pattern=_as_shown(str(name)),
            files=tuple(_as_shown(glob) for glob in files),
            purposes=self.purposes(fields),
            declared_in=self.where(parent, name),
            tables=tuple(self.table(t, value, tables) for t, value in tables.items()),
        )

    def table(self, name: Any, entry: Any, parent: dict[Any, Any]) -> TableDeclaration:
        if isinstance(entry, list):  # short form: `users: [customer_support]`
            return TableDeclaration(
                _as_shown(str(name)), self.purpose_list(entry, parent, name), self.where(parent, name), ()
            )
        what = f"table '{name}'"
        fields = self.entry_mapping(entry, parent, name, what)
        self.unknown_keys(fields, {"purposes", "columns"}, what)
        columns = self.section(fields, "columns", f"'columns' of {what}")
        return TableDeclaration(
            pattern=_as_shown(str(name)),
            purposes=self.purposes(fields),
            declared_in=self.where(parent, name),
            columns=tuple(self.column(c, value, columns, "column") for c, value in columns.items()),
        )

    def column(self, name: Any, entry: Any, parent: dict[Any, Any], kind: str) -> ColumnDeclaration:
        """A table's column or a log's field (`kind` names which, in messages)."""
        if isinstance(entry, list):  # short form: `email: [user_notifications]`
            return ColumnDeclaration(
                _as_shown(str(name)), self.purpose_list(entry, parent, name), None, self.where(parent, name)
            )
        what = f"{kind} '{name}'"
        fields = self.entry_mapping(entry, parent, name, what)
        self.unknown_keys(fields, {"purposes", "category", "categories"}, what)
        category = fields.get("category")
        if category is not None and (not isinstance(category, str) or category not in self.category_ids):
            self.fail(
                fields,
                f"unknown category '{category}' (the policy's categories: `pdscan policy`)"
                + did_you_mean(category, self.category_ids),
                "category",
            )
            category = None
        if "category" in fields and "categories" in fields:
            self.fail(
                fields,
                f"{what} has both 'category' (everything found there is taken as that category) and "
                "'categories' (purposes per category found there): keep one",
                "categories",
                on_key=True,
            )
        return ColumnDeclaration(
            _as_shown(str(name)),
            self.purposes(fields),
            category,
            self.where(parent, name),
            self.categories(fields, what),
        )

    def purposes(self, fields: dict[Any, Any]) -> tuple[str, ...]:
        return self.purpose_list(fields.get("purposes"), fields, "purposes")

    def purpose_list(self, value: Any, parent: Any, key: Any) -> tuple[str, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            self.fail(parent, f"purposes must be a list of purpose ids, e.g. [customer_support], not {value!r}", key)
            return ()
        purposes: list[str] = []
        for index, purpose in enumerate(value):
            if not isinstance(purpose, str) or purpose not in self.purpose_ids:
                self.fail(
                    value,
                    f"unknown purpose '{purpose}' (the policy's purposes: `pdscan policy`)"
                    + did_you_mean(purpose, self.purpose_ids),
                    index,
                )
            elif purpose not in purposes:
                purposes.append(purpose)
        return tuple(purposes)

    def section(self, fields: dict[Any, Any], key: str, what: str) -> dict[Any, Any]:
        value = fields.get(key)
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.fail(fields, f"{what} must be a mapping", key)
            return {}
        return value

    def entry_mapping(self, value: Any, parent: dict[Any, Any], key: Any, what: str) -> dict[Any, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.fail(parent, f"{what} must be a mapping (a table, column or field may be a list of purpose ids)", key)
            return {}
        return value


class Declarations:
    """Answers "what is declared for this place?" from the data map and inline comments."""

    def __init__(self, data_map: DataMap | None, inline: dict[tuple[str, str, str], DeclaredPlace]) -> None:
        self.data_map = data_map
        self._inline = inline

    @classmethod
    def build(cls, data_map: DataMap | None, tables: Sequence[Table], policy: Policy) -> Declarations:
        """Collect inline purposes of every table and column; unknown ids raise DeclarationError."""
        reader = _InlineReader(policy)
        inline: dict[tuple[str, str, str], DeclaredPlace] = {}
        for table in tables:
            table_place = reader.read(table.location, (table.comment, table.annotation))
            for column in table.columns:
                column_place = reader.read(column.location, (column.comment, column.annotation))
                combined = _combine(table_place, column_place)
                if combined.declared_in or combined.ignore is not None:
                    inline[_key(column.location)] = combined
        if reader.problems:
            raise DeclarationError(tuple(dict.fromkeys(reader.problems)))
        return cls(data_map, inline)

    def for_location(self, location: Location, category: str | None = None) -> DeclaredPlace:
        """Everything declared for `location` holding data of `category`: data-map entries
        (database, table, column and its per-category purposes) then inline.

        A log is declared by path, then per category it holds, then per field. An explicit
        category (`category:`, `-- pdscan: category=…`) decides which per-category purposes apply.
        """
        if location.kind is SourceKind.LOG:
            return self._for_log(location, category)
        place = NOTHING_DECLARED
        columns: list[ColumnDeclaration] = []
        if self.data_map is not None:
            for database in self.data_map.databases:
                if not database_matches(database, location, self.data_map.base_dir):
                    continue
                place = _combine(place, _declared(database.purposes, database.declared_in))
                for table in database.tables:
                    if not name_matches(table.pattern, location.table):
                        continue
                    place = _combine(place, _declared(table.purposes, table.declared_in))
                    columns.extend(column for column in table.columns if name_matches(column.pattern, location.column))
        inline = self._inline.get(_key(location))
        held = _held_category(columns, inline, category)
        for column in columns:
            place = _combine(place, _column_place(column, held))
        return _combine(place, inline) if inline else place

    def ignore_for(self, location: Location, category: str) -> Ignore | None:
        """The ignore covering a finding of `category` (or data type) at `location`: inline
        comments first (the column's, then its table's), then the data map's entries in order."""
        inline = self._inline.get(_key(location))
        if inline is not None and inline.ignore is not None:
            return inline.ignore
        if self.data_map is None:
            return None
        for entry in self.data_map.ignores:
            if entry.category in (ANY_CATEGORY, category) and self._covers(entry.place, entry.source, location):
                return Ignore(entry.reason, entry.declared_in)
        return None

    def silence(
        self, location: Location, warnings: tuple[str, ...]
    ) -> tuple[tuple[str, ...], tuple[SilencedWarning, ...]]:
        """`warnings` of a finding at `location` split into those raised and those a `silence:`
        entry covers (the first that does), with its reason and line."""
        if self.data_map is None or not warnings:
            return warnings, ()
        raised, silenced = [], []
        for warning in warnings:
            entry = next(
                (
                    entry
                    for entry in self.data_map.silences
                    if entry.warning == warning and self._covers(entry.place, entry.source, location)
                ),
                None,
            )
            if entry is None:
                raised.append(warning)
            else:
                silenced.append(SilencedWarning(warning, entry.reason, entry.declared_in))
        return tuple(raised), tuple(silenced)

    def _covers(self, place: str, source: str | None, location: Location) -> bool:
        """Whether an ignore's or silence's `place` (and `source`, if given) cover `location`."""
        assert self.data_map is not None
        if source is not None and not _source_matches(source, location, self.data_map.base_dir):
            return False
        return _place_matches(place, (location.column or "") if location.kind is SourceKind.LOG else location.place)

    def _for_log(self, location: Location, category: str | None) -> DeclaredPlace:
        place = NOTHING_DECLARED
        if self.data_map is None:
            return place
        logs = [log for log in self.data_map.logs if log_matches(log.pattern, location.source, self.data_map.base_dir)]
        fields = [[field for field in log.fields if field_matches(field.pattern, location.column)] for log in logs]
        held = _held_category([field for matching in fields for field in matching], None, category)
        for log, matching in zip(logs, fields, strict=True):
            place = _combine(place, _declared(log.purposes, log.declared_in))
            place = _combine(place, _category_place(log.categories, held))
            for field in matching:
                place = _combine(place, _column_place(field, held))
        return place

    def stale(self, tables: Sequence[Table], findings: Sequence[Finding] = ()) -> tuple[StaleDeclaration, ...]:
        """Exact table and column names in the data map that the scanned schemas do not have,
        and categories declared for an exact column or log field that no longer holds them.

        Only entries under a database entry that matched a scanned schema count: a schema not
        scanned this time says nothing about its entries. `findings` are as judged (an explicit
        category applied).
        """
        if self.data_map is None:
            return ()
        base_dir = self.data_map.base_dir
        stale = self._stale_field_categories(findings)
        for database in self.data_map.databases:
            scanned = [t for t in tables if database_matches(database, t.location, base_dir)]
            if not scanned:
                continue
            by_place: dict[tuple[str, str], list[Finding]] = {}
            if any(column.categories for table in database.tables for column in table.columns):
                in_database = [f for f in findings if f.location.kind is not SourceKind.LOG]
                by_place = _by_place([f for f in in_database if database_matches(database, f.location, base_dir)])
            named = _tables_by_name(scanned)
            for table in database.tables:
                if is_glob(table.pattern):
                    matching = [t for t in scanned if name_matches(table.pattern, t.name)]
                else:
                    matching = named.get(table.pattern.lower(), [])
                if not matching:
                    if not is_glob(table.pattern):
                        stale.append(
                            StaleDeclaration(
                                f"{database.pattern}.{table.pattern}",
                                table.declared_in,
                                "stale.table",
                                (("table", table.pattern), ("schema", database.pattern)),
                            )
                        )
                    continue
                for column in table.columns:
                    if is_glob(column.pattern):
                        continue
                    place = f"{database.pattern}.{table.pattern}.{column.pattern}"
                    if not any(name_matches(column.pattern, c.name) for t in matching for c in t.columns):
                        stale.append(
                            StaleDeclaration(
                                place,
                                column.declared_in,
                                "stale.column",
                                (("column", f"{table.pattern}.{column.pattern}"),),
                            )
                        )
                        continue
                    if not column.categories:
                        continue
                    held = [f for t in matching for f in by_place.get((t.name.lower(), column.pattern.lower()), [])]
                    where = ("stale.column_category", (("column", f"{table.pattern}.{column.pattern}"),))
                    stale.extend(_stale_categories(column, where, place, held))
        return tuple(stale)

    def _stale_field_categories(self, findings: Sequence[Finding]) -> list[StaleDeclaration]:
        """Categories declared for an exact log field whose values no longer hold them (the
        findings are looked through only for log entries with such fields)."""
        assert self.data_map is not None
        stale = []
        for log in self.data_map.logs:
            categorised = [field for field in log.fields if field.categories and not is_glob(field.pattern)]
            if not categorised:
                continue
            in_log = [f for f in findings if f.location.kind is SourceKind.LOG]
            in_log = [f for f in in_log if log_matches(log.pattern, f.location.source, self.data_map.base_dir)]
            by_field = _by_place(in_log)
            for field in categorised:
                held = by_field.get(("", field.pattern.lower()), [])
                where = ("stale.field_category", (("field", field.pattern), ("log", log.pattern)))
                stale.extend(_stale_categories(field, where, f"{log.pattern}.{field.pattern}", held))
        return stale


class _InlineReader:
    """Reads purposes (and, after `pdscan:`, a category) from DDL comments, checking every id."""

    def __init__(self, policy: Policy) -> None:
        self.purpose_ids = {purpose.id for purpose in policy.purposes}
        self.category_ids = {category.id for category in policy.categories}
        self.problems: list[Problem] = []

    def read(self, location: Location, texts: tuple[str | None, ...]) -> DeclaredPlace:
        purposes: list[str] = []
        category = None
        ignore = None
        for text in texts:
            if not text:
                continue
            marker = INLINE_MARKER.search(text)
            if marker is not None and INLINE_IGNORE.search(marker.group(1)):
                text, ignore = self.ignore(location, text, marker.start(1))
            for match in INLINE_PURPOSES.finditer(text):
                for purpose in (p.strip().lower() for p in match.group(1).split(",")):
                    if purpose in self.purpose_ids:
                        purposes.append(purpose)
                    else:
                        self.fail(location, f"unknown purpose '{purpose}'", did_you_mean(purpose, self.purpose_ids))
            marker = INLINE_MARKER.search(text)
            named = INLINE_CATEGORY.search(marker.group(1)) if marker else None
            if named is not None:
                if named.group(1).lower() in self.category_ids:
                    category = named.group(1).lower()
                else:
                    suggestion = did_you_mean(named.group(1), self.category_ids)
                    self.fail(location, f"unknown category '{named.group(1)}'", suggestion)
        if not purposes and category is None:
            return DeclaredPlace((), (), None, ignore) if ignore else NOTHING_DECLARED
        return DeclaredPlace(tuple(dict.fromkeys(purposes)), (_where(location),), category, ignore)

    def ignore(self, location: Location, text: str, after_marker: int) -> tuple[str, Ignore | None]:
        """The ignore of a `pdscan: ignore reason=…` comment, and the text left without its reason
        (a reason may say "purpose" in passing). No reason is an error at the DDL line."""
        reason = INLINE_REASON.search(text, after_marker)
        said = next((group for group in reason.groups() if group is not None), "").strip() if reason else ""
        if not said:
            self.problems.append(
                Problem(
                    location.source,
                    location.line or 1,
                    1,
                    f"`pdscan: ignore` on `{location.place}` without a reason: write "
                    "`-- pdscan: ignore reason=why this is not personal data to declare`",
                )
            )
            return text, None
        assert reason is not None
        return text[: reason.start()], Ignore(said, _where(location))

    def fail(self, location: Location, what: str, suggestion: str = "") -> None:
        self.problems.append(
            Problem(
                location.source,
                location.line or 1,
                1,
                f"{what} in the comment of `{location.place}`: use ids from `pdscan policy` "
                "(`purpose: a, b` or `-- pdscan: purpose=a,b`), or reword the comment" + suggestion,
            )
        )


def _stale_categories(
    entry: ColumnDeclaration, where: tuple[str, tuple[tuple[str, str], ...]], place: str, held: Sequence[Finding]
) -> list[StaleDeclaration]:
    """Per-category entries of a column or field for categories no longer found there. Judged
    only where the scan read values at the place: a name alone says nothing of what else a
    column holds (a DDL scan of a column whose values held e-mails and IPs)."""
    if not any(f.occurrences is not None or f.values is not None for f in held):
        return []
    categories = {f.category for f in held if f.category is not None}
    message, names = where  # the sentence of rules/labels.yaml, "_none" when no category was found
    found = tuple(sorted(categories))
    return [
        StaleDeclaration(
            f"{place}.{declared.category}",
            declared.declared_in,
            message if found else f"{message}_none",
            (*names, ("category", declared.category), ("found", found)),
        )
        for declared in entry.categories
        if declared.category not in categories
    ]


def _tables_by_name(tables: Sequence[Table]) -> dict[str, list[Table]]:
    """Tables by lower-cased name and, schema-qualified, by its last part too: what an exact
    name in the data map matches (`name_matches`), found without going through every table."""
    by_name: dict[str, list[Table]] = {}
    for table in tables:
        name = table.name.lower()
        for key in dict.fromkeys((name, name.split(".")[-1])):
            by_name.setdefault(key, []).append(table)
    return by_name


def _by_place(findings: Sequence[Finding]) -> dict[tuple[str, str], list[Finding]]:
    """Findings by (table, column) or ("", log field), lower-cased, so each exact entry looks up
    its own findings instead of going through all of them."""
    by_place: dict[tuple[str, str], list[Finding]] = {}
    for finding in findings:
        location = finding.location
        table = "" if location.kind is SourceKind.LOG else (location.table or "").lower()
        by_place.setdefault((table, (location.column or "").lower()), []).append(finding)
    return by_place


def _held_category(columns: Sequence[ColumnDeclaration], inline: DeclaredPlace | None, found: str | None) -> str | None:
    """The category whose per-category purposes apply: an explicit one (inline first, then the
    last matching entry's), else the category found."""
    if inline is not None and inline.category_override is not None:
        return inline.category_override
    return next((column.category for column in reversed(columns) if column.category), found)


def _column_place(column: ColumnDeclaration, category: str | None) -> DeclaredPlace:
    """A column or field entry: its purposes (an empty entry still says where it was declared),
    then those of `category`."""
    place = DeclaredPlace(column.purposes, (column.declared_in,), column.category)
    return _combine(place, _category_place(column.categories, category))


def _category_place(categories: Sequence[CategoryDeclaration], category: str | None) -> DeclaredPlace:
    place = NOTHING_DECLARED
    for declared in categories:
        if declared.category == category:
            place = _combine(place, _declared(declared.purposes, declared.declared_in))
    return place


def _where(location: Location) -> str:
    return f"{location.source}:{location.line}" if location.line else location.source


def _declared(purposes: tuple[str, ...], declared_in: str) -> DeclaredPlace:
    """A database or table entry counts as a declaration only if it gives purposes."""
    return DeclaredPlace(purposes, (declared_in,) if purposes else ())


def _combine(first: DeclaredPlace, second: DeclaredPlace) -> DeclaredPlace:
    return DeclaredPlace(
        purposes=tuple(dict.fromkeys(first.purposes + second.purposes)),
        declared_in=tuple(dict.fromkeys(first.declared_in + second.declared_in)),
        category_override=second.category_override or first.category_override,
        ignore=second.ignore or first.ignore,
    )


def _key(location: Location) -> tuple[str, str, str]:
    return (
        location.database or location.source,
        (location.table or "").lower(),
        (location.column or "").lower(),
    )


def _as_shown(pattern: str) -> str:
    """A declared name or path as scans name places: a personal value in it masked (reports and
    `pdscan init` name `backup_alice@example.com` as `***@*******.com`), so a data map written
    with the raw name still matches, and never echoes the value in a message."""
    return mask_name(pattern, as_glob=True)


def is_glob(pattern: str) -> bool:
    return not GLOB_CHARACTERS.isdisjoint(pattern)


def name_matches(pattern: str, name: str | None) -> bool:
    """Case-insensitive glob; a schema-qualified name also answers to its last part."""
    if name is None:
        return False
    lowered = pattern.lower()
    name = name.lower()
    return fnmatch.fnmatchcase(name, lowered) or fnmatch.fnmatchcase(name.split(".")[-1], lowered)


def database_matches(database: DatabaseDeclaration, location: Location, base_dir: Path) -> bool:
    """By name (file stem or folder name of the schema, a live database's name) or by `files` glob."""
    identity = location.database or location.source
    pattern = database.pattern.lower()
    names = {Path(identity).stem.lower(), Path(identity).name.lower(), identity.lower()}
    if any(fnmatch.fnmatchcase(name, pattern) for name in names):
        return True
    if not database.files:
        return False
    candidates = {_resolved(location.source), _resolved(identity)}
    base = _resolved(str(base_dir))
    return any(
        fnmatch.fnmatchcase(candidate, _under(base, glob)) for glob in database.files for candidate in candidates
    )


def field_matches(pattern: str, field: str | None) -> bool:
    """A log field glob against a field (case-insensitive); values in free text have none."""
    return field is not None and fnmatch.fnmatchcase(field.lower(), pattern.lower())


def _place_matches(pattern: str, place: str) -> bool:
    """An ignore's place glob against `table.column` (a schema-qualified table also answers
    to its last part) or a log field; case-insensitive."""
    pattern, place = pattern.lower(), place.lower()
    if fnmatch.fnmatchcase(place, pattern):
        return True
    table, _, column = place.rpartition(".")
    return "." in table and fnmatch.fnmatchcase(f"{table.rsplit('.', 1)[-1]}.{column}", pattern)


def _source_matches(pattern: str, location: Location, base_dir: Path) -> bool:
    """An ignore's `source`: a schema by its name (as database entries), a log by its path (as
    log entries)."""
    if location.kind is SourceKind.LOG:
        return log_matches(pattern, location.source, base_dir)
    return database_matches(DatabaseDeclaration(pattern, (pattern,), (), "", ()), location, base_dir)


def log_matches(pattern: str, log: str, base_dir: Path) -> bool:
    """A log path glob against a log: relative to the data map, as given, or its file name."""
    lowered = pattern.lower()
    if fnmatch.fnmatchcase(Path(log).name.lower(), lowered) or fnmatch.fnmatchcase(log.lower(), lowered):
        return True
    return fnmatch.fnmatchcase(_resolved(log), _under(_resolved(str(base_dir)), pattern))


def _under(base: str, glob: str) -> str:
    """A glob relative to the data map's folder as an absolute, lower-cased pattern; `../` steps
    out of the folder (a data map in config/ naming ../db/*.sql)."""
    return os.path.normpath(os.path.join(base, glob)).lower()


@functools.cache
def _resolved(path: str) -> str:
    """Absolute, lower-cased form of a path, so `files` globs compare case-insensitively."""
    return str(Path(path).resolve()).lower()
