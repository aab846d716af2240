"""`--format html`: one self-contained file a compliance officer can open, print and file.

Inline CSS and an inline SVG chart, no script, and a Content-Security-Policy that forbids
fetching anything, so the report opens offline and never tells anyone it was opened. Findings
are grouped by verdict (most severe first), each category with its clause quoted in the
policy's own words; the scan's metadata closes the page. Every text from a scanned file is
escaped, and its control characters are made visible (`␛`) as in every other text output.
"""

from __future__ import annotations

import importlib.resources
import re
from collections.abc import Iterator, Sequence
from html import escape

from pdscan.formats.metadata import scan_facts, sorted_sources, source_read
from pdscan.formats.places import HeldPlace, Inventory, by_verdict, held_places
from pdscan.formats.svg_chart import category_source_chart
from pdscan.formats.wording import Wording
from pdscan.model import Report
from pdscan.visible import visible

CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'"


class HtmlFormat:
    def __init__(self, *, color: bool = False, wording: Wording) -> None:
        del color  # colours are the stylesheet's
        self.words = wording

    def format(self, report: Report) -> str:
        return self._page(self.words("report_title"), report, self._report_body(report))

    def format_inventory(self, inventory: Inventory) -> str:
        return self._page(self.words("inventory_title"), inventory.report, self._inventory_body(inventory))

    def _page(self, title: str, report: Report, body: Iterator[str]) -> str:
        words = self.words
        stylesheet = (importlib.resources.files("pdscan.formats") / "report.css").read_text("utf-8")
        head = [
            "<!DOCTYPE html>",
            f'<html lang="{words.lang}">',
            "<head>",
            '<meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            '<meta name="generator" content="pdscan">',
            f"<title>{escape(title)}: {escape(report.policy.title)}</title>",
            f"<style>\n{stylesheet}</style>",
            "</head>",
            "<body>",
            f"<h1>{escape(title)}</h1>",
            f'<p class="subtitle">{escape(report.policy.title)} ({escape(report.policy.policy_id)}, '
            f"{escape(report.policy.version)}) · {escape(report.generated_at)}</p>",
        ]
        notices = [
            f'<p class="notice">{escape(words(key))}</p>'
            for shown, key in ((report.show_data, "raw_values_shown"), (bool(report.skipped), "partial_scan"))
            if shown
        ]
        tail = [*self._stale_and_skipped(report), *self._metadata(report), "</body>", "</html>"]
        return visible("\n".join([*head, *notices, *body, *tail]) + "\n")

    def _report_body(self, report: Report) -> Iterator[str]:
        words = self.words
        places = held_places(report.verdicts)
        groups = by_verdict(places)
        yield f"<h2>{escape(words('summary'))}</h2>"
        yield '<div class="cards">'
        yield self._card(len(places), words("total"))
        for kind, in_verdict in groups:
            count = sum(len(group) for _, group in in_verdict)
            yield self._card(count, words.verdict(kind), kind.value)
        yield "</div>"
        chart = category_source_chart(places, words)
        if chart:
            yield f"<h2>{escape(words('chart'))}</h2>"
            yield f"<figure>{chart}<figcaption>{escape(words('chart_caption'))}</figcaption></figure>"
        yield f"<h2>{escape(words('findings_by_verdict'))}</h2>"
        if not places:
            yield f"<p>{escape(words('nothing_found'))}</p>"
        for kind, in_verdict in groups:
            count = sum(len(group) for _, group in in_verdict)
            yield f'<section class="verdict {kind.value}" id="verdict-{kind.value}">'
            yield (
                f'<h3><span class="badge {kind.value}">{kind.value}</span> {escape(words.verdict(kind))} '
                f'<span class="muted">({count})</span></h3>'
            )
            for category, group in in_verdict:
                yield from self._category(category, group, "h4", inventory=False)
            yield "</section>"

    def _inventory_body(self, inventory: Inventory) -> Iterator[str]:
        words = self.words
        asked = ", ".join(inventory.asked) if inventory.asked else words("all_categories")
        yield f"<p>{escape(words('categories_asked'))}: <code>{escape(asked)}</code></p>"
        for holdings in inventory.holdings:
            anchor = holdings.category or "not-in-policy"
            yield f'<section class="category" id="category-{escape(anchor)}">'
            yield from self._category(holdings.category, list(holdings.places), "h2", inventory=True)
            yield "</section>"

    @staticmethod
    def _card(count: int, label: str, kind: str | None = None) -> str:
        badge = f' <span class="badge {kind}">{kind}</span>' if kind else ""
        return (
            f'<div class="card"><span class="number">{count}</span>'
            f'<span class="label">{escape(label)}</span>{badge}</div>'
        )

    def _category(
        self, category: str | None, places: Sequence[HeldPlace], level: str, inventory: bool
    ) -> Iterator[str]:
        words = self.words
        clause = places[0].clause if places else (words.policy.category(category).clause if category else None)
        heading = escape(words.category_title(category))
        if category:
            heading += f" <code>{escape(category)}</code>"
        if clause:
            heading += f' <span class="muted">{escape(clause)}</span>'
        yield f"<{level}>{heading}</{level}>"
        quoted = words.clause_words(category)
        if quoted:
            yield (
                f'<blockquote lang="ru"><span class="who">{escape(words("policy_words"))}'
                f"{', ' + escape(clause) if clause else ''}</span>«{escape(quoted)}»</blockquote>"
            )
        if not places:
            yield f"<p>{escape(words('no_places'))}</p>"
            return
        headers = [words("place"), words("source"), words("data_types"), words("declared_purposes")]
        headers.append(words("verdict") if inventory else words("permitted_purposes"))
        headers.append(words("evidence"))
        yield "<table><thead><tr>" + "".join(f"<th>{escape(h)}</th>" for h in headers) + "</tr></thead><tbody>"
        for place in places:
            last = (
                f'<span class="badge {place.verdict.value}">{place.verdict.value}</span>'
                if inventory
                else self._purposes(place.permitted_purposes, place)
            )
            cells = [
                f"<code>{escape(place.name(self.words('free_text')))}</code>",
                escape(place.source) + self._defined_at(place),
                "<br>".join(f"<code>{escape(t)}</code>" for t in place.data_types),
                self._purposes(place.declared_purposes, place, mark=True),
                last,
                self._evidence(place),
            ]
            yield "<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>"
        yield "</tbody></table>"

    @staticmethod
    def _defined_at(place: HeldPlace) -> str:
        return f'<br><span class="muted">{escape(place.defined_in_source)}</span>' if place.defined_at else ""

    def _purposes(self, purposes: Sequence[str], place: HeldPlace, mark: bool = False) -> str:
        if not purposes:
            return '<span class="muted">—</span>'
        shown = []
        for purpose in purposes:
            text = f"{escape(self.words.purpose_title(purpose))} <code>{escape(purpose)}</code>"
            if mark and place.category and purpose not in place.permitted_purposes:
                text = f'<span class="not-permitted">{text}: {escape(self.words("not_permitted"))}</span>'
            shown.append(text)
        return "<br>".join(shown)

    def _evidence(self, place: HeldPlace) -> str:
        parts = [_code_spans(escape(text)) for text in place.evidence]
        if place.values_seen is not None:
            parts.append(f"{escape(self.words('values_seen'))}: {place.values_seen:,}")
        if place.samples:
            samples = ", ".join(f"<code>{escape(s)}</code>" for s in place.samples)
            parts.append(f"{escape(self.words('samples'))}: {samples}")
        parts += [
            f'<span class="warning">{escape(w)}: {escape(self.words(f"warning.{w}"))}</span>' for w in place.warnings
        ]
        parts += [
            escape(self.words("warning_silenced", warning=s.warning, where=s.silenced_in, reason=s.reason))
            for s in place.silenced_warnings
        ]
        return "<br>".join(parts)

    def _stale_and_skipped(self, report: Report) -> Iterator[str]:
        words = self.words
        if report.stale_declarations:
            yield f"<h2>{escape(words('stale_declarations'))}</h2><ul>"
            for stale in sorted(report.stale_declarations, key=lambda s: (s.declared_in, s.place)):
                yield f"<li><code>{escape(stale.declared_in)}</code>: {escape(stale.explanation)}</li>"
            yield "</ul>"
        if report.skipped:
            yield f"<h2>{escape(words('skipped'))}</h2><ul>"
            for skipped in sorted(report.skipped, key=lambda s: (s.source, s.line or 0, s.reason)):
                yield f"<li>{escape(str(skipped))}</li>"
            yield "</ul>"

    def _metadata(self, report: Report) -> Iterator[str]:
        words = self.words
        yield f"<h2>{escape(words('scan_metadata'))}</h2>"
        yield '<dl class="facts">'
        for label, value in scan_facts(report, words):
            yield f"<dt>{escape(label)}</dt><dd>{escape(value)}</dd>"
        yield "</dl>"
        yield f"<h3>{escape(words('sources'))}</h3>"
        headers = (words("source"), words("kind"), words("status"), words("read"))
        yield "<table><thead><tr>" + "".join(f"<th>{escape(h)}</th>" for h in headers) + "</tr></thead><tbody>"
        for source in sorted_sources(report):
            cells = (
                f"<code>{escape(source.source)}</code>",
                escape(words(f"kind.{source.kind.value}")),
                escape(words(f"status.{source.status}")),
                escape(source_read(source, words)),
            )
            yield "<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>"
        yield "</tbody></table>"


_CODE_SPAN = re.compile(r"`([^`]+)`")


def _code_spans(escaped: str) -> str:
    """Evidence names columns and rules in `backticks`, as in the terminal: shown as code here."""
    return _CODE_SPAN.sub(r"<code>\1</code>", escaped)
