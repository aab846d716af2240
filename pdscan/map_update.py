"""`pdscan init --update`: a data map the team has edited, brought up to date with a new scan.

The data map is the team's text: purposes, comments, ignores, order and quoting are theirs. So
it is edited as lines, never loaded and dumped again. Only whole lines are added: the new places,
written as `pdscan init` writes them (cut from a starter map of just those places, re-indented to
the block they join, appended at its end), and a `# gone since DATE` line above each exact table
or column entry the scan no longer finds (a stale declaration). The only lines removed are such
marks, once their place is back. Everything else stays byte for byte.

A place is already in the map when an entry declares it: its own column (or log field) entry,
purposes given to its whole table (or log), a category entry of its log for every category it
holds, or an ignore; a column or field entry giving purposes only per category (`categories:`)
gains the categories it lacks. Purposes given to a whole database do not count: they apply to
every table, new ones included, and say nothing of them. A new place joins the first entry reaching it whose
name is not a glob; under globs only, it gets an entry of its own.
"""

from __future__ import annotations

import fnmatch
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from pdscan.declarations import (
    ColumnDeclaration,
    DatabaseDeclaration,
    DataMap,
    TableDeclaration,
    database_matches,
    field_matches,
    is_glob,
    log_matches,
    name_matches,
)
from pdscan.model import Location, Report, SourceKind, Verdict, VerdictKind
from pdscan.starter_map import starter_data_map

GONE_MARK = re.compile(r"^[ \t]*# gone since \d{4}-\d{2}-\d{2}: ")
STEP = 2  # indentation of a block pdscan adds under an existing key
# What `pdscan init` writes after `databases: {}` when it found nothing: no longer true once
# places are added under it.
NOTHING_FOUND_COMMENT = re.compile(r"\s*#\s*the scan found no personal data\s*$")
_COMPOSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

Item = tuple[yaml.Node, yaml.Node]  # a key node and its value node


@dataclass(frozen=True)
class MapUpdate:
    """The updated text and what changed, for the message on stderr."""

    text: str
    added: int  # places added
    marked_gone: int  # entries newly marked `# gone since`
    back: int  # marks removed: their place is back
    not_added: tuple[str, ...] = ()  # places that could not be added, and why


def updated_data_map(text: str, data_map: DataMap, report: Report, today: str) -> MapUpdate:
    """`text` (the data map `data_map` was loaded from) with the places of `report` (a scan with
    that data map) it lacks added and its stale entries marked gone on `today`."""
    return _Update(text, data_map, report, today).run()


@dataclass
class _Target:
    """Where new places go: under `child` of an existing entry, or a new entry of a top key."""

    depth: int  # nesting of the entries (a `child:` created for them: one less); deeper first where blocks end together
    owner: Item | None  # the existing entry (None: the document root)
    child: str  # `databases`, `tables`, `columns`, `logs`, `fields` or `categories`
    of_place: bool = False  # `categories` of a column or field entry: one `category: []` line each
    verdicts: list[Verdict] = field(default_factory=list)

    def add(self, verdicts: list[Verdict]) -> None:
        self.verdicts.extend(verdicts)


