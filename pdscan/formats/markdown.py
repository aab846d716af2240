"""`--format markdown`: the report as a document to paste into a ticket, a wiki or a pull request.

The same sections as the HTML report (summary, findings grouped by verdict with the policy's
clause quoted, what was skipped, the scan's metadata), as GitHub-flavoured Markdown tables.
Every text from a scanned file is escaped, so a column named `a|b` or `*x*` reads as written
and cannot break a table or inject links, and control characters are made visible (`␛`), so
`cat report.md` cannot retitle or clear the terminal.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from pdscan.formats.interface import FormatOptions
from pdscan.formats.metadata import no_places, scan_facts, scan_notice, sorted_sources, source_read
from pdscan.formats.places import HeldPlace, Inventory, by_verdict, held_places
from pdscan.formats.summary import nothing_scanned
from pdscan.model import Report, VerdictKind
from pdscan.sentences import say, sentence, skipped_line
from pdscan.visible import visible

SPECIAL = re.compile(r"([\\`*_\[\]<>|~&])")


class MarkdownFormat:
    def __init__(self, options: FormatOptions) -> None:
        self.words = options.wording  # never coloured

    def format(self, report: Report) -> str:
        return visible("\n".join(self._report(report)) + "\n")

    def format_inventory(self, inventory: Inventory) -> str:
        return visible("\n".join(self._inventory(inventory)) + "\n")

    def _report(self, report: Report) -> Iterator[str]:
        words = self.words
        places = held_places(report.verdicts)
        yield f"# {escape(words('report_title'))}"
        yield ""
        yield from self._warnings(report)
        if not nothing_scanned(report):  # no count of places where nothing was read
            yield from self._summary(places)
        yield f"## {escape(words('findings_by_verdict'))}"
        yield ""
        if not places:
            yield escape(words("nothing_scanned" if nothing_scanned(report) else "nothing_found"))
            yield ""
        for kind, groups in by_verdict(places):
            count = sum(len(group) for _, group in groups)
            yield f"### {escape(words.verdict(kind))} (`{kind.value}`): {count}"
            yield ""
            for category, group in groups:
                yield from self._category_block(category, group, "####")
        yield from self._stale_and_skipped(report)
        yield from self._metadata(report)

    def _summary(self, places: list[HeldPlace]) -> Iterator[str]:
        words = self.words
        yield f"## {escape(words('summary'))}"
        yield ""
        yield say("markdown.total", words.lang, total=len(places))
        yield ""
        yield from table(
            (words("verdict"), words("places")),
            [(words.verdict(kind), str(sum(len(group) for _, group in groups))) for kind, groups in by_verdict(places)],
        )
        yield from table(
            (words("category"), words("places")),
            [
                (f"{words.category_title(c)} ({c})" if c else words.category_title(c), str(n))
                for c, n in _category_counts(places)
            ],
        )

    def _inventory(self, inventory: Inventory) -> Iterator[str]:
        words = self.words
        yield f"# {escape(words('inventory_title'))}"
        yield ""
        yield from self._warnings(inventory.report)
        asked = ", ".join(inventory.asked) if inventory.asked else words("all_categories")
        yield f"{escape(words('categories_asked'))}: {escape(asked)}"
        yield ""
        for holdings in () if nothing_scanned(inventory.report) else inventory.holdings:
            yield from self._category_block(
                holdings.category, list(holdings.places), "##", inventory=True, empty_label=no_places(inventory.report)
            )
        yield from self._stale_and_skipped(inventory.report)
        yield from self._metadata(inventory.report)

    def _warnings(self, report: Report) -> Iterator[str]:
        for key in ("raw_values_shown" if report.show_data else None, scan_notice(report)):
            if key:
                yield f"> **{escape(self.words(key))}**"
                yield ""

    def _category_block(
        self,
        category: str | None,
        places: Sequence[HeldPlace],
        level: str,
        inventory: bool = False,
        empty_label: str = "no_places",
    ) -> Iterator[str]:
        words = self.words
        title = words.category_title(category)
        clause = places[0].clause if places else (words.policy.category(category).clause if category else None)
        heading = escape(title) + (f" (`{category}`)" if category else "") + (f", {escape(clause)}" if clause else "")
        yield f"{level} {heading}"
        yield ""
        quoted = words.clause_words(category)
        if quoted:
            yield f"> {escape(words('policy_words'))}: «{escape(quoted)}»"
            yield ""
        if category:  # the category's own, so listed once, above its places
            permitted = places[0].permitted_purposes if places else words.policy.category(category).purposes
            listed = "; ".join(self._purpose(purpose) for purpose in permitted) or words("none")
            label = words("permitted_purposes")
            yield f"{escape(label[:1].upper() + label[1:])}: {escape(listed)}"
            yield ""
        if not places:
            yield escape(words(empty_label))
            yield ""
            return
        ignored = not inventory and places[0].verdict is VerdictKind.IGNORED
        headers = [words("place"), words("source"), words("data_types")]
        headers.append(words("reason") if ignored else words("declared_purposes"))
        headers += [words("verdict")] if inventory else []
        headers.append(words("evidence"))
        rows = []
        for place in places:
            row = [
                place.name(self.words("free_text")),
                place.source + (f" ({place.defined_in_source})" if place.defined_at else ""),
                ", ".join(place.data_types),
                self._ignore(place) if ignored else self._declared(place),
            ]
            if inventory:
                verdict = place.verdict.value
                row.append(f"{verdict}: {self._ignore(place)}" if place.verdict is VerdictKind.IGNORED else verdict)
            row.append(self._evidence(place))
            rows.append(row)
        yield from table(headers, rows)

    def _ignore(self, place: HeldPlace) -> str:
        """Why the place is ignored, where that was written and what it would be without: the
        audit evidence for leaving it out."""
        ignored = place.worst
        where = [ignored.ignored_in or ""]
        if ignored.unignored_kind:
            where.append(f"{self.words('unignored')}: {ignored.unignored_kind.value}")
        return f"{ignored.ignore_reason} ({'; '.join(where)})"

    def _purpose(self, purpose: str) -> str:
        return f"{self.words.purpose_title(purpose)} ({purpose})"

    def _declared(self, place: HeldPlace) -> str:
        """The purposes declared for the place, those the policy does not permit marked."""
        if not place.declared_purposes:
            return "—"
        shown = []
        for purpose in place.declared_purposes:
            text = self._purpose(purpose)
            if place.category and purpose not in place.permitted_purposes:
                text += f": {self.words('not_permitted').upper()}"
            shown.append(text)
        return "; ".join(shown)

    def _evidence(self, place: HeldPlace) -> str:
        parts = [sentence(evidence, self.words.lang) for evidence in place.evidence]
        if place.samples:
            parts.append(f"{self.words('samples')}: {', '.join(place.samples)}")
        parts += [self.words(f"warning.{warning}") for warning in place.warnings]
        parts += [
            self.words("warning_silenced", warning=s.warning, where=s.silenced_in, reason=s.reason)
            for s in place.silenced_warnings
        ]
        return "; ".join(parts)

    def _stale_and_skipped(self, report: Report) -> Iterator[str]:
        words = self.words
        if report.stale_declarations:
            yield f"## {escape(words('stale_declarations'))}"
            yield ""
            for stale in sorted(report.stale_declarations, key=lambda s: (s.declared_in, s.place)):
                yield f"- {escape(stale.declared_in)}: {escape(sentence(stale, self.words.lang))}"
            yield ""
        if report.skipped:
            yield f"## {escape(words('skipped'))}"
            yield ""
            for skipped in sorted(report.skipped, key=lambda s: (s.source, s.line or 0, s.reason)):
                yield f"- {escape(skipped_line(skipped, self.words.lang))}"
            yield ""

    def _metadata(self, report: Report) -> Iterator[str]:
        words = self.words
        yield f"## {escape(words('scan_metadata'))}"
        yield ""
        yield from table(("", ""), scan_facts(report, words))
        yield from table(
            (words("source"), words("kind"), words("status"), words("read")),
            [
                (s.source, words(f"kind.{s.kind.value}"), words(f"status.{s.status}"), source_read(s, words))
                for s in sorted_sources(report)
            ],
        )


def _category_counts(places: Sequence[HeldPlace]) -> list[tuple[str | None, int]]:
    counts: dict[str | None, int] = {}
    for place in places:
        counts[place.category] = counts.get(place.category, 0) + 1
    return sorted(counts.items(), key=lambda item: (item[0] is None, item[0] or ""))


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> Iterator[str]:
    """A GitHub-flavoured table, every cell escaped; nothing for no rows."""
    if not rows:
        return
    yield "| " + " | ".join(escape(h) for h in headers) + " |"
    yield "|" + "|".join("---" for _ in headers) + "|"
    for row in rows:
        yield "| " + " | ".join(escape(cell) for cell in row) + " |"
    yield ""


def escape(text: str) -> str:
    """Text shown as written: Markdown's punctuation backslash-escaped, line breaks as spaces."""
    return SPECIAL.sub(r"\\\1", " ".join(text.split()))
