"""A throwaway git repository for the CI tests, and the SARIF schema their reports must pass.

Everything runs for real: `git`, and the command (`support.command.run_pdscan`), in a temporary
folder, with an environment that no user or CI setting can change (no colour, no global git config).
"""

from __future__ import annotations

import json
import os
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from support.command import run_pdscan
from support.json_reports import report_schema
from support.paths import FIXTURES

SARIF_SCHEMA = FIXTURES / "sarif" / "sarif-schema-2.1.0.json"


class GitRepo:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.git("init", "--quiet", "--initial-branch=main")

    def write(self, relative: str, text: str) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def commit(self, message: str) -> None:
        self.git("add", "--all")
        self.git("commit", "--quiet", "--message", message)

    def git(self, *args: str) -> str:
        done = subprocess.run(
            [
                "git",
                "-c",
                "user.name=pdscan tests",
                "-c",
                "user.email=tests@pdscan.invalid",
                "-c",
                "commit.gpgsign=false",
                *args,
            ],
            cwd=self.root,
            env=_git_environment(),
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout

    def pdscan(self, *args: str) -> subprocess.CompletedProcess[str]:
        return run_pdscan(*args, cwd=self.root)

    def json(self, *args: str) -> tuple[dict[str, Any], subprocess.CompletedProcess[str]]:
        """`pdscan scan … --format json`, the report validated against the shipped schema."""
        done = self.pdscan("scan", *args, "--format", "json")
        assert done.returncode in (0, 1), done.stderr
        report = json.loads(done.stdout)
        jsonschema.Draft202012Validator(report_schema()).validate(report)
        return report, done

    def sarif(self, *args: str) -> tuple[dict[str, Any], subprocess.CompletedProcess[str]]:
        """`pdscan scan … --format sarif`, validated against the official SARIF 2.1.0 schema."""
        done = self.pdscan("scan", *args, "--format", "sarif")
        assert done.returncode in (0, 1), done.stderr
        document = json.loads(done.stdout)
        validate_sarif(document)
        return document, done


def validate_sarif(document: dict[str, Any]) -> None:
    validator = jsonschema.Draft4Validator(sarif_schema(), format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
    validator.validate(document)


@cache
def sarif_schema() -> dict[str, Any]:
    return json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))


def findings_by_place(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f"{f['location']['table']}.{f['location']['column']}": f for f in report["findings"]}


def _git_environment() -> dict[str, str]:
    """git as no user setting can change it (pdscan's own runs: support.command.pdscan_environment)."""
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")
    environment = {key: os.environ[key] for key in keep if key in os.environ}
    environment.update(NO_COLOR="1", COLUMNS="160", GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull)
    return environment