class _Update:
    """One update: edits of the original lines collected first, applied together at the end,
    so every position refers to the text as the team wrote it."""

    def __init__(self, text: str, data_map: DataMap, report: Report, today: str) -> None:
        self.lines = text.splitlines(keepends=True)
        self.newline = "\r\n" if self.lines and self.lines[0].endswith("\r\n") else "\n"
        self.data_map = data_map
        self.report = report
        self.today = today
        self.root = yaml.compose(text, Loader=_COMPOSER)
        self.databases = list(zip(data_map.databases, _items(self._top("databases")), strict=True))
        self.logs = list(zip(data_map.logs, _items(self._top("logs")), strict=True))
        self.targets: dict[tuple[object, ...], _Target] = {}
        # Edits of the original lines: lines inserted before line i (with their sort key),
        # lines removed, a line rewritten.
        self.inserted: dict[int, list[tuple[tuple[int, int], list[str]]]] = defaultdict(list)
        self.removed: set[int] = set()
        self.rewritten: dict[int, str] = {}
        self.not_added: list[str] = []

    def run(self) -> MapUpdate:
        for verdicts in _places(self.report).values():
            self.place(verdicts)
        added = sum(self.add(target) for target in self.targets.values())
        marked, back = self.mark_gone()
        return MapUpdate(self.edited(), added, marked, back, tuple(self.not_added))

    # Which places are new, and where each goes.

    def place(self, verdicts: list[Verdict]) -> None:
        """Where the place of `verdicts` goes, unless an entry already declares it."""
        location = verdicts[0].finding.location
        if location.kind is SourceKind.LOG:
            self.log_place(location, verdicts)
        else:
            self.schema_place(location, verdicts)

    def schema_place(self, location: Location, verdicts: list[Verdict]) -> None:
        base = self.data_map.base_dir
        matching = [(d, item) for d, item in self.databases if database_matches(d, location, base)]
        for database, item in matching:
            for table, table_item in self.tables(database, item):
                if not name_matches(table.pattern, location.table):
                    continue
                if isinstance(table_item[1], yaml.SequenceNode) or table.purposes:
                    return  # purposes for the whole table (`users: [purposes]` or its `purposes:`)
                columns = zip(table.columns, _items(_value_of(table_item[1], "columns")), strict=True)
                if self.declared_place(
                    verdicts, [(c, i) for c, i in columns if name_matches(c.pattern, location.column)]
                ):
                    return
        exact = [(d, item) for d, item in matching if not is_glob(d.pattern)]
        if not exact:
            self.target(("databases",), 2, None, "databases").add(verdicts)
            return
        for database, item in exact:
            for table, table_item in self.tables(database, item):
                if not is_glob(table.pattern) and name_matches(table.pattern, location.table):
                    key = ("columns", table.declared_in)
                    self.target(key, 6, table_item, "columns").add(verdicts)
                    return
        database, item = exact[0]
        self.target(("tables", database.declared_in), 4, item, "tables").add(verdicts)

    def log_place(self, location: Location, verdicts: list[Verdict]) -> None:
        base = self.data_map.base_dir
        matching = [(log, item) for log, item in self.logs if log_matches(log.pattern, location.source, base)]
        field_name = location.column
        categories = {verdict.finding.category for verdict in verdicts}
        if field_name is None and None in categories and matching:
            return  # free text of no category is a comment in a new log entry, never an entry of its own
        declared_categories: set[str | None] = set()
        for log, item in matching:
            if isinstance(item[1], yaml.SequenceNode) or log.purposes:
                return  # purposes for the whole log (`"app.log": [purposes]` or its `purposes:`)
            fields = zip(log.fields, _items(_value_of(item[1], "fields")), strict=True)
            matched = [(f, i) for f, i in fields if fnmatch.fnmatchcase((field_name or "").lower(), f.pattern.lower())]
            if field_name is not None and self.declared_place(verdicts, matched):
                return
            declared_categories.update(declared.category for declared in log.categories)
        if matching and categories <= declared_categories:
            return  # every category it holds is declared for the log
        exact = [(log, item) for log, item in matching if not is_glob(log.pattern)]
        if not exact:
            self.target(("logs",), 2, None, "logs").add(verdicts)
            return
        log, item = exact[0]
        child = "fields" if field_name is not None else "categories"
        self.target((child, log.declared_in), 4, item, child).add(verdicts)

    def declared_place(self, verdicts: list[Verdict], entries: list[tuple[ColumnDeclaration, Item]]) -> bool:
        """Whether column or field entries reach the place (False: none does). An entry giving
        purposes only per category declares only those categories: the others the place holds
        join the `categories:` of the first such entry whose name is not a glob."""
        if not entries:
            return False
        if any(entry.purposes or entry.category or not entry.categories for entry, _ in entries):
            return True
        declared = {category.category for entry, _ in entries for category in entry.categories}
        new = [verdict for verdict in verdicts if verdict.finding.category not in declared]
        exact = [item for entry, item in entries if not is_glob(entry.pattern)]
        if new and exact:
            owner = exact[0]
            self.target(("categories", owner[0].start_mark.line), 8, owner, "categories", of_place=True).add(new)
        return True

    def tables(self, database: DatabaseDeclaration, item: Item) -> Iterator[tuple[TableDeclaration, Item]]:
        tables = _value_of(item[1], "tables")
        return zip(database.tables, _items(tables), strict=True)

    def target(
        self, key: tuple[object, ...], depth: int, owner: Item | None, child: str, *, of_place: bool = False
    ) -> _Target:
        if key not in self.targets:
            self.targets[key] = _Target(depth, owner, child, of_place)
        return self.targets[key]

    # Writing the new places.

    def add(self, target: _Target) -> int:
        """Append the target's places to its block; how many were added."""
        entries = self.category_entries(target) if target.of_place else self.starter_entries(target)
        existing = {_name(key) for key, _ in _items(self.block_of(target))}
        fresh = {name: entry for name, entry in entries.items() if name not in existing}
        where = self.owner_name(target)
        if len(fresh) < len(entries):
            taken = ", ".join(sorted(set(entries) - set(fresh)))
            self.not_added.append(f"{where}: an entry named {taken} exists but does not reach the new place(s)")
        if not fresh:
            return 0
        block = [line for lines, _ in fresh.values() for line in lines]
        if not self.append(target.owner, target.child, block, target.depth):
            self.not_added.append(
                f"{where} is written in a form pdscan cannot add to (a flow mapping, a list or an alias): "
                f"add {', '.join(fresh)} under it by hand"
            )
            return 0
        return sum(places for _, places in fresh.values())

    def starter_entries(self, target: _Target) -> dict[str, tuple[list[str], int]]:
        starter = starter_data_map(replace(self.report, verdicts=tuple(target.verdicts)), self.base_dir)
        return _starter_entries(starter, target.child)

    def category_entries(self, target: _Target) -> dict[str, tuple[list[str], int]]:
        """`category: []  # what was found` for each category new to a column or field entry:
        the line `pdscan init` writes for the place holding it alone, named for its category."""
        entries: dict[str, tuple[list[str], int]] = {}
        for verdict in target.verdicts:
            category = verdict.finding.category
            if category is None or category in entries:
                continue
            starter = starter_data_map(replace(self.report, verdicts=(verdict,)), self.base_dir)
            line = next(line.strip() for line in starter.splitlines() if line.strip().startswith("purposes: []"))
            entries[category] = ([category + line.removeprefix("purposes")], 1)
        return entries

    def append(self, owner: Item | None, child: str, block: list[str], depth: int) -> bool:
        """Add `block` (lines indented from 0) at the end of `child` of `owner` (the root when
        None), creating `child:` when missing; False when that cannot be done as lines."""
        mapping = self.root if owner is None else owner[1]
        owner_indent = 0 if owner is None else owner[0].start_mark.column + STEP
        if mapping is None or _is_empty(mapping):  # an empty document, or `users:` with nothing under it
            after = len(self.lines) - 1 if owner is None else owner[0].start_mark.line
            self.insert(after, depth - 1, [f"{child}:", *_indented(block, STEP)], owner_indent)
            return True
        if not isinstance(mapping, yaml.MappingNode) or mapping.flow_style or _aliased(owner):
            return False
        for key, value in mapping.value:
            if _name(key) != child:
                continue
            if _aliased((key, value)):
                return False
            if isinstance(value, yaml.MappingNode) and not value.flow_style and value.value:
                self.insert(_last_line(value), depth, block, value.value[0][0].start_mark.column)
                return True
            if _is_empty(value):
                self.insert(key.start_mark.line, depth, block, key.start_mark.column + STEP)
                return True
            if isinstance(value, yaml.MappingNode) and not value.value and value.start_mark.line == key.start_mark.line:
                self.empty_flow(value)  # `databases: {}`: the `{}` goes, its entries follow
                self.insert(key.start_mark.line, depth, block, key.start_mark.column + STEP)
                return True
            return False
        indent = mapping.value[0][0].start_mark.column
        self.insert(_last_line(mapping), depth - 1, [f"{child}:", *_indented(block, STEP)], indent)
        return True

    def empty_flow(self, value: yaml.Node) -> None:
        number = value.start_mark.line
        line = self.lines[number]
        body = line.rstrip("\r\n")
        kept = body[: value.start_mark.column].rstrip() + body[value.end_mark.column :]
        self.rewritten[number] = NOTHING_FOUND_COMMENT.sub("", kept).rstrip() + line[len(body) :]

    def insert(self, after: int, depth: int, block: list[str], indent: int) -> None:
        """Lines after original line `after` (0-based; -1: at the top), deeper blocks first."""
        self.inserted[after + 1].append(((0, -depth), _indented(block, indent)))

    # Entries the scan no longer finds.

    def mark_gone(self) -> tuple[int, int]:
        stale_lines = {_line_of(stale.declared_in) - 1 for stale in self.report.stale_declarations}
        stale_lines.discard(-1)
        marked = 0
        category_lines = self.category_lines()
        for number in sorted(stale_lines):
            if number >= len(self.lines):
                continue
            if number > 0 and GONE_MARK.match(self.lines[number - 1]):
                continue  # marked by an earlier update
            indent = len(self.lines[number]) - len(self.lines[number].lstrip(" \t"))
            why = "its place's values no longer hold it" if number in category_lines else "no scanned schema has it"
            mark = f"# gone since {self.today}: {why} (remove the entry, or rename it)"
            self.inserted[number].append(((1, 0), _indented([mark], indent)))
            marked += 1
        back = 0
        for number in (self.judged_lines() | self.held_category_lines()) - stale_lines:
            if number > 0 and GONE_MARK.match(self.lines[number - 1]):
                self.removed.add(number - 1)
                back += 1
        return marked, back

    def category_lines(self) -> set[int]:
        """Lines (0-based) of the per-category entries of columns and log fields."""
        columns = [c for database, _ in self.databases for table in database.tables for c in table.columns]
        places = columns + [field for log, _ in self.logs for field in log.fields]
        return {_line_of(declared.declared_in) - 1 for place in places for declared in place.categories}

    def held_category_lines(self) -> set[int]:
        """Lines (0-based) of the per-category entries whose place holds their category in this
        scan: a gone mark above one is removed, as above a place that came back."""
        if not self.category_lines():
            return set()
        base = self.data_map.base_dir
        lines: set[int] = set()
        for verdict in self.report.verdicts:
            location, category = verdict.finding.location, verdict.finding.category
            if location.kind is SourceKind.LOG:
                logs = [log for log, _ in self.logs if log_matches(log.pattern, location.source, base)]
                places = [f for log in logs for f in log.fields if field_matches(f.pattern, location.column)]
            else:
                databases = [d for d, _ in self.databases if database_matches(d, location, base)]
                tables = [t for d in databases for t in d.tables if name_matches(t.pattern, location.table)]
                places = [c for t in tables for c in t.columns if name_matches(c.pattern, location.column)]
            lines.update(_line_of(d.declared_in) - 1 for p in places for d in p.categories if d.category == category)
        return lines

    def judged_lines(self) -> set[int]:
        """Lines (0-based) of the exact table and column entries this scan could find stale: those
        under a database entry that matched a schema scanned this time."""
        scanned = [
            Location(source.source, source.kind)
            for source in self.report.sources
            if source.kind is not SourceKind.LOG and source.status != "skipped"
        ]
        scanned += [v.finding.location for v in self.report.verdicts if v.finding.location.kind is not SourceKind.LOG]
        lines: set[int] = set()
        for database, _ in self.databases:
            if not any(database_matches(database, location, self.data_map.base_dir) for location in scanned):
                continue
            for table in database.tables:
                if not is_glob(table.pattern):
                    lines.add(_line_of(table.declared_in) - 1)
                lines.update(_line_of(c.declared_in) - 1 for c in table.columns if not is_glob(c.pattern))
        return lines

    # The result.

    def edited(self) -> str:
        pieces: list[str] = []
        for number in range(len(self.lines) + 1):
            for _, block in sorted(self.inserted.get(number, []), key=lambda entry: entry[0]):
                if pieces and not pieces[-1].endswith("\n"):
                    pieces.append(self.newline)  # a last line without one
                pieces.extend(line + self.newline for line in block)
            if number < len(self.lines) and number not in self.removed:
                pieces.append(self.rewritten.get(number, self.lines[number]))
        return "".join(pieces)

    # Lookups.

    @property
    def base_dir(self) -> Path:
        return self.data_map.base_dir

    def _top(self, key: str) -> yaml.Node | None:
        return _value_of(self.root, key)

    def block_of(self, target: _Target) -> yaml.Node | None:
        return _value_of(self.root if target.owner is None else target.owner[1], target.child)

    def owner_name(self, target: _Target) -> str:
        if target.owner is None:
            return f"'{target.child}'"
        key = target.owner[0]
        return f"{self.data_map.path}:{key.start_mark.line + 1}: '{_name(key)}'"


