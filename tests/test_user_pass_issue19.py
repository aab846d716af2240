"""Defects a user pass over the sliced package found (install, logs, bad input), each a test."""

import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

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
