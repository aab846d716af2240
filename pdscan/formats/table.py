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

from pdscan.audit import PLAINTEXT_SENSITIVE, WARNING_EXPLANATIONS
from pdscan.formats.console import render
from pdscan.formats.summary import Summary, in_place_order, summarise
from pdscan.model import BaselineState, Occurrences, Report, SourceKind, Verdict, VerdictKind

VERDICT_STYLES = {
    VerdictKind.IGNORED: "dim",
    VerdictKind.OK: "green",
    VerdictKind.STALE_DECLARATION: "yellow",
    VerdictKind.UNDECLARED: "bold yellow",
    VerdictKind.PURPOSE_NOT_PERMITTED: "bold red",
    VerdictKind.NO_POLICY_PURPOSE: "bold red",
    VerdictKind.NOT_IN_POLICY: "bold red",
}
HEADERS = ("column", "category", "verdict", "declared purposes", "defined at")
LOG_HEADERS = ("field", "category", "verdict", "declared purposes", "values · lines")
FREE_TEXT = "(free text)"
WIDEST_FIXED_CELL = 32  # a longer name or path folds onto more lines instead of squeezing the purposes
NOT_PERMITTED = " (not permitted)"
LISTED_AT_MOST = 1000  # more findings than this: only the first LISTED_PER_VERDICT of each verdict are listed
LISTED_PER_VERDICT = 100
NOTHING_SCANNED = "Nothing was scanned: every source was skipped"
WARNING_ADVICE = {
    PLAINTEXT_SENSITIVE: "place(s) hold card, bank-account or identity-document numbers or secrets readable in "
    "clear text, though the policy promises encryption (§1a): mask them before they are logged",
}


class TableFormat:
    def __init__(self, color: bool, width: int | None = None, wording: object = None) -> None:
        del wording  # the terminal table speaks ids; the argument keeps every format built the same way
        self.color = color
        self.width = width

    def format(self, report: Report) -> str:
        return render(self._renderables(report), color=self.color, width=self.width)

    @staticmethod
    def _renderables(report: Report) -> Iterator[RenderableType]:
        summary = summarise(report)
        yield _heading(report)
        listed = _listed(in_place_order(report.verdicts))
        for database, in_database in groupby(listed, key=_database):
            yield Text()
            yield Text(database, style="bold underline")
            for table_name, in_table in groupby(in_database, key=lambda v: v.finding.location.table or ""):
                yield Padding(_table_block(table_name, database, list(in_table)), (1, 0, 0, 2))
        if len(listed) < len(report.verdicts):
            yield Text()
            yield Text(_not_all_listed(listed, summary), style="bold")
        if summary.nothing_scanned:
            yield Text()
            yield Text(NOTHING_SCANNED + " (listed below).", style="bold yellow")
        elif not report.verdicts:
            yield Text()
            yield Text("No personal data found in what was scanned.")
        yield Text()
        yield _summary_panel(summary, report.fail_on)
        yield from _listing("Skipped", [str(skipped) for skipped in report.skipped])
        yield from _listing(
            "Stale declarations",
            [f"{stale.declared_in}: {stale.explanation}" for stale in report.stale_declarations],
        )
        if report.baseline is not None:
            accepted = sum(1 for v in report.verdicts if v.baseline_state is BaselineState.UNCHANGED)
            yield Text()
            yield Text(f"{accepted} finding(s) accepted by the baseline {report.baseline.path}: shown, never failing.")
            yield from _listing(
                "Stale baseline entries (refresh with `pdscan baseline`)",
                [f"{e.source} {e.place} ({e.category}, {e.verdict.value})" for e in report.baseline.stale],
            )
        if report.changed_since is not None:
            yield Text()
            yield Text(f"Only places defined in files changed since {report.changed_since.ref} are listed.")
        yield Text()
        yield Text(next_step(report, summary), style="bold", no_wrap=True)


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


