"""The CI files docs/ci.md tells users to copy: their pdscan commands are run as written, on
the example shop in a real git repository, and must do what the files promise."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import string
from pathlib import Path
from typing import Any

import pytest
import yaml
from support.ci_repo import GitRepo, validate_sarif
from support.command import run_pdscan
from support.paths import REPO

EXAMPLE = REPO / "examples" / "shop"
GITHUB_WORKFLOW = REPO / "examples" / "ci" / "github-workflow.yml"
GITLAB_JOB = REPO / "examples" / "ci" / "gitlab-ci.yml"
PRE_COMMIT_HOOKS = REPO / ".pre-commit-hooks.yaml"
NEW_MIGRATION = "-- 004: loyalty cards are posted.\nALTER TABLE customers ADD COLUMN home_address text;\n"


def pdscan_commands(lines: list[str], variables: dict[str, str] | None = None) -> list[list[str]]:
    """The pdscan invocations among shell lines, as the shell would split them."""
    commands = []
    for line in lines:
        if line.startswith("pdscan "):
            expanded = string.Template(line).substitute(variables or {})
            commands.append(shlex.split(expanded)[1:])
    return commands


def option(arguments: list[str], name: str) -> str:
    return arguments[arguments.index(name) + 1]


@pytest.fixture()
def shop_repo(tmp_path: Path) -> GitRepo:
    """A repository holding the example shop where pdscan's own holds it, committed."""
    repo = GitRepo(tmp_path)
    shutil.copytree(EXAMPLE, tmp_path / "examples" / "shop")
    repo.commit("the shop")
    return repo


def test_the_example_baseline_is_what_pdscan_baseline_writes_today(tmp_path: Path) -> None:
    """The committed baseline is current, and independent of where pdscan runs: written again
    from another folder (sources are named relative to the baseline file), no byte changes."""
    copy = tmp_path / "shop"
    shutil.copytree(EXAMPLE, copy)
    done = run_pdscan("baseline", ".", "--output", ".pdscan-baseline.json", cwd=copy)
    assert done.returncode == 0, done.stderr
    assert (copy / ".pdscan-baseline.json").read_bytes() == (EXAMPLE / ".pdscan-baseline.json").read_bytes()


def test_the_github_workflow_uploads_sarif_and_fails_only_on_new_findings(shop_repo: GitRepo) -> None:
    workflow = yaml.safe_load(GITHUB_WORKFLOW.read_text())
    assert workflow["permissions"]["security-events"] == "write", "upload-sarif needs it"
    steps = workflow["jobs"]["pdscan"]["steps"]
    runs = [step["run"] for step in steps if "run" in step]
    report_step, gate_step = pdscan_commands(runs)
    upload = next(step for step in steps if str(step.get("uses", "")).startswith("github/codeql-action/upload-sarif"))
    assert upload["if"] == "always()", "findings reach code scanning even when the gate fails"
    assert upload["with"]["sarif_file"] == option(report_step, "--output")

    # The report step never fails and writes valid SARIF with every finding of the shop.
    done = shop_repo.pdscan(*report_step)
    assert done.returncode == 0, done.stderr
    sarif = json.loads((shop_repo.root / option(report_step, "--output")).read_text())
    validate_sarif(sarif)
    results = sarif["runs"][0]["results"]
    assert {r["baselineState"] for r in results} == {"unchanged"}
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert uris and all(uri.startswith("examples/shop/") for uri in uris), "relative to the repository root"

    # The gate passes on the accepted past ...
    done = shop_repo.pdscan(*gate_step)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "::error" not in done.stdout and "::notice file=examples/shop/" in done.stdout
    # ... and fails on a new column, with an error annotation on the line that added it.
    shop_repo.write("examples/shop/migrations/004_loyalty.sql", NEW_MIGRATION)
    done = shop_repo.pdscan(*gate_step)
    assert done.returncode == 1
    [error] = [line for line in done.stdout.splitlines() if line.startswith("::error")]
    assert error.startswith("::error file=examples/shop/migrations/004_loyalty.sql,line=2,title=pdscan%3A undeclared")
    assert "customers.home_address" in error


