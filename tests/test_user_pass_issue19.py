"""Defects a user pass over the sliced package found (install, logs, bad input), each a test."""

import json
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from pdscan.cli.commands import main

REPO = Path(__file__).resolve().parents[1]
LEFT_OUT = shutil.ignore_patterns(".git", ".venv", "*.egg-info", "build", "dist", "__pycache__", ".*_cache")


@pytest.mark.slow
def test_a_wheel_built_from_the_sdist_holds_the_bundled_rules(tmp_path: Path) -> None:
    """Release wheels are built from the sdist (`python -m build`, `pip install pdscan-X.tar.gz`):
    the link pdscan/rules -> ../rules must reach it, or the installed command cannot start."""
    checkout = tmp_path / "checkout"
    shutil.copytree(REPO, checkout, symlinks=True, ignore=LEFT_OUT)
    build = "from setuptools import build_meta; import sys; print(build_meta.build_sdist(sys.argv[1]))"
    sdists = tmp_path / "sdist"
    subprocess.run([sys.executable, "-c", build, str(sdists)], check=True, cwd=checkout, capture_output=True)
    (sdist,) = sdists.glob("pdscan-*.tar.gz")
    with tarfile.open(sdist) as archive:
        archive.extractall(tmp_path / "unpacked", filter="data")
    (unpacked,) = (tmp_path / "unpacked").iterdir()
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "-w", str(wheels), "."],
        check=True,
        cwd=unpacked,
        capture_output=True,
    )
    (wheel,) = wheels.glob("pdscan-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    bundled = {f"pdscan/rules/{path.name}" for path in (REPO / "rules").glob("*.yaml")}
    assert bundled <= names, sorted(bundled - names)
    assert "pdscan/rules/__init__.py" in names


def log_records(tmp_path: Path, name: str, text: str) -> list[dict[str, object]]:
    """The ndjson records of a scan of one log holding `text`."""
    log = tmp_path / name
    log.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["scan", str(log), "--format", "ndjson", "--fail-on", "never", "--quiet"])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]


def test_a_secret_in_an_unquoted_logfmt_query_string_is_a_credential(tmp_path: Path) -> None:
    """`url=/login?password=…` is the same query string as `url="/login?password=…"`: the quoted
    form was read key by key, the unquoted one judged whole as a URL, its password missed."""
    quoted = log_records(tmp_path, "quoted.log", 'level=info url="/login?password=Tr0ub4dor3&next=1"\n')
    unquoted = log_records(tmp_path, "unquoted.log", "level=info url=/login?password=Tr0ub4dor3&next=1\n")
    for records in (quoted, unquoted):
        assert [(r["field"], r["data_type"], r["value"]) for r in records] == [
            ("url.password", "user.authorization.credentials", "***")
        ]