def _not_all_listed(listed: list[Verdict], summary: Summary) -> str:
    """`Listed: 300 of 150,000 findings, the first 100 of each verdict (undeclared: 100 of …)`."""
    shown = Counter(verdict.kind.value for verdict in listed)
    cut = [f"{kind}: {shown[kind]:,} of {total:,}" for kind, total in summary.by_verdict.items() if shown[kind] < total]
    return (
        f"Listed: {len(listed):,} of {summary.total:,} findings, the first {LISTED_PER_VERDICT} of each verdict "
        f"({'; '.join(cut)}); the JSON report (--format json) lists every one."
    )


def _database(verdict: Verdict) -> str:
    return verdict.finding.location.database or verdict.finding.location.source


def _heading(report: Report) -> Text:
    scanned = sum(1 for source in report.sources if source.status != "skipped")
    heading = Text.assemble(
        ("pdscan ", "bold"),
        f"{report.tool_version} · rules {report.rules_version} · {scanned} source(s) scanned",
    )
    if report.skipped:
        heading.append(f", {len(report.skipped)} item(s) skipped", style="yellow")
    heading.append_text(
        Text.assemble(
            "\npolicy ",
            (report.policy.title, "bold"),
            f" ({report.policy.policy_id}, version {report.policy.version})",
        )
    )
    return heading


def _table_block(name: str, database: str, verdicts: list[Verdict]) -> Group:
    """One table's (or log's) findings, every row laid out on the same column widths."""
    is_log = verdicts[0].finding.location.kind is SourceKind.LOG
    header = [Text(title, style="bold dim") for title in (LOG_HEADERS if is_log else HEADERS)]
    rows = [_row(verdict, database) for verdict in verdicts]
    widths = [min(WIDEST_FIXED_CELL, _widest(cells)) for cells in zip(header, *rows, strict=True)]
    heading = "values found in the log" if is_log else name or "(no table)"
    lines: list[RenderableType] = [Text(heading, style="bold cyan"), _aligned(widths, header)]
    for verdict, row in zip(verdicts, rows, strict=True):
        lines.append(_aligned(widths, row))
        lines.append(Padding(_details(verdict), (0, 0, 0, 4)))
    return Group(*lines)


