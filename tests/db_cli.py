"""Running `pdscan scan` on a database through the installed command, as users and CI do."""

from __future__ import annotations

import importlib.resources
import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema

PDSCAN = Path(sys.executable).parent / "pdscan"


def run(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "PGPASSWORD", "MYSQL_PWD")}
    environment.update({"NO_COLOR": "1", "COLUMNS": "160"})
    environment.update(env or {})
    return subprocess.run(
        [str(PDSCAN), "scan", *args], capture_output=True, text=True, cwd=cwd, env=environment, check=False, timeout=300
    )


def json_scan(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> tuple[dict, subprocess.CompletedProcess[str]]:
    """A JSON report, validated against the shipped schema; no traceback ever on stderr."""
    result = run(*args, "--format", "json", "--fail-on", "never", cwd=cwd, env=env)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode in (0, 1, 2), result.stderr
    report = json.loads(result.stdout) if result.stdout.strip() else {}
    if report:
        schema = json.loads((importlib.resources.files("pdscan") / "schemas" / "report.schema.json").read_text())
        jsonschema.Draft202012Validator(schema).validate(report)
    return report, result


def findings(report: dict) -> dict[tuple[str, str], list[dict]]:
    """(table, column) -> the findings there."""
    found: dict[tuple[str, str], list[dict]] = {}
    for finding in report["findings"]:
        location = finding["location"]
        found.setdefault((location["table"], location["column"]), []).append(finding)
    return found


def categories(report: dict) -> dict[tuple[str, str], set[str]]:
    return {place: {f["category"] for f in items} for place, items in findings(report).items()}
