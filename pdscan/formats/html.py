"""`--format html`: one self-contained file a compliance officer can open, print and file.

Inline CSS and an inline SVG chart, no script, and a Content-Security-Policy that forbids
fetching anything, so the report opens offline and never tells anyone it was opened. The
findings that need action come first (most severe first, on the first screen), then the chart,
then what is in order, compact; within a verdict, each category with its clause quoted in the
policy's own words and its permitted purposes listed once. The scan's metadata closes the page.
Every text from a scanned file is escaped, and its control characters are made visible (`␛`) as
in every other text output.
"""

from __future__ import annotations

import importlib.resources
import re
from collections.abc import Iterator, Sequence
from html import escape

from pdscan.formats.interface import FormatOptions
from pdscan.formats.metadata import no_places, scan_facts, scan_notice, sorted_sources, source_read
from pdscan.formats.places import HeldPlace, Inventory, by_verdict, held_places
from pdscan.formats.summary import nothing_scanned
from pdscan.formats.svg_chart import category_source_chart
from pdscan.model import Report, VerdictKind
from pdscan.sentences import sentence, skipped_line
from pdscan.visible import visible

CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'"
IN_ORDER = frozenset({VerdictKind.OK, VerdictKind.IGNORED})  # nothing to do: after the chart, compact