def _places(report: Report) -> dict[tuple[str | None, ...], list[Verdict]]:
    """The places of a report as `pdscan init` lists them (a column, a log field, free text per
    category), each with its verdicts; ignored findings and standard input left out."""
    places: dict[tuple[str | None, ...], list[Verdict]] = defaultdict(list)
    for verdict in report.verdicts:
        location = verdict.finding.location
        identity = location.database or location.source
        if verdict.kind is VerdictKind.IGNORED or identity.startswith("<"):
            continue
        free_text = location.kind is SourceKind.LOG and location.column is None
        places[(identity, location.table, location.column, verdict.finding.category if free_text else None)].append(
            verdict
        )
    return places


def _starter_entries(starter: str, child: str) -> dict[str, tuple[list[str], int]]:
    """The entries a starter map has under `child` (of any database, table or log in it): by
    name, their lines indented from 0 and how many places they list."""
    lines = starter.splitlines()
    root = yaml.compose(starter, Loader=_COMPOSER)
    entries: dict[str, tuple[list[str], int]] = {}
    top = "logs" if child in ("logs", "fields", "categories") else "databases"
    for key, value in _items(_value_of(root, top)):
        if child in ("databases", "logs"):
            found = [(key, value)]
        elif child == "tables":
            found = _items(_value_of(value, "tables"))
        elif child == "columns":
            found = [
                column
                for _, table in _items(_value_of(value, "tables"))
                for column in _items(_value_of(table, "columns"))
            ]
        else:
            found = _items(_value_of(value, child))
        for entry_key, entry_value in found:
            indent = entry_key.start_mark.column
            cut = [line[indent:] for line in lines[entry_key.start_mark.line : _last_line(entry_value) + 1]]
            entries.setdefault(_name(entry_key), (cut, _place_count(entry_value, child)))
    return entries


