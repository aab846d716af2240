"""Bad input around reports: unknown --lang, --format or --category, an unwritable --output, and
an existing report overwritten atomically (whole, or not at all)."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.command import run_pdscan
from support.report_outputs import copy_shop


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_shop(tmp_path_factory.mktemp("bad-input"))


@pytest.mark.parametrize("command", ["scan", "inventory"])
def test_an_unknown_language_or_format_is_a_usage_error(shop: Path, command: str) -> None:
    for option, value in (("--lang", "fr"), ("--format", "pdf")):
        result = run_pdscan(command, "shop", option, value, cwd=shop.parent, text=False)
        assert result.returncode == 2
        message = result.stderr.decode()
        assert f"Invalid value for '{option}'" in message and f"'{value}'" in message
        assert "Traceback" not in message and result.stdout == b""


def test_inventory_of_an_unknown_category_names_the_known_ones(shop: Path) -> None:
    result = run_pdscan("inventory", "shop", "--category", "emails", cwd=shop.parent, text=False)
    assert result.returncode == 2
    message = result.stderr.decode()
    assert "unknown category emails" in message and "email, credit_card" in message
    assert result.stdout == b""


@pytest.mark.parametrize("command", ["scan", "inventory"])
def test_an_unwritable_output_is_an_error(shop: Path, tmp_path: Path, command: str) -> None:
    target = tmp_path / "no-such-folder" / "report.html"
    result = run_pdscan(command, "shop", "--format", "html", "--output", str(target), cwd=shop.parent, text=False)
    assert result.returncode == 2
    assert f"cannot write the {'report' if command == 'scan' else 'inventory'} to {target}" in result.stderr.decode()
    assert not target.parent.exists()


def test_an_existing_report_is_replaced_whole_or_left_alone(shop: Path, tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    target.write_text("last quarter's report\n", encoding="utf-8")
    result = run_pdscan("scan", "shop", "--format", "html", "--output", str(target), "-q", cwd=shop.parent, text=False)
    assert result.returncode == 1, result.stderr.decode()
    written = target.read_text(encoding="utf-8")
    assert written.startswith("<!DOCTYPE html>") and written.endswith("</html>\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"], "no temporary file left behind"

    broken_policy = tmp_path / "broken.yaml"
    broken_policy.write_text("policy: [\n", encoding="utf-8")
    failed = run_pdscan(
        "scan",
        "shop",
        "--format",
        "html",
        "--policy",
        str(broken_policy),
        "-o",
        str(target),
        cwd=shop.parent,
        text=False,
    )
    assert failed.returncode == 2
    assert target.read_text(encoding="utf-8") == written, "a failed run never touches the filed report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.yaml", "report.html"]
