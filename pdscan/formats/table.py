"""The terminal report: findings grouped by schema and table, a summary, and what to do next."""

from __future__ import annotations

import io
import shutil
from itertools import groupby
from pathlib import Path

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from pdscan.formats.summary import Summary, summarise
from pdscan.model import Report, Verdict, VerdictKind

VERDICT_STYLES = {
    VerdictKind.IGNORED: "dim",
    VerdictKind.OK: "green",
    VerdictKind.STALE_DECLARATION: "yellow",
    VerdictKind.UNDECLARED: "bold yellow",
    VerdictKind.PURPOSE_NOT_PERMITTED: "bold red",
    VerdictKind.NO_POLICY_PURPOSE: "bold red",
    VerdictKind.NOT_IN_POLICY: "bold magenta",
}
MIN_WIDTH = 100


class TableFormat:
    def __init__(self, color: bool, width: int | None = None) -> None:
        self.color = color
        self.width = width

    def format(self, report: Report) -> str:
        buffer = io.StringIO()
        console = Console(
            file=buffer,
            force_terminal=self.color,
            no_color=not self.color,
            color_system="standard" if self.color else None,
            width=self.width or max(MIN_WIDTH, shutil.get_terminal_size().columns),
            highlight=False,
            soft_wrap=False,
        )
        summary = summarise(report)
        console.print(
            Text.assemble(
                ("pdscan ", "bold"),
                f"{report.tool_version} · policy ",
                (report.policy.title, "bold"),
                f" ({report.policy.policy_id}) · ",
                f"{sum(1 for s in report.sources if s.status != 'skipped')} source(s) scanned · ",
                f"rules {report.rules_version}",
            )
        )
        for database, verdicts in groupby(
            report.verdicts, key=lambda v: v.finding.location.database or v.finding.location.source
        ):
            console.print()
            console.print(Text(database, style="bold underline"))
            for table_name, in_table in groupby(verdicts, key=lambda v: v.finding.location.table or ""):
                console.print(self._table(table_name, list(in_table)))
        if not report.verdicts:
            console.print("\nNo personal data found in the scanned schemas.")
        console.print(self._summary_panel(summary))
        for skipped in report.skipped:
            console.print(Text.assemble(("skipped ", "yellow"), str(skipped)))
        for stale in report.stale_declarations:
            console.print(Text.assemble(("stale declaration ", "yellow"), f"{stale.declared_in}: {stale.explanation}"))
        console.print(Text(next_step(report, summary), style="bold"))
        return buffer.getvalue()

    def _table(self, name: str, verdicts: list[Verdict]) -> Table:
        table = Table(
            title=Text(name, style="bold"),
            title_justify="left",
            expand=True,
            show_lines=False,
            pad_edge=False,
            box=None,
            header_style="bold dim",
        )
        table.add_column("column", style="cyan", no_wrap=True)
        table.add_column("category", no_wrap=True)
        table.add_column("evidence", ratio=3)
        table.add_column("declared purposes", ratio=2)
        table.add_column("verdict", no_wrap=True)
        table.add_column("defined at", style="dim", no_wrap=True)
        for verdict in verdicts:
            finding = verdict.finding
            location = finding.location
            category = f"{finding.category} {verdict.clause}" if finding.category else "not in policy"
            table.add_row(
                location.column or "",
                category,
                "; ".join(e.text for e in finding.evidence),
                "\n".join(verdict.declared_purposes) or "—",
                Text(verdict.kind.value, style=VERDICT_STYLES[verdict.kind]),
                _defined_at(location.source, location.database, location.line),
            )
        return table

    @staticmethod
    def _summary_panel(summary: Summary) -> Panel:
        by_category = Table.grid(padding=(0, 2))
        by_category.add_column(style="bold")
        by_category.add_column(justify="right")
        for category, count in summary.by_category.items():
            by_category.add_row(category, str(count))
        by_verdict = Table.grid(padding=(0, 2))
        by_verdict.add_column()
        by_verdict.add_column(justify="right")
        for kind, count in summary.by_verdict.items():
            by_verdict.add_row(Text(kind, style=VERDICT_STYLES[VerdictKind(kind)]), str(count))
        columns = Table.grid(padding=(0, 6))
        columns.add_row(
            Group(Text("by category", style="underline"), by_category),
            Group(Text("by verdict", style="underline"), by_verdict),
        )
        title = f"{summary.total} place(s) hold personal data"
        if summary.partial:
            title += " · partial scan"
        return Panel(columns, title=title, title_align="left", expand=False)


def _defined_at(source: str, database: str | None, line: int | None) -> str:
    """The file relative to the schema's folder: the folder is already the group's heading."""
    shown = source
    if (database and database != source and Path(source).parent == Path(database)) or database == source:
        shown = Path(source).name
    return f"{shown}:{line}" if line else shown


def next_step(report: Report, summary: Summary) -> str:
    """One line saying what to do, led by the worst problem present."""
    counts = summary.by_verdict
    if counts.get("not_in_policy"):
        return (
            f"Next: {counts['not_in_policy']} place(s) hold data the policy never mentions: stop "
            "holding it or extend the policy."
        )
    if counts.get("no_policy_purpose"):
        return (
            f"Next: {counts['no_policy_purpose']} place(s) hold data the policy gives no purpose "
            "for: stop holding it, or have the policy name a purpose."
        )
    if counts.get("purpose_not_permitted"):
        return (
            f"Next: {counts['purpose_not_permitted']} place(s) are declared for purposes the policy "
            "does not permit: fix their purposes in pdscan.yml."
        )
    if counts.get("undeclared"):
        return (
            f"Next: {counts['undeclared']} place(s) hold personal data without a declared purpose: "
            "declare their purposes in pdscan.yml (docs/data-map.md) or stop holding the data."
        )
    if report.stale_declarations:
        return "Next: remove or rename the stale entries of pdscan.yml."
    if report.skipped:
        return "Nothing to fix in what was scanned; look at the skipped items above."
    return "Nothing to do: every place holding personal data is declared for a purpose the policy permits."
