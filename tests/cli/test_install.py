"""A non-editable install finds its bundled rules: what users of `pip install pdscan` get."""

import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest
from support.paths import REPO

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed_pdscan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build a wheel of this checkout and install it, without its dependencies, in a new venv.

    The dependencies come from the test environment through PYTHONPATH (which does not run
    the editable install's .pth hook), so the only pdscan importable is the installed wheel.
    """
    work = tmp_path_factory.mktemp("install")
    wheels = work / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            str(wheels),
            str(REPO),
        ],
        check=True,
        cwd=work,
    )
    environment = work / "venv"
    venv.create(environment, with_pip=True)
    (wheel,) = wheels.glob("pdscan-*.whl")
    subprocess.run(
        [
            str(environment / "bin" / "python"),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            str(wheel),
        ],
        check=True,
        cwd=work,
    )
    return environment


def run_installed(environment: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=sysconfig.get_paths()["purelib"], NO_COLOR="1")
    return subprocess.run(
        [str(environment / "bin" / "pdscan"), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        check=False,
    )


def test_the_installed_package_is_the_wheel_not_the_checkout(installed_pdscan: Path, tmp_path: Path) -> None:
    python = installed_pdscan / "bin" / "python"
    env = dict(os.environ, PYTHONPATH=sysconfig.get_paths()["purelib"])
    where = subprocess.run(
        [
            str(python),
            "-c",
            "import pdscan, pdscan.rules; print(pdscan.__file__); print(pdscan.rules.__file__)",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        check=True,
    ).stdout.splitlines()
    assert all(str(installed_pdscan) in line for line in where), where


def test_the_installed_command_loads_the_bundled_policy(installed_pdscan: Path, tmp_path: Path) -> None:
    result = run_installed(installed_pdscan, "policy", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "date_of_birth" in result.stdout
    assert "§4d" in result.stdout


def test_the_installed_command_scans_with_its_rules_and_report_schema(installed_pdscan: Path, tmp_path: Path) -> None:
    schema = tmp_path / "schema.sql"
    schema.write_text("CREATE TABLE customers (id int, email varchar(255));\n", encoding="utf-8")
    result = run_installed(installed_pdscan, "scan", str(schema), "--format", "json", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert '"category": "email"' in result.stdout
    schema_check = subprocess.run(
        [
            str(installed_pdscan / "bin" / "python"),
            "-c",
            "import importlib.resources as r, json; "
            "print(json.loads((r.files('pdscan') / 'schemas' / 'report.schema.json').read_text())['$schema'])",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=True,
        env=dict(os.environ, PYTHONPATH=sysconfig.get_paths()["purelib"]),
    )
    assert "2020-12" in schema_check.stdout


def test_the_installed_command_writes_reports_with_their_stylesheet_and_labels(
    installed_pdscan: Path, tmp_path: Path
) -> None:
    schema = tmp_path / "schema.sql"
    schema.write_text("CREATE TABLE customers (id int, email varchar(255));\n", encoding="utf-8")
    result = run_installed(installed_pdscan, "scan", str(schema), "--format", "html", "--lang", "ru", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "section.verdict" in result.stdout, "report.css ships in the wheel and is inlined"
    assert "Хранится без заявленной цели" in result.stdout, "rules/labels.yaml ships in the wheel"


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