def _place_count(entry: yaml.Node, child: str) -> int:
    """How many places a starter entry under `child` lists."""
    if child == "databases":
        return sum(len(_items(_value_of(table, "columns"))) for _, table in _items(_value_of(entry, "tables")))
    if child == "tables":
        return len(_items(_value_of(entry, "columns")))
    if child == "logs":
        return len(_items(_value_of(entry, "fields"))) + len(_items(_value_of(entry, "categories")))
    return 1


def _items(node: yaml.Node | None) -> list[Item]:
    return list(node.value) if isinstance(node, yaml.MappingNode) else []


def _value_of(node: yaml.Node | None, key: str) -> yaml.Node | None:
    return next((value for k, value in _items(node) if _name(k) == key), None)


def _name(key: yaml.Node) -> str:
    return str(key.value) if isinstance(key, yaml.ScalarNode) else ""


def _is_empty(node: yaml.Node) -> bool:
    """A value written as nothing at all (`users:` alone), not `~` or `null`."""
    return (
        isinstance(node, yaml.ScalarNode)
        and node.tag.endswith(":null")
        and node.start_mark.index == node.end_mark.index
    )


def _aliased(owner: Item | None) -> bool:
    """A value given through an alias (`users: *common`): its text is elsewhere."""
    return owner is not None and owner[1].start_mark.index < owner[0].end_mark.index


def _last_line(node: yaml.Node) -> int:
    """The last line (0-based) holding text of `node`: block collections end where what follows
    them starts, so their last entry decides."""
    if isinstance(node, yaml.MappingNode | yaml.SequenceNode) and not node.flow_style and node.value:
        last = node.value[-1]
        return max(_last_line(part) for part in last) if isinstance(last, tuple) else _last_line(last)
    end = node.end_mark
    return end.line - 1 if end.column == 0 and end.line > node.start_mark.line else end.line


def _indented(lines: list[str], indent: int) -> list[str]:
    return [(" " * indent + line) if line.strip() else "" for line in lines]


def _line_of(declared_in: str) -> int:
    """The line of a `path:line` a declaration was written at (0 when none)."""
    _, _, line = declared_in.rpartition(":")
    return int(line) if line.isdigit() else 0