def _row(verdict: Verdict, database: str) -> list[Text]:
    finding = verdict.finding
    location = finding.location
    category = f"{finding.category} {verdict.clause}" if finding.category and verdict.clause else finding.category
    if finding.occurrences is not None:
        place = Text(location.column or FREE_TEXT, style="cyan" if location.column else "dim")
        where = _seen_at(finding.occurrences, database)
    else:
        place = Text(location.column or "", style="cyan")
        where = _defined_at(location.source, database, location.line)
    return [
        place,
        Text(category or "not in policy"),
        Text(verdict.kind.value, style=VERDICT_STYLES[verdict.kind]),
        _declared_purposes(verdict),
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


def _declared_purposes(verdict: Verdict) -> Text:
    """The declared purposes, each the policy does not permit for the category marked so."""
    if not verdict.declared_purposes:
        return Text("—", style="dim")
    shown = Text()
    for index, purpose in enumerate(verdict.declared_purposes):
        if index:
            shown.append(", ")
        if verdict.finding.category and purpose not in verdict.permitted_purposes:
            shown.append(purpose + NOT_PERMITTED, style="bold red")
        else:
            shown.append(purpose)
    return shown


def _details(verdict: Verdict) -> Text:
    finding = verdict.finding
    details = Text.assemble((finding.data_type, "italic"), ": ", "; ".join(e.text for e in finding.evidence))
    if verdict.kind is VerdictKind.PURPOSE_NOT_PERMITTED and verdict.declared_in:
        details.append(f" · declared in {', '.join(verdict.declared_in)}")
    if verdict.ignore_reason:
        details.append(f" · ignored ({verdict.ignored_in}): {verdict.ignore_reason}")
    if verdict.baseline_state is BaselineState.UNCHANGED:
        details.append(" · accepted by the baseline")
    if finding.occurrences is not None and finding.occurrences.samples:
        details.append(f" · samples: {', '.join(finding.occurrences.samples)}")
    if finding.values is not None and finding.values.samples:
        details.append(f" · samples: {', '.join(finding.values.samples)}")
    details.stylize("dim")
    for warning in verdict.warnings:
        details.append(f" · {warning}: {WARNING_EXPLANATIONS.get(warning, '')}", style="bold red")
    for silenced in verdict.silenced_warnings:
        details.append(f" · {silenced.warning} silenced ({silenced.silenced_in}): {silenced.reason}", style="dim")
    return details


def _defined_at(source: str, database: str, line: int | None) -> str:
    """The file relative to the schema's folder, which is already the group's heading."""
    shown = source
    if source == database or Path(source).parent == Path(database):
        shown = Path(source).name
    return f"{shown}:{line}" if line else shown


def _summary_panel(summary: Summary, fail_on: str) -> Panel:
    by_category = Table.grid(padding=(0, 2))
    by_category.add_column()
    by_category.add_column(justify="right")
    for category, count in summary.by_category.items():
        by_category.add_row(Text(category), str(count))
    by_verdict = Table.grid(padding=(0, 2))
    by_verdict.add_column()
    by_verdict.add_column(justify="right")
    for kind, count in reversed(summary.by_verdict.items()):
        by_verdict.add_row(Text(kind, style=VERDICT_STYLES[VerdictKind(kind)]), str(count))
    columns = Table.grid(padding=(0, 6))
    columns.add_row(
        Group(Text("by category", style="underline"), by_category),
        Group(Text("by verdict", style="underline"), by_verdict),
    )
    threshold = (
        "--fail-on never: nothing fails"
        if fail_on == "never"
        else f"{summary.failing} finding(s) at or above --fail-on {fail_on}"
    )
    title = f"{summary.total} finding(s) of personal data"
    if summary.nothing_scanned:
        title += " · nothing scanned"
    elif summary.partial:
        title += " · partial scan"
    return Panel(Group(columns, Text(), Text(threshold)), title=title, title_align="left", expand=False)


def _listing(title: str, lines: list[str]) -> Iterator[RenderableType]:
    if not lines:
        return
    yield Text()
    yield Text(f"{title} ({len(lines)})", style="bold yellow")
    for line in lines:
        yield Padding(Text(line), (0, 0, 0, 2))


def next_step(report: Report, summary: Summary) -> str:
    """One line saying what to do: the worst problem present first, then how many others remain;
    skipped items after the problems found (nothing is known of them, so never "nothing to
    do"), warnings last (they fail nothing). A scan that read nothing says only that."""
    if summary.nothing_scanned:
        return f"{NOTHING_SCANNED}; fix what the Skipped list says (a path, a server, a password) and scan again."
    counts = summary.by_verdict
    problems = [
        (kind, count, advice)
        for kind, count, advice in (
            (
                "not_in_policy",
                counts.get("not_in_policy", 0),
                "place(s) hold data the policy never mentions: stop holding it or extend the policy",
            ),
            (
                "no_policy_purpose",
                counts.get("no_policy_purpose", 0),
                "place(s) hold data the policy gives no purpose for: stop holding it, or have the policy "
                "name a purpose",
            ),
            (
                "purpose_not_permitted",
                counts.get("purpose_not_permitted", 0),
                "place(s) are declared for purposes the policy does not permit: fix their purposes in "
                "pdscan.yml or stop holding the data",
            ),
            (
                "undeclared",
                counts.get("undeclared", 0),
                "place(s) hold personal data without a declared purpose: declare their purposes in "
                "pdscan.yml (see docs/data-map.md) or stop holding the data",
            ),
            (
                "stale_declaration",
                len(report.stale_declarations),
                "declaration(s) in pdscan.yml name places that no longer exist: remove or rename them",
            ),
        )
        if count
    ]
    if report.skipped:
        problems.append(
            (
                "skipped and not checked",
                len(report.skipped),
                "item(s) were skipped and not checked: fix what the Skipped list says and scan again",
            )
        )
    problems += [
        (f"{warning} warning(s)", count, WARNING_ADVICE.get(warning, f"place(s) carry the {warning} warning"))
        for warning, count in summary.warnings.items()
    ]
    if not problems:
        return "Nothing to do: every place holding personal data is declared for a purpose the policy permits."
    (_, count, advice), others = problems[0], problems[1:]
    then = ", ".join(f"{other} {kind}" for kind, other, _ in others)
    return f"Next: {count} {advice}." + (f" Then: {then}." if others else "")
