"""JSON reports of the command, validated against the schema pdscan ships, and read back by place."""

from __future__ import annotations

import importlib.resources
import json
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from support.command import REPO, run_pdscan


@cache
def report_schema() -> dict[str, Any]:
    return json.loads((importlib.resources.files("pdscan") / "schemas" / "report.schema.json").read_text())


def validate_report(report: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator(report_schema()).validate(report)


def json_report(
    *args: str, cwd: Path = REPO, stdin: str | None = None
) -> tuple[dict[str, Any], subprocess.CompletedProcess[str]]:
    """`pdscan scan ARGS --format json`: it exits 0 or 1 and its report is valid."""
    result = run_pdscan("scan", *args, "--format", "json", cwd=cwd, stdin=stdin)
    assert result.returncode in (0, 1), result.stderr
    report = json.loads(result.stdout)
    validate_report(report)
    return report, result


def verdicts_by_place(report: dict[str, Any]) -> dict[str, str]:
    return {f"{f['location']['table']}.{f['location']['column']}": f["verdict"] for f in report["findings"]}
