"""The HTML report opened in headless Chromium, as the compliance officer opens it: it must
render with no console error and without a single network request, and a screenshot is kept
in the test's temporary folder. A deliberately broken page proves the checks catch both.

Chromium is the Debian package `chromium` (tests/run.sh installs it when run as root); when it
is missing or cannot start, these tests are skipped with its own output as the reason."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.browser import BrowserUnavailable, PageVisit, render, screenshot, visit
from support.command import run_pdscan
from support.report_outputs import copy_shop
from support.wide_report import write_wide_schema

pytestmark = pytest.mark.browser

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
WINDOW_HEIGHT = 900
LONGEST_RU_TITLE = "Любая другая информация, предоставленная по предварительному согласию"
LONGEST_EN_TITLE = "Official documents confirming identity or age"


def opened(page: Path, profile: Path) -> PageVisit:
    try:
        return visit(page, profile)
    except BrowserUnavailable as error:
        pytest.skip(f"headless Chromium unavailable: {error}")


@pytest.mark.parametrize(("command", "lang"), [("scan", "en"), ("scan", "ru"), ("inventory", "ru")])
def test_the_html_report_renders_offline_without_errors(tmp_path: Path, command: str, lang: str) -> None:
    shop = copy_shop(tmp_path)
    page = tmp_path / f"{command}.html"
    result = run_pdscan(
        command, "shop", "--format", "html", "--lang", lang, "--output", str(page), "-q", cwd=tmp_path, text=False
    )
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


# Measured in the page once it has loaded: what overflows its box, which words the browser split
# over two lines, whether the chart's texts lie inside the chart, and where the first finding
# that needs action ends.
LAYOUT = r"""(() => {
  const clipped = [];
  const boxes = "th, td, h1, h2, h3, h4, p, li, dt, dd, blockquote, figure, figcaption, .card, section, table";
  for (const box of document.querySelectorAll(boxes)) {
    if (box.scrollWidth > box.clientWidth + 1) clipped.push(box.textContent.trim().slice(0, 80));
  }
  const split = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.parentElement.closest("svg, style")) continue;
    for (const word of node.data.matchAll(/[\p{L}\p{N}]+/gu)) {
      const range = document.createRange();
      range.setStart(node, word.index);
      range.setEnd(node, word.index + word[0].length);
      const lines = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
      if (lines.size > 1) split.push(word[0]);
    }
  }
  const chart = document.querySelector("figure svg");
  const frame = chart.getBoundingClientRect();
  const outside = [];
  const labels = [];
  for (const text of chart.querySelectorAll("text")) {
    const shown = [...text.childNodes].filter(n => n.nodeName !== "title").map(n => n.textContent).join(" ");
    const r = text.getBoundingClientRect();
    const inside = r.left >= frame.left && r.right <= frame.right && r.top >= frame.top && r.bottom <= frame.bottom;
    if (!inside) outside.push(shown);
    labels.push(shown);
  }
  const places = document.querySelectorAll("section.verdict tbody tr:not(.category)");
  const toAct = document.querySelector("section.verdict:not(.ok):not(.ignored) tbody tr:not(.category)");
  return {
    windowWidth: document.documentElement.clientWidth,
    windowHeight: window.innerHeight,
    clipped, split, outside, labels,
    places: places.length,
    firstToActOnEnds: toAct.getBoundingClientRect().bottom,
  };
})()"""
HEIGHT_PER_PLACE = {1400: 160, 800: 220}  # pixels of page per place; the old layout took 322 at 1400, 509 at 800


@pytest.fixture(scope="module")
def wide_pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The report of a schema of seventy places, in English and in Russian."""
    folder = write_wide_schema(tmp_path_factory.mktemp("wide"))
    pages = {}
    for lang in ("en", "ru"):
        page = folder / f"report.{lang}.html"
        result = run_pdscan(
            "scan", "db", "--format", "html", "--lang", lang, "--output", str(page), "-q", cwd=folder, text=False
        )
        assert result.returncode == 1, result.stderr.decode()  # undeclared places on purpose
        pages[lang] = page
    return pages


@pytest.mark.parametrize("width", [1400, 800])
@pytest.mark.parametrize("lang", ["en", "ru"])
def test_a_long_report_fits_the_window_breaks_no_word_and_shows_what_to_do_first(
    wide_pages: dict[str, Path], tmp_path: Path, lang: str, width: int
) -> None:
    try:
        drawn = render(wide_pages[lang], tmp_path / "profile", width, WINDOW_HEIGHT, LAYOUT)
    except BrowserUnavailable as error:
        pytest.skip(f"headless Chromium unavailable: {error}")
    (tmp_path / f"wide-{lang}-{width}.png").write_bytes(drawn.png)
    seen = drawn.measured
    shot_width, shot_height = drawn.size
    assert shot_width == seen["windowWidth"], "the whole page is as wide as the window: no horizontal scroll"
    assert seen["clipped"] == [], "no text overflows its box"
    assert seen["split"] == [], "words wrap whole: only between words or after punctuation"
    assert seen["outside"] == [], "every label of the chart lies inside it"
    longest = LONGEST_RU_TITLE if lang == "ru" else LONGEST_EN_TITLE
    assert longest in seen["labels"], "the longest category title is written whole in the chart"
    assert seen["places"] == 70, "every place once"
    assert shot_height <= HEIGHT_PER_PLACE[width] * seen["places"], "places in order take little room"
    assert seen["firstToActOnEnds"] <= seen["windowHeight"], "the first finding to act on is on the first screen"
