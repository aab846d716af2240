"""`pdscan policy`: the categories and purposes a scan is judged against, in both languages."""

from __future__ import annotations

from collections.abc import Iterator

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from pdscan.formats.console import render
from pdscan.policy import Category, Policy


class PolicyView:
    def __init__(self, color: bool, width: int | None = None) -> None:
        self.color = color
        self.width = width

    def format(self, policy: Policy) -> str:
        return render(self._renderables(policy), color=self.color, width=self.width)

    @staticmethod
    def _renderables(policy: Policy) -> Iterator[RenderableType]:
        yield Text.assemble((policy.title, "bold"), f" ({policy.id}, version {policy.version})")
        yield Text(f"{policy.path} · sha256 {policy.sha256}", style="dim")
        yield Text()
        yield Text(f"Categories ({len(policy.categories)})", style="bold underline")
        for category in policy.categories:
            yield Text()
            yield _category(category)
        yield Text()
        yield Text(f"Purposes ({len(policy.purposes)})", style="bold underline")
        purposes = Table(show_lines=False)
        purposes.add_column("purpose", style="cyan", no_wrap=True)
        purposes.add_column("clause", no_wrap=True)
        purposes.add_column("title (en / ru)", ratio=2)
        purposes.add_column("the policy's words", style="italic", ratio=3)
        for purpose in policy.purposes:
            purposes.add_row(
                purpose.id,
                purpose.clause,
                Text.assemble(purpose.title_en, "\n", (purpose.title_ru, "italic")),
                purpose.text_ru,
            )
        yield purposes


def _category(category: Category) -> Group:
    """A category as a block: heading, then labelled lines, which reads well at any width."""
    heading = Text.assemble((category.id, "bold cyan"), f"  {category.clause}")
    fields = Table.grid(padding=(0, 2))
    fields.add_column(style="dim", no_wrap=True)
    fields.add_column()
    fields.add_row("title (en)", category.title_en)
    fields.add_row("title (ru)", Text(category.title_ru, style="italic"))
    if category.covers:
        fields.add_row("covers", category.covers)
    fields.add_row(
        "data types",
        ", ".join(category.data_types) or Text("none: only a declaration can assign a place to it", style="dim"),
    )
    fields.add_row("permitted purposes", ", ".join(category.purposes) or Text("none", style="bold red"))
    if category.note:
        fields.add_row("note", Text(category.note, style="dim"))
    return Group(heading, Padding(fields, (0, 0, 0, 4)))
