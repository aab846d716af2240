"""`pdscan policy`: the categories and purposes a scan is judged against, in both languages."""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table
from rich.text import Text

from pdscan.policy import Policy


class PolicyView:
    def __init__(self, color: bool, width: int | None = None) -> None:
        self.color = color
        self.width = width

    def format(self, policy: Policy) -> str:
        buffer = io.StringIO()
        console = Console(
            file=buffer,
            force_terminal=self.color,
            no_color=not self.color,
            width=self.width or 140,
            highlight=False,
        )
        console.print(Text.assemble((policy.title, "bold"), f" ({policy.id}, version {policy.version})"))
        console.print(Text(f"{policy.path} · sha256 {policy.sha256[:16]}…", style="dim"))
        categories = Table(title="Categories", title_justify="left", show_lines=True)
        categories.add_column("id", style="cyan", no_wrap=True)
        categories.add_column("clause", no_wrap=True)
        categories.add_column("title (en / ru)")
        categories.add_column("data types", ratio=1)
        categories.add_column("permitted purposes", ratio=2)
        for category in policy.categories:
            title = Text.assemble(category.title_en, "\n", (category.title_ru, "italic"))
            if category.note:
                title.append(f"\nnote: {category.note}", style="dim")
            categories.add_row(
                category.id,
                category.clause,
                title,
                "\n".join(category.data_types) or "—",
                ", ".join(category.purposes) or Text("none", style="bold red"),
            )
        console.print(categories)
        purposes = Table(title="Purposes", title_justify="left")
        purposes.add_column("id", style="cyan", no_wrap=True)
        purposes.add_column("clause", no_wrap=True)
        purposes.add_column("title (en / ru)")
        purposes.add_column("the policy's words", style="italic")
        for purpose in policy.purposes:
            purposes.add_row(
                purpose.id,
                purpose.clause,
                f"{purpose.title_en}\n{purpose.title_ru}",
                purpose.text_ru,
            )
        console.print(purposes)
        return buffer.getvalue()
