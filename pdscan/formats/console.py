"""The one way formats turn rich renderables into text: coloured only when asked."""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterable

from rich.console import Console, RenderableType
from rich.text import Text

from pdscan.visible import Visible

DEFAULT_WIDTH = 120


def render(renderables: Iterable[RenderableType], *, color: bool, width: int | None) -> str:
    """Print to a buffer and return the text, without trailing blanks on any line.

    Names from scanned schemas (`[dbo].[users]`, `:smile:`) are printed as written, so rich
    markup and emoji codes are off. Without an explicit width the terminal's is used (or
    COLUMNS), else DEFAULT_WIDTH. Without colour the text holds no escape codes at all, with
    colour only rich's own: control characters in names are made visible. A Text marked
    `no_wrap` is printed as one line however wide.
    """
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        force_terminal=color,
        no_color=not color,
        color_system="standard" if color else None,
        width=width or shutil.get_terminal_size(fallback=(DEFAULT_WIDTH, 24)).columns,
        markup=False,
        emoji=False,
        highlight=False,
        soft_wrap=False,
    )
    for renderable in renderables:
        # A Text marked no_wrap is meant as one line (a line CI logs and grep keep whole).
        console.print(Visible(renderable), soft_wrap=isinstance(renderable, Text) and bool(renderable.no_wrap))
    return "".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines())
