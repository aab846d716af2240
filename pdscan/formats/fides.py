"""`--format fides`: the places found, as Fides datasets (privacy-as-code YAML).

One dataset per scanned source; a table (or a log) is a collection, a column (or a log field)
a field, nested by its dotted path for logs (`request.headers.User-Agent`). Data categories are
fideslang keys: pdscan's own extension keys (`user.device.user_agent`, marked `extension: true`
in rules/taxonomy.yaml) are given as their nearest fideslang parent, so `fides` accepts the
file. Values in a log's free text are the collection's own data categories. Purposes and
verdicts, which fideslang has no place for, are in each field's description.

An ignored place is kept, with no data category: the team said it holds no personal data to
declare, and its description says why and where the ignore was written, so the export never
publishes it as personal data nor hides that it was looked at.
"""

from __future__ import annotations

import functools
import importlib.resources
import re
from collections.abc import Iterable, Sequence
from pathlib import PurePath
from typing import Any

import yaml

from pdscan.formats.interface import FormatOptions
from pdscan.formats.places import HeldPlace, Inventory, held_places
from pdscan.model import Report, SourceKind, VerdictKind

NOT_IN_KEY = re.compile(r"[^A-Za-z0-9_]+")


class FidesFormat:
    def __init__(self, options: FormatOptions) -> None:
        self.words = options.wording.in_english()  # datasets for programs: English whatever --lang says; never coloured

    def format(self, report: Report) -> str:
        return self._datasets(report, held_places(report.verdicts))

    def format_inventory(self, inventory: Inventory) -> str:
        places = [place for holdings in inventory.holdings for place in holdings.places]
        return self._datasets(inventory.report, places)

    def _datasets(self, report: Report, places: Sequence[HeldPlace]) -> str:
        datasets = []
        keys: set[str] = set()
        for source in sorted({place.source for place in places}):
            in_source = [place for place in places if place.source == source]
            key = _unique_key("pdscan_" + NOT_IN_KEY.sub("_", source).strip("_"), keys)
            datasets.append(
                {
                    "fides_key": key,
                    "name": source,
                    "description": (
                        f"Personal data pdscan {report.tool_version} found in {source} "
                        f"({in_source[0].location.kind.value}), judged against the policy "
                        f"{report.policy.policy_id} ({report.policy.version})."
                    ),
                    "data_categories": _categories(in_source),
                    "collections": self._collections(in_source),
                }
            )
        document = {"dataset": datasets}
        return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False)

    def _collections(self, places: Sequence[HeldPlace]) -> list[dict[str, Any]]:
        collections = []
        for name in sorted({_collection(place) for place in places}):
            in_collection = [place for place in places if _collection(place) == name]
            free_text = [place for place in in_collection if place.location.column is None]
            fields = [place for place in in_collection if place.location.column is not None]
            collection: dict[str, Any] = {"name": name}
            if free_text:
                collection["description"] = "Free text: " + self._description(free_text)
                collection["data_categories"] = _categories(free_text)
            is_log = in_collection[0].location.kind is SourceKind.LOG
            collection["fields"] = self._fields([(_path(place, is_log), place) for place in fields])
            collections.append(collection)
        return collections

    def _fields(self, entries: Sequence[tuple[tuple[str, ...], HeldPlace]]) -> list[dict[str, Any]]:
        """Fields at one level; entries whose path goes deeper become nested fields."""
        fields = []
        for name in sorted({path[0] for path, _ in entries}, key=lambda n: (n.lower(), n)):
            here = [place for path, place in entries if path == (name,)]
            deeper = [(path[1:], place) for path, place in entries if path[0] == name and len(path) > 1]
            field: dict[str, Any] = {"name": name}
            if here:
                field["description"] = self._description(here)
                field["data_categories"] = _categories(here)
            if deeper:
                field["fields"] = self._fields(deeper)
            fields.append(field)
        return fields

    def _description(self, places: Sequence[HeldPlace]) -> str:
        """Category, clause, declared and permitted purposes and the verdict of each place."""
        parts = []
        for place in places:
            category = f"{place.category} ({place.clause})" if place.category else self.words.category_title(None)
            declared = ", ".join(place.declared_purposes) or "none"
            part = f"{category}; declared purposes: {declared}; pdscan verdict: {place.verdict.value}"
            if place.verdict is VerdictKind.IGNORED:
                ignored = place.worst
                part = f"{category}; ignored ({ignored.ignored_in}): {ignored.ignore_reason}"
                if ignored.unignored_kind:
                    part += f"; pdscan verdict without the ignore: {ignored.unignored_kind.value}"
            if place.defined_at:
                part += f"; defined at {place.defined_at}"
            parts.append(part)
        return " | ".join(parts)


def fideslang_key(data_type: str) -> str:
    """The data type's key, or its nearest parent that fideslang knows (not a pdscan extension)."""
    key = data_type
    while key in _extensions() and "." in key:
        key = key.rsplit(".", 1)[0]
    return key


@functools.cache
def _extensions() -> frozenset[str]:
    raw = (importlib.resources.files("pdscan.rules") / "taxonomy.yaml").read_text("utf-8")
    entries = yaml.safe_load(raw)["data_types"]
    return frozenset(key for key, entry in entries.items() if entry.get("extension"))


def _categories(places: Iterable[HeldPlace]) -> list[str]:
    """The data categories held: an ignored place holds none."""
    held = (place for place in places if place.verdict is not VerdictKind.IGNORED)
    return sorted({fideslang_key(data_type) for place in held for data_type in place.data_types})


def _collection(place: HeldPlace) -> str:
    if place.location.kind is SourceKind.LOG:
        return PurePath(place.table_or_file).name
    return place.location.table or place.source


def _path(place: HeldPlace, is_log: bool) -> tuple[str, ...]:
    column = place.location.column or ""
    parts = tuple(part for part in column.split(".") if part) if is_log else ()
    return parts or (column,)


def _unique_key(key: str, taken: set[str]) -> str:
    unique, number = key, 2
    while unique in taken:
        unique, number = f"{key}_{number}", number + 1
    taken.add(unique)
    return unique
