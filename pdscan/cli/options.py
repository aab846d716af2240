"""Options several commands share (the data map, the language, the output file) and how they read."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

import click

from pdscan.formats.wording import DEFAULT_LANGUAGE, languages
from pdscan.model import VerdictKind
from pdscan.ruleset.suggestions import did_you_mean

DATA_MAP_NAME = "pdscan.yml"
FAIL_ON_CHOICES = [kind.value for kind in VerdictKind if kind is not VerdictKind.IGNORED] + ["never"]


class SuggestingChoice(click.Choice):
    """A choice whose error names the closest valid values (`--fail-on undeclard`)."""

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> object:
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter as error:
            message = error.message.rstrip(".") + did_you_mean(value, (str(c) for c in self.choices))
            raise click.BadParameter(message, ctx=error.ctx, param=error.param, param_hint=error.param_hint) from None


CONFIG_OPTION = click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path),
    help=f"Data map declaring purposes (default: ./{DATA_MAP_NAME}).",
)


LANG_OPTION = click.option(
    "--lang",
    type=click.Choice(languages()),
    default=DEFAULT_LANGUAGE,
    show_default=True,
    help="Language of the table, csv, markdown, html and inventory output: titles, labels and every sentence "
    "(evidence included); JSON, SARIF and GitHub output stay in English.",
)


def output_option(what: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    return click.option(
        "--output",
        "-o",
        "output_path",
        type=click.Path(path_type=Path),
        help=f"Write the {what} to this file (atomically) instead of stdout.",
    )


def use_color(requested: bool | None, output_path: Path | None) -> bool:
    if requested is not None:
        return requested
    if output_path is not None or "NO_COLOR" in os.environ:
        return False
    return sys.stdout.isatty()
