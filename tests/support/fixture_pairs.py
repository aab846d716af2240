"""Fixture pairs, as sqlfluff keeps its dialect cases: an input (`<kind>/<family>/<case>.<suffix>`,
or a folder `<case>/` read as one input) beside `<case>.expected.yml`, what pdscan must make of it.
One generic test per kind reads every pair; a new case is a new input file and its expectations,
written by the test itself and then read and corrected by hand:

    PDSCAN_UPDATE_FIXTURES=1 .venv/bin/python -m pytest tests/unit/sources/ddl/test_ddl_dialects.py

rewrites every expected file of that test from what pdscan does now (an `about:` text is kept).
Commit one only once it says what pdscan should do, not merely what it did.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from support.paths import FIXTURES

UPDATE = os.environ.get("PDSCAN_UPDATE_FIXTURES") == "1"
EXPECTED_SUFFIX = ".expected.yml"


@dataclass(frozen=True)
class FixturePair:
    family: str  # the folder: a dialect or a log format
    path: Path  # the input: a file, or a folder read as one input
    expected_path: Path

    @property
    def name(self) -> str:
        return self.path.name.removesuffix(self.path.suffix) if self.path.is_file() else self.path.name


def fixture_pairs(kind: str, suffix: str, leave_out: tuple[str, ...] = ()) -> list[Any]:
    """Every case under tests/fixtures/<kind>/<family>/, as pytest parameters named family/case."""
    pairs = []
    for family in sorted(p for p in (FIXTURES / kind).iterdir() if p.is_dir() and p.name not in leave_out):
        for path in sorted(family.iterdir()):
            if path.is_dir() or path.suffix == suffix:
                stem = path.name.removesuffix(suffix) if path.is_file() else path.name
                pair = FixturePair(family.name, path, family / f"{stem}{EXPECTED_SUFFIX}")
                pairs.append(pytest.param(pair, id=f"{family.name}/{pair.name}"))
    return pairs


def check_pair(pair: FixturePair, found: dict[str, Any]) -> None:
    """`found` equals the pair's expectations; under PDSCAN_UPDATE_FIXTURES=1, it becomes them."""
    expected = _read(pair.expected_path)
    if UPDATE:
        about = {"about": expected["about"]} if "about" in expected else {}
        pair.expected_path.write_text(_dump({**about, **found}), encoding="utf-8")
        return
    assert expected, (
        f"{pair.expected_path} is missing: PDSCAN_UPDATE_FIXTURES=1 writes it from what pdscan does now; "
        "read it and correct it before committing"
    )
    expected.pop("about", None)
    assert found == expected


def _read(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else {}


class Flow(dict[str, Any]):
    """A mapping written on one line of an expected file (a column, a finding), so a diff shows it."""


class FlowList(list[Any]):
    """A list written on one line of an expected file (a line's fields)."""


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(Flow, lambda dumper, data: dumper.represent_mapping("tag:yaml.org,2002:map", data, True))
_Dumper.add_representer(FlowList, lambda dumper, data: dumper.represent_sequence("tag:yaml.org,2002:seq", data, True))


def _dump(document: dict[str, Any]) -> str:
    return yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=10_000)
