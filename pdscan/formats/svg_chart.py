"""The HTML report's chart: policy categories (rows) by scanned sources (columns), each cell
coloured by the most severe verdict among the category's places in that source and labelled
with how many places. Plain inline SVG: no script, no font, nothing fetched. With no script to
measure text, widths are estimated generously: category titles are written whole (a long one
on two lines), the label column as wide as the longest, and the width covers the slanted source
names and the legend, so nothing is clipped; the stylesheet scales it down in a narrow window."""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape
from pathlib import PurePath

from pdscan.formats.places import HeldPlace
from pdscan.formats.wording import Wording
from pdscan.model import VerdictKind

VERDICT_COLOURS = {
    VerdictKind.IGNORED: "#8a8f98",
    VerdictKind.OK: "#2e7d32",
    VerdictKind.STALE_DECLARATION: "#b26a00",
    VerdictKind.UNDECLARED: "#e0a800",
    VerdictKind.PURPOSE_NOT_PERMITTED: "#c62828",
    VerdictKind.NO_POLICY_PURPOSE: "#ad1457",
    VerdictKind.NOT_IN_POLICY: "#6a1b9a",
}
DARK_TEXT_ON = frozenset({VerdictKind.UNDECLARED})  # amber is too light for white digits
CELL_WIDTH, CELL_HEIGHT, GAP = 56, 30, 4
LINE_HEIGHT = 14  # a category title on two lines still fits its row
# generous average widths of a 13px system-font character, for layout (no script measures text);
# Cyrillic is wider than Latin, and too wide a guess only leaves space, too narrow a one clips
LATIN_WIDTH, OTHER_WIDTH = 8.0, 9.0
WRAP_AT = 36  # characters; a longer category title goes on two lines, split at its middle space
LONGEST_SOURCE = 48  # characters; a longer source name is cut with "…" (the full path is the tooltip)
COLUMN_SLANT = math.radians(40)  # source names are written rising at this angle
LEGEND_LEFT = 8  # the legend starts at the left edge, under the titles, not under the cells


def category_source_chart(places: Sequence[HeldPlace], wording: Wording) -> str:
    categories = _categories(places, wording)
    sources = sorted({place.source for place in places})
    if not categories:
        return ""
    row_labels = [_lines(wording.category_title(c)) for c in categories]
    column_labels = [_cut(PurePath(source).name or source) for source in sources]
    left = int(max(_width(line) for lines in row_labels for line in lines)) + 16
    top = int(max(_width(label) for label in column_labels) * math.sin(COLUMN_SLANT)) + 24
    cells_right = left + len(sources) * (CELL_WIDTH + GAP)
    names_right = max(
        left + index * (CELL_WIDTH + GAP) + CELL_WIDTH // 2 + _width(label) * math.cos(COLUMN_SLANT)
        for index, label in enumerate(column_labels)
    )
    legend_y = top + len(categories) * (CELL_HEIGHT + GAP) + 24
    present = sorted({place.verdict for place in places}, key=lambda kind: -kind.severity)
    height = legend_y + len(present) * 22 + 8
    legend = [f"{wording.verdict(kind)} ({kind.value})" for kind in present]
    legend_right = LEGEND_LEFT + 22 + max(_width(text) for text in legend)
    width = int(max(cells_right, names_right, legend_right)) + 16
    title = escape(wording("chart"))
    parts = [
        f'<svg role="img" aria-labelledby="chart-title" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-size="13">',
        f'<title id="chart-title">{title}</title>',
    ]
    for index, (source, label) in enumerate(zip(sources, column_labels, strict=True)):
        x = left + index * (CELL_WIDTH + GAP) + CELL_WIDTH // 2
        parts.append(
            f'<text x="{x}" y="{top - 8}" transform="rotate(-40 {x} {top - 8})" fill="#1d2330">'
            f"<title>{escape(source)}</title>{escape(label)}</text>"
        )
    for row, (category, label_lines) in enumerate(zip(categories, row_labels, strict=True)):
        y = top + row * (CELL_HEIGHT + GAP)
        full = wording.category_title(category) + (f" ({category})" if category else "")
        first = y + CELL_HEIGHT // 2 + 4 - (len(label_lines) - 1) * LINE_HEIGHT // 2
        lines = "".join(
            f'<tspan x="{left - 10}" y="{first + number * LINE_HEIGHT}">{escape(line)}</tspan>'
            for number, line in enumerate(label_lines)
        )
        parts.append(f'<text text-anchor="end" fill="#1d2330"><title>{escape(full)}</title>{lines}</text>')
        for column, source in enumerate(sources):
            here = [p for p in places if p.category == category and p.source == source]
            x = left + column * (CELL_WIDTH + GAP)
            if not here:
                parts.append(
                    f'<rect x="{x}" y="{y}" width="{CELL_WIDTH}" height="{CELL_HEIGHT}" rx="3" fill="#f4f6f9" '
                    f'stroke="#d9dde5"/>'
                )
                continue
            worst = max((p.verdict for p in here), key=lambda kind: kind.severity)
            ink = "#1d2330" if worst in DARK_TEXT_ON else "#ffffff"
            tip = f"{full} · {source} · {wording.verdict(worst)} · {len(here)}"
            parts.append(
                f'<g data-verdict="{worst.value}"><title>{escape(tip)}</title>'
                f'<rect x="{x}" y="{y}" width="{CELL_WIDTH}" height="{CELL_HEIGHT}" rx="3" '
                f'fill="{VERDICT_COLOURS[worst]}"/>'
                f'<text x="{x + CELL_WIDTH // 2}" y="{y + CELL_HEIGHT // 2 + 5}" text-anchor="middle" '
                f'fill="{ink}" font-weight="600">{len(here)}</text></g>'
            )
    for index, (kind, text) in enumerate(zip(present, legend, strict=True)):
        y = legend_y + index * 22
        parts.append(
            f'<rect x="{LEGEND_LEFT}" y="{y}" width="14" height="14" rx="2" fill="{VERDICT_COLOURS[kind]}"/>'
            f'<text x="{LEGEND_LEFT + 22}" y="{y + 12}" fill="#1d2330">{escape(text)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _categories(places: Sequence[HeldPlace], wording: Wording) -> list[str | None]:
    """Categories present, in the policy's order, data no category covers last."""
    present = {place.category for place in places}
    ordered: list[str | None] = [c.id for c in wording.policy.categories if c.id in present]
    ordered += sorted(c for c in present if c is not None and c not in ordered)
    if None in present:
        ordered.append(None)
    return ordered


def _lines(title: str) -> list[str]:
    """The title whole: on one line, or on two split at the space nearest its middle."""
    spaces = [index for index, char in enumerate(title) if char == " "]
    if len(title) <= WRAP_AT or not spaces:
        return [title]
    middle = min(spaces, key=lambda index: abs(index - len(title) / 2))
    return [title[:middle], title[middle + 1 :]]


def _width(text: str) -> float:
    return sum(LATIN_WIDTH if char.isascii() else OTHER_WIDTH for char in text)


def _cut(text: str) -> str:
    return text if len(text) <= LONGEST_SOURCE else text[: LONGEST_SOURCE - 1] + "…"