def test_the_gitlab_job_fails_only_on_what_the_merge_request_adds(shop_repo: GitRepo) -> None:
    job = yaml.safe_load(GITLAB_JOB.read_text())["pdscan"]
    assert job["variables"]["GIT_DEPTH"] == "0", "--changed-since needs the base commit"
    base = shop_repo.git("rev-parse", "HEAD").strip()
    variables = {"CI_MERGE_REQUEST_DIFF_BASE_SHA": base}
    report_step, gate_step = pdscan_commands(job["script"], variables)
    assert option(report_step, "--output") in job["artifacts"]["paths"]

    done = shop_repo.pdscan(*report_step)
    assert done.returncode == 0, done.stderr
    validate_sarif(json.loads((shop_repo.root / option(report_step, "--output")).read_text()))

    # A merge request changing nothing in the schema passes; one adding a column fails, naming it.
    assert shop_repo.pdscan(*gate_step).returncode == 0
    shop_repo.write("examples/shop/migrations/004_loyalty.sql", NEW_MIGRATION)
    shop_repo.commit("004")
    done = shop_repo.pdscan(*gate_step)
    assert done.returncode == 1
    assert "home_address" in done.stdout and "undeclared" in done.stdout
    assert "gender" not in done.stdout, "places defined before the merge request are not listed"


def hooks() -> dict[str, dict[str, Any]]:
    return {hook["id"]: hook for hook in yaml.safe_load(PRE_COMMIT_HOOKS.read_text())}


def test_pre_commit_hooks_are_complete_and_run_pdscan() -> None:
    for hook in hooks().values():
        assert {"id", "name", "entry", "language"} <= set(hook)
        assert hook["language"] == "python", "pre-commit installs this repository with pip"
        assert hook["pass_filenames"] is False, "a migration alone is not the schema: scan it whole"
        assert hook["entry"].split()[:2] == ["pdscan", "scan"]
        for path in ("db/migrations/002_orders.sql", "schema.ddl", "pdscan.yml", "config/pdscan.yaml"):
            assert re.search(hook["files"], path), f"{hook['id']} must run when {path} changes"
        assert not re.search(hook["files"], "README.md")


def test_the_pdscan_hook_scans_the_repository_as_pre_commit_runs_it(tmp_path: Path) -> None:
    hook = hooks()["pdscan"]
    repo = GitRepo(tmp_path)
    shutil.copytree(EXAMPLE / "migrations", tmp_path / "migrations")
    shutil.copy(EXAMPLE / "pdscan.yml", tmp_path / "pdscan.yml")
    repo.commit("schema")
    arguments = hook["entry"].split()[1:] + hook["args"]
    done = repo.pdscan(*arguments)
    assert done.returncode == 1, "the example holds undeclared personal data"
    assert "customers" in done.stdout and done.stderr == "", "--quiet: only the report"
    # With the user's own args (a baseline), the same entry passes.
    assert repo.pdscan("baseline", "migrations").returncode == 0
    done = repo.pdscan(*hook["entry"].split()[1:], "migrations", "--baseline", ".pdscan-baseline.json")
    assert done.returncode == 0, done.stdout


def test_the_changed_hook_judges_only_what_the_commit_adds(tmp_path: Path) -> None:
    hook = hooks()["pdscan-changed"]
    repo = GitRepo(tmp_path)
    shutil.copytree(EXAMPLE / "migrations", tmp_path / "migrations")
    shutil.copy(EXAMPLE / "pdscan.yml", tmp_path / "pdscan.yml")
    repo.commit("schema")
    arguments = hook["entry"].split()[1:] + hook["args"]
    assert repo.pdscan(*arguments).returncode == 0, "nothing staged: nothing new"
    repo.write("migrations/004_loyalty.sql", NEW_MIGRATION)
    repo.git("add", "migrations/004_loyalty.sql")
    done = repo.pdscan(*arguments)
    assert done.returncode == 1
    assert "home_address" in done.stdout and "gender" not in done.stdout


def test_the_ci_guide_shows_the_ci_files_as_they_are() -> None:
    guide = (REPO / "docs" / "ci.md").read_text()
    for path in (GITHUB_WORKFLOW, GITLAB_JOB):
        assert f"```yaml\n{path.read_text().rstrip()}\n```" in guide, f"docs/ci.md's copy of {path.name} is stale"


@pytest.mark.parametrize("command", ["scan", "init", "baseline"])
def test_help_documents_the_exit_codes(command: str) -> None:
    done = run_pdscan(command, "--help", cwd=REPO)
    assert done.returncode == 0
    assert "Examples:" in done.stdout and "Exit codes:" in done.stdout
    codes = done.stdout.split("Exit codes:")[1]
    assert "0  " in codes and "2  usage or input error" in codes
    if command == "scan":
        assert "1  new findings at or above --fail-on" in codes and "baseline" in codes
