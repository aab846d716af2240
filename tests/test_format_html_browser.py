"""The HTML report opened in headless Chromium, as the compliance officer opens it: it must
render with no console error and without a single network request, and a screenshot is kept
in the test's temporary folder. A deliberately broken page proves the checks catch both.

Chromium is the Debian package `chromium` (tests/run.sh installs it when run as root); when it
is missing or cannot start, these tests are skipped with its own output as the reason."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser import BrowserUnavailable, PageVisit, screenshot, visit
from report_outputs import copy_shop, run

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def opened(page: Path, profile: Path) -> PageVisit:
    try:
        return visit(page, profile)
    except BrowserUnavailable as error:
        pytest.skip(f"headless Chromium unavailable: {error}")


@pytest.mark.parametrize(("command", "lang"), [("scan", "en"), ("scan", "ru"), ("inventory", "ru")])
def test_the_html_report_renders_offline_without_errors(tmp_path: Path, command: str, lang: str) -> None:
    shop = copy_shop(tmp_path)
    page = tmp_path / f"{command}.html"
    result = run(command, "shop", "--format", "html", "--lang", lang, "--output", str(page), "-q", cwd=tmp_path)
    assert result.returncode in (0, 1), result.stderr.decode()
    seen = opened(page, tmp_path / "profile")
    assert seen.loaded
    assert seen.requests == []
    assert seen.console_errors == []
    shot = tmp_path / f"{command}-{lang}.png"
    taken = screenshot(page, shot, tmp_path / "profile-screenshot")
    assert shot.exists(), taken.stderr
    assert shot.read_bytes().startswith(PNG_SIGNATURE) and shot.stat().st_size > 20_000, "a page was drawn"
    assert shop.is_dir()


def test_a_page_that_fetches_from_outside_or_logs_errors_is_caught(tmp_path: Path) -> None:
    page = tmp_path / "broken.html"
    page.write_text(
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>broken</title></head><body>'
        '<p>report</p><img src="https://cdn.example.com/logo.png" alt="logo">'
        '<script>console.error("chart failed")</script></body></html>\n',
        encoding="utf-8",
    )
    seen = opened(page, tmp_path / "profile")
    assert seen.requests == ["https://cdn.example.com/logo.png"]
    assert "chart failed" in seen.console_errors
    assert any("cdn.example.com/logo.png" in error for error in seen.console_errors)
