"""The shipped JSON Schemas validate real reports on their own, offline, with plain `jsonschema`
and the command docs/report.md shows: no registry, no resolver, no URL to fetch. The inventory
schema carries copies of the report schema's shared parts, held identical to them here."""

from __future__ import annotations

import importlib.resources
import json
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from support.command import run_pdscan
from support.paths import REPO
from support.report_outputs import copy_shop

# Inventory `$defs` name -> where the report schema holds the original.
SHARED = {
    "tool": ("properties", "tool"),
    "policy": ("properties", "policy"),
    "data_map": ("properties", "data_map"),
    "sources": ("properties", "sources"),
    "skipped": ("properties", "skipped"),
    "source_kind": ("$defs", "source_kind"),
    "verdict": ("$defs", "verdict"),
}
DOCUMENTS = [("report.json", "report.schema.json"), ("inventory.json", "inventory.schema.json")]
DOCUMENTED_COMMAND = re.compile(r"^python3 -c '.*jsonschema\.validate.*$", re.MULTILINE)


def schema(name: str) -> dict[str, Any]:
    return json.loads((importlib.resources.files("pdscan") / "schemas" / name).read_text("utf-8"))


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`report.json` and `inventory.json` of the example shop (DDL, a SQLite file, logs, a data map)."""
    shop = copy_shop(tmp_path_factory.mktemp("schemas"))
    scanned = run_pdscan(
        "scan", "shop", "--format", "json", "--output", "report.json", "-q", cwd=shop.parent, text=False
    )
    assert scanned.returncode == 1, scanned.stderr.decode()  # the shop holds undeclared data on purpose
    listed = run_pdscan(
        "inventory", "shop", "--format", "json", "--output", "inventory.json", "-q", cwd=shop.parent, text=False
    )
    assert listed.returncode == 0, listed.stderr.decode()
    return shop.parent


@pytest.mark.parametrize(("document", "schema_name"), DOCUMENTS)
def test_real_output_validates_with_plain_jsonschema(written: Path, document: str, schema_name: str) -> None:
    jsonschema.validate(json.loads((written / document).read_text("utf-8")), schema(schema_name))


@pytest.mark.parametrize(("document", "schema_name"), DOCUMENTS)
def test_the_validation_command_in_the_docs_works(written: Path, document: str, schema_name: str) -> None:
    """The command docs/report.md shows, run as written (with this interpreter as `python3`),
    on a valid document and on one the schema must refuse."""
    commands = DOCUMENTED_COMMAND.findall((REPO / "docs" / "report.md").read_text("utf-8"))
    assert commands, "docs/report.md shows no `python3 -c '... jsonschema.validate ...'` command"
    command = [sys.executable, *shlex.split(commands[0])[1:]]
    command[-2:] = [schema_name, document]
    valid = subprocess.run(command, capture_output=True, text=True, cwd=written, check=False)
    assert valid.returncode == 0, valid.stderr
    broken = json.loads((written / document).read_text("utf-8"))
    broken["sources"][0]["kind"] = "spreadsheet"  # no such source kind: a shared definition must refuse it
    (written / f"broken-{document}").write_text(json.dumps(broken), "utf-8")
    command[-1] = f"broken-{document}"
    refused = subprocess.run(command, capture_output=True, text=True, cwd=written, check=False)
    assert refused.returncode != 0 and "spreadsheet" in refused.stderr


@pytest.mark.parametrize("schema_name", ["report.schema.json", "inventory.schema.json"])
def test_every_reference_stays_inside_its_schema(schema_name: str) -> None:
    shipped = schema(schema_name)
    outside = [ref for ref in _refs(shipped) if not ref.startswith("#/")]
    assert not outside, f"{schema_name} refers outside itself: {outside}"


def test_the_inventory_schema_carries_the_report_definitions_unchanged() -> None:
    """One source of truth: a field changed in report.schema.json must be copied into the
    inventory schema's `$defs` in the same change."""
    report, inventory = schema("report.schema.json"), schema("inventory.schema.json")
    drifted = [name for name, (part, key) in SHARED.items() if inventory["$defs"].get(name) != report[part][key]]
    assert not drifted, f"copy report.schema.json's {drifted} into inventory.schema.json's $defs unchanged"
    assert set(inventory["$defs"]) == set(SHARED), "the inventory schema defines something the report does not share"


def _refs(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)
