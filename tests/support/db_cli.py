"""Running `pdscan scan` on a database through the installed command, as users and CI do."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from support.command import run_pdscan
from support.json_reports import validate_report


def json_scan(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> tuple[dict, subprocess.CompletedProcess[str]]:
    """A JSON report, validated against the shipped schema; no traceback ever on stderr."""
    result = run_pdscan("scan", *args, "--format", "json", "--fail-on", "never", cwd=cwd, env=env, timeout=300)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode in (0, 1, 2), result.stderr
    report = json.loads(result.stdout) if result.stdout.strip() else {}
    if report:
        validate_report(report)
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