class HtmlFormat:
    def __init__(self, options: FormatOptions) -> None:
        self.words = options.wording  # colours are the stylesheet's

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
            for key in ("raw_values_shown" if report.show_data else None, scan_notice(report))
            if key
        ]
        tail = [*self._stale_and_skipped(report), *self._metadata(report), "</body>", "</html>"]
        return visible("\n".join([*head, *notices, *body, *tail]) + "\n")

    def _report_body(self, report: Report) -> Iterator[str]:
        """Summary, then what needs doing (first screen), the chart, then what is in order."""
        words = self.words
        places = held_places(report.verdicts)
        groups = by_verdict(places)
        if not nothing_scanned(report):  # no count of places where nothing was read
            yield f"<h2>{escape(words('summary'))}</h2>"
            yield '<div class="cards">'
            yield self._card(len(places), words("total"))
            for kind, in_verdict in groups:
                count = sum(len(group) for _, group in in_verdict)
                yield self._card(count, words.verdict(kind), kind.value)
            yield "</div>"
        if not places:
            yield f"<h2>{escape(words('findings_by_verdict'))}</h2>"
            yield f"<p>{escape(words('nothing_scanned' if nothing_scanned(report) else 'nothing_found'))}</p>"
            return
        to_act_on = [(kind, in_verdict) for kind, in_verdict in groups if kind not in IN_ORDER]
        yield f"<h2>{escape(words('findings_to_act_on'))}</h2>"
        if not to_act_on:
            yield f"<p>{escape(words('nothing_to_act_on'))}</p>"
        yield from self._verdicts(to_act_on)
        chart = category_source_chart(places, words)
        if chart:
            yield f"<h2>{escape(words('chart'))}</h2>"
            yield f"<figure>{chart}<figcaption>{escape(words('chart_caption'))}</figcaption></figure>"
        in_order = [(kind, in_verdict) for kind, in_verdict in groups if kind in IN_ORDER]
        if in_order:
            yield f"<h2>{escape(words('findings_in_order'))}</h2>"
            yield from self._verdicts(in_order)

    def _verdicts(
        self, groups: Sequence[tuple[VerdictKind, Sequence[tuple[str | None, list[HeldPlace]]]]]
    ) -> Iterator[str]:
        for kind, in_verdict in groups:
            count = sum(len(group) for _, group in in_verdict)
            yield f'<section class="verdict {kind.value}" id="verdict-{kind.value}">'
            yield (
                f'<h3><span class="badge {kind.value}">{kind.value}</span> {escape(self.words.verdict(kind))} '
                f'<span class="muted">({count})</span></h3>'
            )
            yield from self._verdict_table(kind, in_verdict)
            yield "</section>"

    def _verdict_table(
        self, kind: VerdictKind, in_verdict: Sequence[tuple[str | None, list[HeldPlace]]]
    ) -> Iterator[str]:
        """A verdict's places in one table: a row per category quoting its clause and naming the
        purposes it permits once, then a row per place; compact where there is nothing to do."""
        headers = self._headers(kind)
        compact = " compact" if kind in IN_ORDER else ""
        yield f'<table class="places{compact}"><thead><tr>'
        yield "".join(f"<th>{escape(h)}</th>" for h in headers) + "</tr></thead>"
        for category, group in in_verdict:
            about = f'<span class="title">{self._title(category, group)}</span>'
            about += "".join(self._about(category, group, brief=kind in IN_ORDER))
            yield f'<tbody><tr class="category"><th colspan="{len(headers)}">{about}</th></tr>'
            yield from (self._row(place, kind) for place in group)
            yield "</tbody>"
        yield "</table>"

    def _inventory_body(self, inventory: Inventory) -> Iterator[str]:
        words = self.words
        asked = ", ".join(inventory.asked) if inventory.asked else words("all_categories")
        yield f"<p>{escape(words('categories_asked'))}: <code>{escape(asked)}</code></p>"
        empty_label = no_places(inventory.report)
        for holdings in () if nothing_scanned(inventory.report) else inventory.holdings:
            anchor = holdings.category or "not-in-policy"
            yield f'<section class="category" id="category-{escape(anchor)}">'
            yield from self._category(holdings.category, list(holdings.places), empty_label)
            yield "</section>"

    @staticmethod
    def _card(count: int, label: str, kind: str | None = None) -> str:
        badge = f' <span class="badge {kind}">{kind}</span>' if kind else ""
        return (
            f'<div class="card"><span class="number">{count}</span>'
            f'<span class="label">{escape(label)}</span>{badge}</div>'
        )

    def _category(self, category: str | None, places: Sequence[HeldPlace], empty_label: str) -> Iterator[str]:
        """The inventory's answer for one category: every place holding it, whatever its verdict."""
        yield f"<h2>{self._title(category, places)}</h2>"
        yield from self._about(category, places)
        if not places:
            yield f"<p>{escape(self.words(empty_label))}</p>"
            return
        headers = self._headers(None)
        yield '<table class="places"><thead><tr>' + "".join(f"<th>{escape(h)}</th>" for h in headers)
        yield "</tr></thead><tbody>"
        yield from (self._row(place, None) for place in places)
        yield "</tbody></table>"

    def _title(self, category: str | None, places: Sequence[HeldPlace]) -> str:
        heading = escape(self.words.category_title(category))
        if category:
            heading += f" <code>{escape(category)}</code>"
        clause = self._clause(category, places)
        if clause:
            heading += f' <span class="muted">{escape(clause)}</span>'
        return heading

    def _clause(self, category: str | None, places: Sequence[HeldPlace]) -> str | None:
        return places[0].clause if places else (self.words.policy.category(category).clause if category else None)

    def _about(self, category: str | None, places: Sequence[HeldPlace], brief: bool = False) -> Iterator[str]:
        """The policy's words for the category, and the purposes it permits: the category's own,
        so listed once, above its places. `brief` (nothing to do): inline, purposes by id."""
        words = self.words
        clause = self._clause(category, places)
        quoted = words.clause_words(category)
        if brief:
            permitted = places[0].permitted_purposes if places and category else ()
            listed = ", ".join(_code(purpose) for purpose in permitted) or escape(words("none"))
            quote = f' <span class="muted quote" lang="ru">«{escape(quoted)}»</span>' if quoted else ""
            label = escape(_sentence(words("permitted_purposes")))
            yield f'{quote}<br><span class="muted">{label}:</span> {listed}' if category else quote
            return
        if quoted:
            yield (
                f'<blockquote lang="ru"><span class="who">{escape(words("policy_words"))}'
                f"{', ' + escape(clause) if clause else ''}</span>«{escape(quoted)}»</blockquote>"
            )
        if category:
            permitted = places[0].permitted_purposes if places else words.policy.category(category).purposes
            listed = " · ".join(self._purpose(p) for p in permitted) or escape(words("none"))
            label = escape(_sentence(words("permitted_purposes")))
            yield f'<p class="permitted"><span class="muted">{label}:</span> {listed}</p>'

    def _headers(self, kind: VerdictKind | None) -> list[str]:
        words = self.words
        headers = [words("place"), words("source"), words("data_types")]
        headers.append(words("reason") if kind is VerdictKind.IGNORED else words("declared_purposes"))
        if kind is None:
            headers.append(words("verdict"))
        headers.append(words("evidence"))
        return headers

    def _row(self, place: HeldPlace, kind: VerdictKind | None) -> str:
        """A place's cells; in a compact table (nothing to do) what a cell lists runs on one line."""
        apart = "; " if kind in IN_ORDER else "<br>"
        cells = [
            _code(place.name(self.words("free_text"))),
            _breakable(escape(place.source)) + self._defined_at(place, " · " if kind in IN_ORDER else "<br>"),
            "<br>".join(_code(t) for t in place.data_types),
        ]
        if kind is VerdictKind.IGNORED:
            cells.append(self._ignore(place))
        elif kind is VerdictKind.OK:  # every one permitted, each titled once above
            cells.append("<br>".join(_code(purpose) for purpose in place.declared_purposes))
        else:
            cells.append(self._declared(place))
        if kind is None:
            badge = f'<span class="badge {place.verdict.value}">{place.verdict.value}</span>'
            ignore = f"<br>{self._ignore(place)}" if place.verdict is VerdictKind.IGNORED else ""
            cells.append(badge + ignore)
        cells.append(self._evidence(place, apart))
        return "<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>"

    @staticmethod
    def _defined_at(place: HeldPlace, apart: str) -> str:
        if not place.defined_at:
            return ""
        return f'{apart}<span class="muted">{_breakable(escape(place.defined_in_source), PATH_BREAK)}</span>'

    def _purpose(self, purpose: str) -> str:
        return f"{escape(self.words.purpose_title(purpose))} {_code(purpose)}"

    def _declared(self, place: HeldPlace) -> str:
        """The purposes declared for the place, those the policy does not permit marked."""
        if not place.declared_purposes:
            return '<span class="muted">—</span>'
        shown = []
        for purpose in place.declared_purposes:
            text = self._purpose(purpose)
            if place.category and purpose not in place.permitted_purposes:
                text = f'<span class="not-permitted">{text}: {escape(self.words("not_permitted"))}</span>'
            shown.append(text)
        return "<br>".join(shown)

    def _ignore(self, place: HeldPlace) -> str:
        """Why the place is ignored and where that was written: the audit evidence for it."""
        ignored = place.worst
        where = [_breakable(escape(ignored.ignored_in or ""), PATH_BREAK)]
        if ignored.unignored_kind:
            where.append(f"{escape(self.words('unignored'))}: {_code(ignored.unignored_kind.value)}")
        return f'{escape(ignored.ignore_reason or "")}<br><span class="muted">{"; ".join(where)}</span>'

    def _evidence(self, place: HeldPlace, apart: str = "<br>") -> str:
        parts = [_code_spans(escape(sentence(e, self.words.lang))) for e in place.evidence]
        if place.values_seen is not None:
            parts.append(f"{escape(self.words('values_seen'))}: {place.values_seen:,}")
        if place.samples:
            samples = ", ".join(_code(sample) for sample in place.samples)
            parts.append(f"{escape(self.words('samples'))}: {samples}")
        parts += [
            f'<span class="warning">{escape(w)}: {escape(self.words(f"warning.{w}"))}</span>' for w in place.warnings
        ]
        parts += [
            escape(self.words("warning_silenced", warning=s.warning, where=s.silenced_in, reason=s.reason))
            for s in place.silenced_warnings
        ]
        return apart.join(parts)

    def _stale_and_skipped(self, report: Report) -> Iterator[str]:
        words = self.words
        if report.stale_declarations:
            yield f"<h2>{escape(words('stale_declarations'))}</h2><ul>"
            for stale in sorted(report.stale_declarations, key=lambda s: (s.declared_in, s.place)):
                yield f"<li><code>{escape(stale.declared_in)}</code>: {escape(sentence(stale, self.words.lang))}</li>"
            yield "</ul>"
        if report.skipped:
            yield f"<h2>{escape(words('skipped'))}</h2><ul>"
            for skipped in sorted(report.skipped, key=lambda s: (s.source, s.line or 0, s.reason)):
                yield f"<li>{escape(skipped_line(skipped, self.words.lang))}</li>"
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
                _code(source.source),
                escape(words(f"kind.{source.kind.value}")),
                escape(words(f"status.{source.status}")),
                escape(source_read(source, words)),
            )
            yield "<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>"
        yield "</tbody></table>"


_CODE_SPAN = re.compile(r"`([^`]+)`")
NAME_BREAK = re.compile(r"([._/:%@])")  # `%TABLE_PREFIX%staff.passwd`, `user.contact.email`
PATH_BREAK = re.compile(r"(/)")  # `db/001_schema.sql:12` keeps its file name and line whole


def _code_spans(escaped: str) -> str:
    """Evidence names columns and rules in `backticks`, as in the terminal: shown as code here."""
    return _CODE_SPAN.sub(lambda span: f"<code>{_breakable(span.group(1))}</code>", escaped)


def _code(text: str) -> str:
    return f"<code>{_breakable(escape(text))}</code>"


def _breakable(escaped: str, after: re.Pattern[str] = NAME_BREAK) -> str:
    """Names, paths and ids may wrap after their punctuation (`%TABLE_PREFIX%<wbr>staff.<wbr>passwd`),
    never inside a word: the stylesheet breaks no word, so a narrow window wraps only there."""
    return after.sub(r"\1<wbr>", escaped)


def _sentence(label: str) -> str:
    return label[:1].upper() + label[1:]
