"""`pdscan inventory` on a terminal: per category, its clause and every place holding it."""

from __future__ import annotations

from collections.abc import Iterator

from rich.console import RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from pdscan.formats.console import render
from pdscan.formats.interface import FormatOptions
from pdscan.formats.metadata import no_places, sample_read, scan_notice, sorted_sources
from pdscan.formats.places import HeldPlace, Inventory
from pdscan.formats.summary import nothing_scanned
from pdscan.formats.table import VERDICT_STYLES
from pdscan.model import SourceKind, VerdictKind
from pdscan.sentences import skipped_line


class InventoryTableFormat:
    def __init__(self, options: FormatOptions) -> None:
        self.color = options.color
        self.words = options.wording
        self.width = options.width

    def format_inventory(self, inventory: Inventory) -> str:
        return render(self._renderables(inventory), color=self.color, width=self.width)

    def _renderables(self, inventory: Inventory) -> Iterator[RenderableType]:
        words = self.words
        report = inventory.report
        yield Text.assemble((words("inventory_title"), "bold"), f" · {report.policy.title} · {report.generated_at}")
        notice = scan_notice(report)
        if notice:
            yield Text()
            yield Text(words(notice), style="bold yellow")
        for holdings in () if nothing_scanned(report) else inventory.holdings:
            category = holdings.category
            clause = words.policy.category(category).clause if category else ""
            yield Text()
            yield Text.assemble(
                (words.category_title(category), "bold underline"),
                (f"  {category}" if category else "", "cyan"),
                f"  {clause}",
                f"  · {words('places')}: {len(holdings.places)}",
            )
            quoted = words.clause_words(category)
            if quoted:
                yield Padding(Text(f"«{quoted}»", style="italic dim"), (0, 0, 0, 2))
            if not holdings.places:
                yield Padding(Text(words(no_places(report)), style="dim"), (0, 0, 0, 2))
                continue
            yield Padding(self._places(holdings.places), (0, 0, 0, 2))
        if report.skipped:
            yield Text()
            yield Text(f"{words('skipped')} ({len(report.skipped)})", style="bold yellow")
            for skipped in report.skipped:
                yield Padding(Text(skipped_line(skipped, words.lang)), (0, 0, 0, 2))
        sampled = [f"{s.source}: {sample_read(s.sample, words.labels)}" for s in sorted_sources(report) if s.sample]
        if sampled:
            yield Text()
            yield Text(f"{words('sampled')} ({len(sampled)})", style="bold yellow")
            for line in sampled:
                yield Padding(Text(line), (0, 0, 0, 2))

    def _places(self, places: tuple[HeldPlace, ...]) -> Table:
        words = self.words
        table = Table(box=None, padding=(0, 2, 0, 0), show_edge=False, header_style="bold dim")
        for header in (words("place"), words("source"), words("declared_purposes"), words("verdict")):
            table.add_column(header, overflow="fold")
        for place in places:
            location = place.location
            name = place.field(words("free_text")) if location.kind is SourceKind.LOG else location.place
            table.add_row(
                Text(name, style="cyan"),
                Text(place.defined_at or place.source, style="dim"),
                Text(", ".join(place.declared_purposes) or "—"),
                self._verdict(place),
            )
        return table

    def _verdict(self, place: HeldPlace) -> Text:
        """The verdict; for an ignored place, the ignore's reason, where it was written and the
        verdict without it: the audit evidence for leaving the place out."""
        verdict = Text(place.verdict.value, style=VERDICT_STYLES[place.verdict])
        if place.verdict is VerdictKind.IGNORED:
            ignored = place.worst
            where = [ignored.ignored_in or ""]
            if ignored.unignored_kind:
                where.append(f"{self.words('unignored')}: {ignored.unignored_kind.value}")
            verdict.append(f": {ignored.ignore_reason} ({'; '.join(where)})", style="dim")
        return verdict
