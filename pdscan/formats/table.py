"""The terminal report: findings grouped by schema and table, a summary, and what to do next.

Each finding takes two lines so the report stays readable in 100 columns: column, category
and clause, verdict, declared purposes and where the column is defined; then, indented, the
data type and the evidence in words. A huge schema's findings are not all listed: the first
of each verdict are, the summary counts every one, and the JSON report lists them all.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from itertools import groupby
from pathlib import Path

from rich.cells import cell_len
from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from pdscan.audit import PLAINTEXT_SENSITIVE
from pdscan.formats.console import render
from pdscan.formats.interface import FormatOptions
from pdscan.formats.metadata import sample_read, sorted_sources
from pdscan.formats.summary import UNCATEGORISED, Summary, in_place_order, summarise
from pdscan.formats.wording import labels
from pdscan.model import BaselineState, Occurrences, Report, SourceKind, Verdict, VerdictKind
from pdscan.sentences import ENGLISH, say, sentence, skipped_line

VERDICT_STYLES = {
    VerdictKind.IGNORED: "dim",
    VerdictKind.OK: "green",
    VerdictKind.STALE_DECLARATION: "yellow",
    VerdictKind.UNDECLARED: "bold yellow",
    VerdictKind.PURPOSE_NOT_PERMITTED: "bold red",
    VerdictKind.NO_POLICY_PURPOSE: "bold red",
    VerdictKind.NOT_IN_POLICY: "bold red",
}
HEADERS = ("table.column", "table.category", "table.verdict", "table.declared_purposes", "table.defined_at")
LOG_HEADERS = ("table.field", "table.category", "table.verdict", "table.declared_purposes", "table.values_lines")
WIDEST_FIXED_CELL = 32  # a longer name or path folds onto more lines instead of squeezing the purposes
LISTED_AT_MOST = 1000  # more findings than this: only the first LISTED_PER_VERDICT of each verdict are listed
LISTED_PER_VERDICT = 100


class TableFormat:
    def __init__(self, options: FormatOptions) -> None:
        self.color = options.color
        self.width = options.width
        self.lang = options.wording.lang  # ids stay ids; sentences follow --lang

    def format(self, report: Report) -> str:
        return render(self._renderables(report), color=self.color, width=self.width)

    def _renderables(self, report: Report) -> Iterator[RenderableType]:
        lang = self.lang
        summary = summarise(report)
        yield _heading(report, lang)
        listed = _listed(in_place_order(report.verdicts))
        for database, in_database in groupby(listed, key=_database):
            yield Text()
            yield Text(database, style="bold underline")
            for table_name, in_table in groupby(in_database, key=lambda v: v.finding.location.table or ""):
                yield Padding(_table_block(table_name, database, list(in_table), lang), (1, 0, 0, 2))
        if len(listed) < len(report.verdicts):
            yield Text()
            yield Text(_not_all_listed(listed, summary, lang), style="bold")
        if summary.nothing_scanned:
            yield Text()
            yield Text(say("table.nothing_scanned", lang), style="bold yellow")
        elif not report.verdicts:
            yield Text()
            yield Text(say("table.nothing_found", lang))
        yield Text()
        yield _summary_panel(summary, report.fail_on, lang)
        yield from _listing(say("table.skipped", lang), [skipped_line(skipped, lang) for skipped in report.skipped])
        yield from _listing(
            labels(lang)["sampled"],
            [f"{s.source}: {sample_read(s.sample, labels(lang))}" for s in sorted_sources(report) if s.sample],
        )
        yield from _listing(
            say("table.stale_declarations", lang),
            [f"{stale.declared_in}: {sentence(stale, lang)}" for stale in report.stale_declarations],
        )
        if report.baseline is not None:
            accepted = sum(1 for v in report.verdicts if v.baseline_state is BaselineState.UNCHANGED)
            yield Text()
            yield Text(say("table.baseline_accepted", lang, accepted=accepted, path=report.baseline.path))
            yield from _listing(
                say("table.stale_baseline", lang),
                [f"{e.source} {e.place} ({e.category}, {e.verdict.value})" for e in report.baseline.stale],
            )
        if report.changed_since is not None:
            yield Text()
            yield Text(say("table.changed_since", lang, ref=report.changed_since.ref))
        yield Text()
        yield Text(next_step(report, summary, lang), style="bold", no_wrap=True)


def _listed(verdicts: list[Verdict]) -> list[Verdict]:
    """Every finding, or beyond LISTED_AT_MOST the first LISTED_PER_VERDICT of each verdict (in
    place order): a terminal table of 600,000 findings takes minutes to lay out and nobody reads it."""
    if len(verdicts) <= LISTED_AT_MOST:
        return verdicts
    per_verdict: Counter[VerdictKind] = Counter()
    listed = []
    for verdict in verdicts:
        if per_verdict[verdict.kind] < LISTED_PER_VERDICT:
            per_verdict[verdict.kind] += 1
            listed.append(verdict)
    return listed


def _not_all_listed(listed: list[Verdict], summary: Summary, lang: str) -> str:
    """`Listed: 300 of 150,000 findings, the first 100 of each verdict (undeclared: 100 of …)`."""
    shown = Counter(verdict.kind.value for verdict in listed)
    cut = [
        say("table.listed_of", lang, kind=kind, shown=shown[kind], total=total)
        for kind, total in summary.by_verdict.items()
        if shown[kind] < total
    ]
    return say(
        "table.listed",
        lang,
        listed=len(listed),
        total=summary.total,
        per_verdict=LISTED_PER_VERDICT,
        cut="; ".join(cut),
    )


def _database(verdict: Verdict) -> str:
    return verdict.finding.location.database or verdict.finding.location.source


def _heading(report: Report, lang: str) -> Text:
    scanned = sum(1 for source in report.sources if source.status != "skipped")
    heading = Text.assemble(
        ("pdscan ", "bold"),
        say("table.heading", lang, version=report.tool_version, rules=report.rules_version, scanned=scanned),
    )
    if report.skipped:
        heading.append(say("table.heading_skipped", lang, skipped=len(report.skipped)), style="yellow")
    policy = report.policy
    heading.append_text(
        Text.assemble(
            "\n" + say("table.policy", lang),
            (policy.title, "bold"),
            say("table.policy_version", lang, policy_id=policy.policy_id, version=policy.version),
        )
    )
    return heading


def _table_block(name: str, database: str, verdicts: list[Verdict], lang: str) -> Group:
    """One table's (or log's) findings, every row laid out on the same column widths."""
    is_log = verdicts[0].finding.location.kind is SourceKind.LOG
    header = [Text(say(title, lang), style="bold dim") for title in (LOG_HEADERS if is_log else HEADERS)]
    rows = [_row(verdict, database, lang) for verdict in verdicts]
    widths = [min(WIDEST_FIXED_CELL, _widest(cells)) for cells in zip(header, *rows, strict=True)]
    heading = say("table.log_values", lang) if is_log else name or say("table.no_table", lang)
    lines: list[RenderableType] = [Text(heading, style="bold cyan"), _aligned(widths, header)]
    for verdict, row in zip(verdicts, rows, strict=True):
        lines.append(_aligned(widths, row))
        lines.append(Padding(_details(verdict, lang), (0, 0, 0, 4)))
    return Group(*lines)


def _row(verdict: Verdict, database: str, lang: str) -> list[Text]:
    finding = verdict.finding
    location = finding.location
    category = f"{finding.category} {verdict.clause}" if finding.category and verdict.clause else finding.category
    if finding.occurrences is not None:
        place = Text(location.column or say("table.free_text", lang), style="cyan" if location.column else "dim")
        where = _seen_at(finding.occurrences, database)
    else:
        place = Text(location.column or "", style="cyan")
        where = _defined_at(location.source, database, location.line)
    return [
        place,
        Text(category or say("table.not_in_policy", lang)),
        Text(verdict.kind.value, style=VERDICT_STYLES[verdict.kind]),
        _declared_purposes(verdict, lang),
        Text(where, style="dim"),
    ]


def _seen_at(occurrences: Occurrences, log: str) -> str:
    """`1,937 · 1 → 2000`: how many values, first and last line; each with its file's name
    when either is in a rotated copy (`access.log.1.gz:1 → access.log:3`)."""
    ends = [where.rpartition(":") for where in (occurrences.first, occurrences.last)]
    named = any(path != log for path, _, _ in ends)
    first, last = (f"{Path(path).name}:{line}" if named else line for path, _, line in ends)
    return f"{occurrences.count:,} · {first}" + ("" if first == last else f" → {last}")


def _widest(cells: Iterable[Text]) -> int:
    return max(cell_len(cell.plain) for cell in cells)


def _aligned(widths: Sequence[int], cells: Sequence[Text]) -> Table:
    """A one-row grid: the short cells at fixed widths, the rest of the line for the purposes."""
    column, category, verdict, _, defined_at = widths
    grid = Table.grid(padding=(0, 2), expand=True)
    grid.add_column(width=column, overflow="fold")
    grid.add_column(width=category, overflow="fold")
    grid.add_column(width=verdict, no_wrap=True)
    grid.add_column(ratio=1, overflow="fold")
    grid.add_column(width=defined_at, overflow="fold")
    grid.add_row(*cells)
    return grid


def _declared_purposes(verdict: Verdict, lang: str) -> Text:
    """The declared purposes, each the policy does not permit for the category marked so."""
    if not verdict.declared_purposes:
        return Text("—", style="dim")
    shown = Text()
    for index, purpose in enumerate(verdict.declared_purposes):
        if index:
            shown.append(", ")
        if verdict.finding.category and purpose not in verdict.permitted_purposes:
            shown.append(purpose + say("table.not_permitted", lang), style="bold red")
        else:
            shown.append(purpose)
    return shown


def _details(verdict: Verdict, lang: str) -> Text:
    finding = verdict.finding
    evidence = "; ".join(sentence(e, lang) for e in finding.evidence)
    details = Text.assemble((finding.data_type, "italic"), ": ", evidence)
    if verdict.kind is VerdictKind.PURPOSE_NOT_PERMITTED and verdict.declared_in:
        details.append(say("table.declared_in", lang, where=", ".join(verdict.declared_in)))
    if verdict.ignore_reason:
        details.append(say("table.ignored", lang, where=verdict.ignored_in or "", reason=verdict.ignore_reason))
    if verdict.baseline_state is BaselineState.UNCHANGED:
        details.append(say("table.accepted", lang))
    for samples in (finding.occurrences, finding.values):
        if samples is not None and samples.samples:
            details.append(say("table.samples", lang, samples=", ".join(samples.samples)))
    details.stylize("dim")
    for warning in verdict.warnings:
        details.append(f" · {warning}: {_warning_words(warning, lang)}", style="bold red")
    for silenced in verdict.silenced_warnings:
        said = say("table.silenced", lang, warning=silenced.warning, where=silenced.silenced_in, reason=silenced.reason)
        details.append(said, style="dim")
    return details


def _warning_words(warning: str, lang: str) -> str:
    """What a warning means, in `lang` (labels.yaml `warning.*`); a warning it lacks words for, none."""
    return labels(lang).get(f"warning.{warning}", "")


def _defined_at(source: str, database: str, line: int | None) -> str:
    """The file relative to the schema's folder, which is already the group's heading."""
    shown = source
    if source == database or Path(source).parent == Path(database):
        shown = Path(source).name
    return f"{shown}:{line}" if line else shown


def _summary_panel(summary: Summary, fail_on: str, lang: str) -> Panel:
    by_category = Table.grid(padding=(0, 2))
    by_category.add_column()
    by_category.add_column(justify="right")
    for category, count in summary.by_category.items():
        shown = f"({say('table.not_in_policy', lang)})" if category == UNCATEGORISED else category
        by_category.add_row(Text(shown), str(count))
    by_verdict = Table.grid(padding=(0, 2))
    by_verdict.add_column()
    by_verdict.add_column(justify="right")
    for kind, count in reversed(summary.by_verdict.items()):
        by_verdict.add_row(Text(kind, style=VERDICT_STYLES[VerdictKind(kind)]), str(count))
    columns = Table.grid(padding=(0, 6))
    columns.add_row(
        Group(Text(say("table.by_category", lang), style="underline"), by_category),
        Group(Text(say("table.by_verdict", lang), style="underline"), by_verdict),
    )
    threshold = (
        say("table.never_fails", lang)
        if fail_on == "never"
        else say("table.failing", lang, failing=summary.failing, fail_on=fail_on)
    )
    title = say("table.total", lang, total=summary.total)
    if summary.nothing_scanned:
        title += say("table.nothing_scanned_title", lang)
    elif summary.partial:
        title += say("table.partial", lang)
    return Panel(Group(columns, Text(), Text(threshold)), title=title, title_align="left", expand=False)


def _listing(title: str, lines: list[str]) -> Iterator[RenderableType]:
    if not lines:
        return
    yield Text()
    yield Text(f"{title} ({len(lines)})", style="bold yellow")
    for line in lines:
        yield Padding(Text(line), (0, 0, 0, 2))


def next_step(report: Report, summary: Summary, lang: str = ENGLISH) -> str:
    """One line saying what to do: the worst problem present first, then how many others remain;
    skipped items after the problems found (nothing is known of them, so never "nothing to
    do"), warnings last (they fail nothing). A scan that read nothing says only that."""
    if summary.nothing_scanned:
        return say("table.next_nothing_scanned", lang)
    counts = summary.by_verdict
    problems = [
        (f"{count} {kind}", say(f"table.advice.{kind}", lang, count=count))
        for kind, count in (
            ("not_in_policy", counts.get("not_in_policy", 0)),
            ("no_policy_purpose", counts.get("no_policy_purpose", 0)),
            ("purpose_not_permitted", counts.get("purpose_not_permitted", 0)),
            ("undeclared", counts.get("undeclared", 0)),
            ("stale_declaration", len(report.stale_declarations)),
        )
        if count
    ]
    if report.skipped:
        skipped = len(report.skipped)
        problems.append(
            (say("table.skipped_count", lang, count=skipped), say("table.advice.skipped", lang, count=skipped))
        )
    problems += [
        (say("table.warning_count", lang, count=count, warning=warning), _warning_advice(warning, count, lang))
        for warning, count in summary.warnings.items()
    ]
    if not problems:
        return say("table.nothing_to_do", lang)
    (_, advice), others = problems[0], problems[1:]
    then = ", ".join(counted for counted, _ in others)
    return say("table.next", lang, advice=advice) + (say("table.then", lang, others=then) if others else "")


def _warning_advice(warning: str, count: int, lang: str) -> str:
    known = f"table.advice.{warning}"
    if warning == PLAINTEXT_SENSITIVE:
        return say(known, lang, count=count)
    return say("table.advice.warning", lang, count=count, warning=warning)
