"""The company's record of why each place holds personal data.

Two sources, adding up: the data map `pdscan.yml` (database -> table -> column, purposes
adding downwards, names as globs) and purposes written inline in the DDL itself (column and
table comments, trailing `-- pdscan: purpose=…`). Every purpose id is checked against the
policy, so a typo is an error with file:line, never a silently undeclared column.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pdscan.model import Location, StaleDeclaration, Table
from pdscan.policy import Policy
from pdscan.yaml_lines import Marked, Problem, YamlError, load_marked

INLINE_PURPOSES = re.compile(r"\bpurposes?\s*[:=]\s*([A-Za-z0-9_]+(?:\s*,\s*[A-Za-z0-9_]+)*)", re.IGNORECASE)
INLINE_CATEGORY = re.compile(r"\bcategory\s*[:=]\s*([A-Za-z0-9_]+)", re.IGNORECASE)
GLOB_CHARACTERS = frozenset("*?[")


class DeclarationError(Exception):
    """Every problem found in the data map or in inline declarations."""

    def __init__(self, problems: tuple[Problem, ...]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class ColumnDeclaration:
    pattern: str
    purposes: tuple[str, ...]
    category: str | None
    declared_in: str


@dataclass(frozen=True)
class TableDeclaration:
    pattern: str
    purposes: tuple[str, ...]
    declared_in: str
    columns: tuple[ColumnDeclaration, ...]


@dataclass(frozen=True)
class DatabaseDeclaration:
    pattern: str
    files: tuple[str, ...]
    purposes: tuple[str, ...]
    declared_in: str
    tables: tuple[TableDeclaration, ...]


@dataclass(frozen=True)
class DataMap:
    """A loaded pdscan.yml; `files` globs are relative to the directory it lives in."""

    path: str
    base_dir: Path
    databases: tuple[DatabaseDeclaration, ...]


@dataclass(frozen=True)
class DeclaredPlace:
    """What is declared for one place: purposes, where each came from, an explicit category."""

    purposes: tuple[str, ...]
    declared_in: tuple[str, ...]
    category_override: str | None = None


def load_data_map(path: Path, policy: Policy) -> DataMap:
    """Read and check a data map; raises DeclarationError listing every problem."""
    try:
        marked = load_marked(path)
    except YamlError as error:
        raise DeclarationError(error.problems) from None
    return _DataMapReader(marked, policy, path.parent).read()


class _DataMapReader:
    def __init__(self, marked: Marked, policy: Policy, base_dir: Path) -> None:
        self.marked = marked
        self.policy = policy
        self.base_dir = base_dir
        self.problems: list[Problem] = []

    def fail(self, container: Any, message: str, entry: Any = None, on_key: bool = False) -> None:
        self.problems.append(self.marked.problem(container, message, entry, on_key))

    def where(self, container: Any, entry: Any = None) -> str:
        problem = self.marked.problem(container, "", entry, on_key=entry is not None)
        return f"{problem.path}:{problem.line}"

    def read(self) -> DataMap:
        root = self.marked.value
        if root is None:
            root = {}
        if not isinstance(root, dict):
            self.fail(root, "a data map is a mapping with 'version' and 'databases'")
            raise DeclarationError(tuple(self.problems))
        self.unknown_keys(root, {"version", "databases", "logs", "ignore"}, "the data map")
        if root.get("version", 1) != 1:
            self.fail(root, "unsupported data map version (this pdscan reads version 1)", "version")
        databases = self.mapping(root.get("databases", {}), root, "databases")
        declared = tuple(self.database(str(name), entry, databases) for name, entry in databases.items())
        if self.problems:
            raise DeclarationError(tuple(sorted(set(self.problems), key=lambda p: (p.line, p.column))))
        return DataMap(self.marked.path, self.base_dir, declared)

    def database(self, name: str, entry: Any, parent: dict[str, Any]) -> DatabaseDeclaration:
        fields = self.mapping(entry, parent, f"database '{name}'", name)
        self.unknown_keys(fields, {"files", "purposes", "tables"}, f"database '{name}'")
        files = fields.get("files", [])
        if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
            self.fail(fields, "'files' must be a list of globs", "files")
            files = []
        tables = self.mapping(fields.get("tables", {}), fields, "tables", "tables")
        return DatabaseDeclaration(
            pattern=name,
            files=tuple(files),
            purposes=self.purposes(fields, "purposes"),
            declared_in=self.where(parent, name),
            tables=tuple(self.table(str(t), value, tables) for t, value in tables.items()),
        )

    def table(self, name: str, entry: Any, parent: dict[str, Any]) -> TableDeclaration:
        if isinstance(entry, list):  # short form: `users: [customer_support]`
            return TableDeclaration(name, self.purpose_list(entry, parent, name), self.where(parent, name), ())
        fields = self.mapping(entry, parent, f"table '{name}'", name)
        self.unknown_keys(fields, {"purposes", "columns"}, f"table '{name}'")
        columns = self.mapping(fields.get("columns", {}), fields, "columns", "columns")
        return TableDeclaration(
            pattern=name,
            purposes=self.purposes(fields, "purposes"),
            declared_in=self.where(parent, name),
            columns=tuple(self.column(str(c), value, columns) for c, value in columns.items()),
        )

    def column(self, name: str, entry: Any, parent: dict[str, Any]) -> ColumnDeclaration:
        if isinstance(entry, list):
            return ColumnDeclaration(name, self.purpose_list(entry, parent, name), None, self.where(parent, name))
        fields = self.mapping(entry, parent, f"column '{name}'", name)
        self.unknown_keys(fields, {"purposes", "category"}, f"column '{name}'")
        category = fields.get("category")
        if category is not None and not self.known_category(category):
            self.fail(fields, f"unknown category '{category}' (see `pdscan policy`)", "category")
            category = None
        return ColumnDeclaration(name, self.purposes(fields, "purposes"), category, self.where(parent, name))

    def purposes(self, fields: dict[str, Any], key: str) -> tuple[str, ...]:
        if key not in fields:
            return ()
        return self.purpose_list(fields[key], fields, key)

    def purpose_list(self, value: Any, parent: Any, key: Any) -> tuple[str, ...]:
        if not isinstance(value, list):
            self.fail(parent, "purposes must be a list of purpose ids, e.g. [customer_support]", key)
            return ()
        purposes = []
        for index, purpose in enumerate(value):
            if not isinstance(purpose, str) or not self.known_purpose(purpose):
                self.fail(
                    value,
                    f"unknown purpose '{purpose}' (the policy's purposes: `pdscan policy`)",
                    index,
                )
            else:
                purposes.append(purpose)
        return tuple(purposes)

    def mapping(self, value: Any, parent: Any, what: str, key: Any = None) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.fail(parent, f"{what} must be a mapping", key)
            return {}
        return value

    def unknown_keys(self, fields: dict[str, Any], allowed: set[str], what: str) -> None:
        for key in sorted(set(map(str, fields)) - allowed):
            self.fail(
                fields,
                f"unknown key '{key}' in {what} (expected: {', '.join(sorted(allowed))})",
                key,
                on_key=True,
            )

    def known_purpose(self, purpose: str) -> bool:
        return any(p.id == purpose for p in self.policy.purposes)

    def known_category(self, category: Any) -> bool:
        return isinstance(category, str) and any(c.id == category for c in self.policy.categories)


class Declarations:
    """Answers "what is declared for this place?" from the data map and inline comments."""

    def __init__(self, data_map: DataMap | None, inline: dict[tuple[str, str, str], DeclaredPlace]) -> None:
        self.data_map = data_map
        self._inline = inline

    @classmethod
    def build(cls, data_map: DataMap | None, tables: Sequence[Table], policy: Policy) -> Declarations:
        """Collect inline purposes of every table and column; unknown ids raise DeclarationError."""
        problems: list[Problem] = []
        inline: dict[tuple[str, str, str], DeclaredPlace] = {}
        for table in tables:
            table_place = _inline_place(table.location, (table.comment, table.annotation), policy, problems)
            for column in table.columns:
                column_place = _inline_place(column.location, (column.comment, column.annotation), policy, problems)
                combined = _combine(table_place, column_place)
                if combined.purposes or combined.category_override:
                    inline[_key(column.location)] = combined
        if problems:
            raise DeclarationError(tuple(problems))
        return cls(data_map, inline)

    def for_location(self, location: Location) -> DeclaredPlace:
        place = DeclaredPlace((), ())
        if self.data_map is not None:
            for database in self.data_map.databases:
                if not _database_matches(database, location, self.data_map.base_dir):
                    continue
                place = _combine(
                    place,
                    DeclaredPlace(database.purposes, _where(database.purposes, database.declared_in)),
                )
                for table in database.tables:
                    if not _name_matches(table.pattern, location.table):
                        continue
                    place = _combine(
                        place,
                        DeclaredPlace(table.purposes, _where(table.purposes, table.declared_in)),
                    )
                    for column in table.columns:
                        if _name_matches(column.pattern, location.column):
                            place = _combine(
                                place,
                                DeclaredPlace(column.purposes, (column.declared_in,), column.category),
                            )
        inline = self._inline.get(_key(location))
        return _combine(place, inline) if inline else place

    def stale(self, tables: Sequence[Table]) -> tuple[StaleDeclaration, ...]:
        """Exact table and column names in the data map that the scanned schemas no longer have."""
        if self.data_map is None:
            return ()
        stale = []
        for database in self.data_map.databases:
            scanned = [t for t in tables if _database_matches(database, t.location, self.data_map.base_dir)]
            if not scanned:
                continue
            for table in database.tables:
                matching = [t for t in scanned if _name_matches(table.pattern, t.name)]
                if not matching:
                    if not _is_glob(table.pattern):
                        stale.append(
                            StaleDeclaration(
                                f"{database.pattern}.{table.pattern}",
                                table.declared_in,
                                f"table `{table.pattern}` is declared but no scanned schema of "
                                f"`{database.pattern}` has it: remove or rename the entry",
                            )
                        )
                    continue
                for column in table.columns:
                    if _is_glob(column.pattern):
                        continue
                    if not any(_name_matches(column.pattern, c.name) for t in matching for c in t.columns):
                        stale.append(
                            StaleDeclaration(
                                f"{database.pattern}.{table.pattern}.{column.pattern}",
                                column.declared_in,
                                f"column `{table.pattern}.{column.pattern}` is declared but not in the "
                                "scanned schema: remove or rename the entry",
                            )
                        )
        return tuple(stale)


def _inline_place(
    location: Location, texts: tuple[str | None, ...], policy: Policy, problems: list[Problem]
) -> DeclaredPlace:
    purposes: list[str] = []
    category = None
    where = f"{location.source}:{location.line}" if location.line else location.source
    for text in texts:
        if not text:
            continue
        for match in INLINE_PURPOSES.finditer(text):
            for purpose in (p.strip() for p in match.group(1).split(",")):
                if any(p.id == purpose for p in policy.purposes):
                    purposes.append(purpose)
                else:
                    problems.append(
                        Problem(
                            location.source,
                            location.line or 1,
                            1,
                            f"unknown purpose '{purpose}' in the comment of "
                            f"`{location.place}` (the policy's purposes: `pdscan policy`)",
                        )
                    )
        if (match := INLINE_CATEGORY.search(text)) is not None:
            if any(c.id == match.group(1) for c in policy.categories):
                category = match.group(1)
            else:
                problems.append(
                    Problem(
                        location.source,
                        location.line or 1,
                        1,
                        f"unknown category '{match.group(1)}' in the comment of `{location.place}`",
                    )
                )
    return DeclaredPlace(tuple(dict.fromkeys(purposes)), (where,) if purposes or category else (), category)


def _combine(first: DeclaredPlace, second: DeclaredPlace) -> DeclaredPlace:
    return DeclaredPlace(
        purposes=tuple(dict.fromkeys(first.purposes + second.purposes)),
        declared_in=tuple(dict.fromkeys(first.declared_in + second.declared_in)),
        category_override=second.category_override or first.category_override,
    )


def _where(purposes: tuple[str, ...], declared_in: str) -> tuple[str, ...]:
    return (declared_in,) if purposes else ()


def _key(location: Location) -> tuple[str, str, str]:
    return (
        location.database or location.source,
        (location.table or "").lower(),
        (location.column or "").lower(),
    )


def _is_glob(pattern: str) -> bool:
    return not GLOB_CHARACTERS.isdisjoint(pattern)


def _name_matches(pattern: str, name: str | None) -> bool:
    """Case-insensitive glob; a schema-qualified name also answers to its last part."""
    if name is None:
        return False
    lowered = pattern.lower()
    return fnmatch.fnmatchcase(name.lower(), lowered) or fnmatch.fnmatchcase(name.lower().split(".")[-1], lowered)


def _database_matches(database: DatabaseDeclaration, location: Location, base_dir: Path) -> bool:
    """By name (file stem or folder name of the schema, a live database's name) or by `files` glob."""
    identity = location.database or location.source
    names = {Path(identity).stem.lower(), Path(identity).name.lower(), identity.lower()}
    if database.pattern == "*" or any(fnmatch.fnmatchcase(n, database.pattern.lower()) for n in names):
        return True
    candidates = {str(Path(path).resolve()) for path in (location.source, identity)}
    base = base_dir.resolve()
    return any(
        fnmatch.fnmatchcase(candidate, str(base / pattern)) for pattern in database.files for candidate in candidates
    )
