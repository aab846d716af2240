"""`pdscan inventory --format json`: per category, every place holding it, for scripts.

Deterministic like the report (the time is the only thing that changes between identical
scans); its JSON Schema ships as `pdscan/schemas/inventory.schema.json` and docs/report.md
describes it field by field.
"""

from __future__ import annotations

from typing import Any

from pdscan.formats.interface import FormatOptions
from pdscan.formats.json import report_document
from pdscan.formats.places import HeldPlace, Inventory
from pdscan.visible import json_text

INVENTORY_SCHEMA_VERSION = "1.2.0"


class InventoryJsonFormat:
    def __init__(self, options: FormatOptions) -> None:
        self.words = options.wording  # never coloured

    def format_inventory(self, inventory: Inventory) -> str:
        return json_text(self.document(inventory), indent=2) + "\n"

    def document(self, inventory: Inventory) -> dict[str, Any]:
        report = report_document(inventory.report, self.words)
        policy = self.words.policy
        return {
            "schema_version": INVENTORY_SCHEMA_VERSION,
            "tool": report["tool"],
            "generated_at": report["generated_at"],
            "policy": report["policy"],
            "data_map": report["data_map"],
            "sources": report["sources"],
            "skipped": report["skipped"],
            "asked": list(inventory.asked),
            "categories": [
                {
                    "id": holdings.category,
                    "title": self.words.category_title(holdings.category),
                    "clause": policy.category(holdings.category).clause if holdings.category else None,
                    "policy_words": self.words.clause_words(holdings.category),
                    "places": [_place(place) for place in holdings.places],
                }
                for holdings in inventory.holdings
            ],
        }


def _place(place: HeldPlace) -> dict[str, Any]:
    location = place.location
    return {
        "source": place.source,
        "kind": location.kind.value,
        "table": location.table,
        "column": location.column,
        "defined_at": place.defined_at or None,
        "data_types": list(place.data_types),
        "declared_purposes": list(place.declared_purposes),
        "declared_in": list(place.declared_in),
        "permitted_purposes": list(place.permitted_purposes),
        "verdict": place.verdict.value,
        "values_seen": place.values_seen,
        "fingerprints": list(place.fingerprints),
        "ignore_reason": place.worst.ignore_reason,
        "ignored_in": place.worst.ignored_in,
    }
