"""The starter data map `pdscan init` writes: every place where a scan found personal data,
each with `purposes: []` for the team to fill in (per category, where a place holds more than
one) and a comment saying what was found there (category, policy clause, evidence, the
purposes the policy permits).

It is the first step of adoption, so it is written to be read and edited by people, and to
load as it is: scanning with it unchanged gives the same verdicts as scanning without it, and
no entry is stale. Paths are relative to the folder the file is written to, as the data map
reads them; the same scan always gives the same text.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from pdscan.model import Report, SourceKind, Verdict, VerdictKind
from pdscan.sentences import sentence
from pdscan.visible import json_text, visible

HEADER = """\
# pdscan data map, started by `pdscan init`: every place where the scan found personal data.
# Fill in each `purposes: []` with the purposes this place is held for (ids from `pdscan policy`),
# and under `categories:` each category's `[]`, where a place holds more than one;
# each comment says what was found: category (policy clause) · evidence · what the policy permits.
# Purposes add up downwards (database -> table -> column). Format: docs/data-map.md.
version: 1
"""
IGNORE_EXAMPLE = """\

# Places holding no real personal data may be ignored, each with its reason:
# ignore:
#   - place: "test_*.*"          # a glob over table.column (or a log field)
#     category: "*"              # a category id, or "*"
#     reason: "synthetic fixtures, never real people"
"""
PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
# Plain words YAML would read as booleans or null: quoted so a column named `on` stays a name.
YAML_WORDS = frozenset({"y", "yes", "n", "no", "true", "false", "on", "off", "null"})
GLOB_CHARACTERS = "*?["
Columns = dict[str, dict[str, list[Verdict]]]  # table -> column -> verdicts


def starter_data_map(report: Report, base_dir: Path) -> str:
    """The YAML text of a starter data map for the places of `report`."""
    schemas: dict[str, Columns] = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
    logs: dict[str, dict[str | None, list[Verdict]]] = defaultdict(lambda: defaultdict(list))
    for verdict in report.verdicts:
        location = verdict.finding.location
        identity = location.database or location.source
        if identity.startswith("<"):
            continue  # standard input has no name a data map could give
        if location.kind is SourceKind.LOG:
            logs[identity][location.column].append(verdict)
        else:
            schemas[identity][location.table or ""][location.column or ""].append(verdict)
    lines = [HEADER.rstrip("\n")]
    if schemas:
        lines.append("databases:")
        for name, identity in _database_names(schemas, base_dir):
            lines.extend(_database(name, identity, schemas[identity], base_dir))
    if logs:
        lines.append("logs:")
        for identity in sorted(logs):
            lines.extend(_log(identity, logs[identity], base_dir))
    if not schemas and not logs:
        lines.append("databases: {}  # the scan found no personal data")
    return "\n".join(lines) + "\n" + IGNORE_EXAMPLE


def place_count(report: Report) -> int:
    """How many places (column or log field; free text per category) the starter map lists."""
    return len({_place_key(verdict) for verdict in report.verdicts if not _from_stdin(verdict)})


def _database_names(schemas: Iterable[str], base_dir: Path) -> list[tuple[str, str]]:
    """(entry name, identity) per schema: its folder or file name, its path where names repeat."""
    names: dict[str, str] = {}
    for identity in sorted(schemas):
        name = Path(identity).stem if "://" not in identity else Path(identity).name
        if name.lower() in {known.lower() for known in names}:
            name = identity if "://" in identity else _relative(identity, base_dir)
        names[name] = identity
    return sorted(names.items(), key=lambda item: item[0].lower())


def _database(name: str, identity: str, tables: Columns, base_dir: Path) -> list[str]:
    lines = [f"  {_key(name)}:"]
    if "://" not in identity:
        relative = _relative(identity, base_dir)
        glob = f"{relative}/*" if Path(identity).is_dir() else relative
        lines.append(f"    files: [{json_text(glob)}]")
    lines.append("    tables:")
    for table in sorted(tables, key=str.lower):
        lines.append(f"      {_key(_literal(table))}:")
        lines.append("        columns:")
        for column in sorted(tables[table], key=str.lower):
            lines.extend(_place(" " * 10, column, tables[table][column]))
    return lines


def _log(identity: str, fields: dict[str | None, list[Verdict]], base_dir: Path) -> list[str]:
    lines = [f"  {json_text(_relative(identity, base_dir))}:"]
    by_category, uncovered = _by_category(fields.get(None, []))
    if by_category:
        lines.append("    categories:  # values in free text (no field), per category")
        for category in sorted(by_category):
            lines.append(f"      {_key(category)}: []  # {_about(by_category[category])}")
    for verdict in uncovered:
        lines.append(f"    # free text: {_about([verdict])}")
    named = sorted((field for field in fields if field is not None), key=str.lower)
    if named:
        lines.append("    fields:")
        for field in named:
            lines.extend(_place(" " * 6, field, fields[field]))
    return lines


def _place(indent: str, name: str, verdicts: list[Verdict]) -> list[str]:
    """A column or log field: `purposes: []`, or `[]` per category where it holds more than one
    (an e-mail and an IP address in one message field are held for different purposes)."""
    lines = [f"{indent}{_key(_literal(name))}:"]
    by_category, uncovered = _by_category(verdicts)
    if len(by_category) < 2:
        return [*lines, f"{indent}  purposes: []  # {_about(verdicts)}"]
    lines.append(f"{indent}  categories:  # more than one category here: purposes per category")
    for category in sorted(by_category):
        lines.append(f"{indent}    {_key(category)}: []  # {_about(by_category[category])}")
    lines.extend(f"{indent}  # also: {_about([verdict])}" for verdict in uncovered)
    return lines


def _by_category(verdicts: list[Verdict]) -> tuple[dict[str, list[Verdict]], list[Verdict]]:
    """Verdicts per category, and those of data no category covers."""
    by_category: dict[str, list[Verdict]] = defaultdict(list)
    uncovered = []
    for verdict in verdicts:
        if verdict.finding.category:
            by_category[verdict.finding.category].append(verdict)
        else:
            uncovered.append(verdict)
    return by_category, uncovered


def _about(verdicts: list[Verdict]) -> str:
    """One comment line: what was found, why, what the policy permits or says."""
    parts = []
    for verdict in sorted(verdicts, key=lambda v: (v.finding.category or "", v.finding.data_type)):
        finding = verdict.finding
        if finding.category is None:
            what = f"{finding.data_type}: no category of the policy covers it (stop holding it or extend the policy)"
        elif verdict.kind is VerdictKind.NO_POLICY_PURPOSE:
            what = f"{finding.category} ({verdict.clause}): the policy names no purpose for it, no declaration helps"
        else:
            what = f"{finding.category} ({verdict.clause})"
        evidence = "; ".join(sentence(evidence) for evidence in finding.evidence)
        parts.append(f"{what} · {evidence}")
        if verdict.declared_purposes:
            parts.append(f"already declared ({', '.join(verdict.declared_in)}): {', '.join(verdict.declared_purposes)}")
        if verdict.permitted_purposes:
            parts.append(f"permitted: {', '.join(verdict.permitted_purposes)}")
    return visible(" · ".join(dict.fromkeys(parts)).replace("\n", " "))


def _key(name: str) -> str:
    if PLAIN_KEY.fullmatch(name) and name.lower() not in YAML_WORDS:
        return name
    return json_text(name)  # a double-quoted YAML scalar, every control character escaped


def _literal(name: str) -> str:
    """A name as a glob that matches only itself (`[*]` for a literal `*`)."""
    return "".join(f"[{character}]" if character in GLOB_CHARACTERS else character for character in name)


def _relative(path: str, base_dir: Path) -> str:
    try:
        return Path(os.path.relpath(os.path.abspath(path), os.path.abspath(base_dir))).as_posix()
    except ValueError:  # another drive (Windows)
        return Path(os.path.abspath(path)).as_posix()


def _place_key(verdict: Verdict) -> tuple[str, str | None, str | None, str | None]:
    location = verdict.finding.location
    category = verdict.finding.category if location.kind is SourceKind.LOG and location.column is None else None
    return (location.database or location.source, location.table, location.column, category)


def _from_stdin(verdict: Verdict) -> bool:
    location = verdict.finding.location
    return (location.database or location.source).startswith("<")
