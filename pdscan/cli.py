"""Command line: options in, report out. No decisions are made here.

stdout carries only the report (so `pdscan scan … --format json | jq` works); every message
for people goes to stderr. Exit codes: 0 nothing at or above --fail-on, 1 findings at or
above it, 2 usage or input error.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import click

from pdscan import __version__
from pdscan.declarations import DataMap, DeclarationError, load_data_map
from pdscan.detect.names import NameClassifier
from pdscan.formats import FORMATS
from pdscan.formats.policy_view import PolicyView
from pdscan.formats.summary import summarise
from pdscan.model import Skipped, VerdictKind
from pdscan.policy import Policy, PolicyError, load_policy
from pdscan.scanner import ScanRequest, run_scan
from pdscan.sources.discovery import UnknownSourceError
from pdscan.sources.sql_ddl import DIALECTS

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
DATA_MAP_NAME = "pdscan.yml"
FAIL_ON_CHOICES = [kind.value for kind in VerdictKind if kind is not VerdictKind.IGNORED] + ["never"]

SCAN_HELP = f"""Scan SQL schemas for personal data and judge each place against the policy.

SOURCE is a SQL file, a directory (SQL files in one folder are replayed in order as
migrations), a glob, `-` for standard input, a SQLite database file or a sqlite:/// URL.

\b
Examples:
  pdscan scan db/structure.sql
  pdscan scan db/migrate/ --config pdscan.yml
  pdscan scan 'schemas/**/*.sql' --format json --output report.json
  pg_dump --schema-only shop | pdscan scan - --dialect postgres
  pdscan scan shop.db --fail-on purpose_not_permitted

\b
Exit codes:
  0  nothing at or above --fail-on (default: undeclared)
  1  findings at or above --fail-on
  2  usage or input error (bad policy or data map; with --strict, anything skipped)

The data map is --config, else ./{DATA_MAP_NAME}, else {DATA_MAP_NAME} inside a scanned directory.
"""

POLICY_HELP = """Show the policy scans are judged against, or check a policy file.

\b
Examples:
  pdscan policy                          show the bundled policy
  pdscan policy --policy my-policy.yaml  show your own policy
  pdscan policy --check my-policy.yaml   validate it: every problem with file:line:column
"""


class Messages:
    """People-facing lines on stderr, silenced by --quiet except errors."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet

    def info(self, text: str) -> None:
        if not self.quiet:
            click.echo(f"pdscan: {text}", err=True)

    def error(self, text: str) -> None:
        click.echo(f"pdscan: error: {text}", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="pdscan")
def main() -> None:
    """pdscan: which personal data do we hold, where, and is it held for a declared purpose?

    \b
    Examples:
      pdscan scan examples/shop
      pdscan scan db/structure.sql --format json --output report.json
      pdscan policy
    """


@main.command(help=SCAN_HELP)
@click.argument("sources", nargs=-1, required=True)
@click.option(
    "--policy",
    "policy_path",
    type=click.Path(path_type=Path),
    help="Policy YAML replacing the bundled one.",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path),
    help=f"Data map declaring purposes (default: ./{DATA_MAP_NAME}).",
)
@click.option(
    "--format",
    "format_name",
    type=click.Choice(sorted(FORMATS)),
    default="table",
    show_default=True,
    help="Report format.",
)
@click.option(
    "--output",
    "-o",
    "output_path",
    type=click.Path(path_type=Path),
    help="Write the report to this file (atomically) instead of stdout.",
)
@click.option(
    "--fail-on",
    type=click.Choice(FAIL_ON_CHOICES),
    default="undeclared",
    show_default=True,
    help="Exit 1 when a verdict this severe or worse is found.",
)
@click.option(
    "--dialect",
    type=click.Choice(DIALECTS),
    help="SQL dialect of every file (default: detected per file).",
)
@click.option(
    "--include",
    multiple=True,
    metavar="GLOB",
    help="Only files matching GLOB inside directories (repeatable).",
)
@click.option(
    "--exclude",
    multiple=True,
    metavar="GLOB",
    help="Skip files matching GLOB inside directories (repeatable).",
)
@click.option("--strict", is_flag=True, help="Exit 2 when anything had to be skipped.")
@click.option(
    "--color/--no-color",
    default=None,
    help="Colour the table (default: on a terminal, unless NO_COLOR is set).",
)
@click.option("--quiet", "-q", is_flag=True, help="No messages on stderr except errors.")
def scan(
    sources: tuple[str, ...],
    policy_path: Path | None,
    config_path: Path | None,
    format_name: str,
    output_path: Path | None,
    fail_on: str,
    dialect: str | None,
    include: tuple[str, ...],
    exclude: tuple[str, ...],
    strict: bool,
    color: bool | None,
    quiet: bool,
) -> None:
    messages = Messages(quiet)
    try:
        policy = load_policy(policy_path)
        data_map = _data_map(config_path, sources, policy, messages)
        request = ScanRequest(
            targets=sources,
            dialect=dialect,
            include=include,
            exclude=exclude,
            fail_on=fail_on,
        )

        def announce_skip(skipped: Skipped) -> None:
            messages.info(f"skipped {skipped}")

        report = run_scan(request, policy, data_map, NameClassifier.bundled(), announce_skip)
    except (PolicyError, DeclarationError) as error:
        for problem in error.problems:
            messages.error(str(problem))
        sys.exit(EXIT_ERROR)
    except UnknownSourceError as error:
        messages.error(str(error))
        sys.exit(EXIT_ERROR)

    use_color = _use_color(color, output_path)
    rendered = FORMATS[format_name](color=use_color).format(report)
    if output_path is None:
        click.echo(rendered, nl=not rendered.endswith("\n"))
    else:
        try:
            _write_atomically(output_path, rendered)
        except OSError as error:
            messages.error(f"cannot write the report to {output_path}: {error.strerror}")
            sys.exit(EXIT_ERROR)
        messages.info(f"report written to {output_path}")

    if report.skipped:
        messages.info(f"partial scan: {len(report.skipped)} item(s) skipped; the report lists them")
    if strict and report.skipped:
        sys.exit(EXIT_ERROR)
    if summarise(report).fails:
        sys.exit(EXIT_FINDINGS)
    sys.exit(EXIT_OK)


@main.command(help=POLICY_HELP)
@click.option(
    "--policy",
    "policy_path",
    type=click.Path(path_type=Path),
    help="Show this policy instead of the bundled one.",
)
@click.option(
    "--check",
    "check_path",
    type=click.Path(path_type=Path),
    help="Validate this policy file and report every problem.",
)
@click.option("--color/--no-color", default=None, help="Colour the output.")
def policy(policy_path: Path | None, check_path: Path | None, color: bool | None) -> None:
    messages = Messages(quiet=False)
    try:
        loaded = load_policy(check_path or policy_path)
    except PolicyError as error:
        for problem in error.problems:
            messages.error(str(problem))
        sys.exit(EXIT_ERROR)
    if check_path is not None:
        click.echo(
            f"{check_path}: valid policy '{loaded.id}' with {len(loaded.categories)} "
            f"categories and {len(loaded.purposes)} purposes"
        )
        return
    click.echo(PolicyView(color=_use_color(color, None)).format(loaded), nl=False)


def _data_map(config_path: Path | None, sources: tuple[str, ...], policy: Policy, messages: Messages) -> DataMap | None:
    """The explicit --config, else the working directory's, else a scanned directory's."""
    if config_path is not None:
        if not config_path.is_file():
            raise UnknownSourceError(f"{config_path}: no such data map file")
        return load_data_map(config_path, policy)
    candidates = [Path(DATA_MAP_NAME)] + [Path(s) / DATA_MAP_NAME for s in sources if Path(s).is_dir()]
    for candidate in candidates:
        if candidate.is_file():
            messages.info(f"declarations from {candidate}")
            return load_data_map(candidate, policy)
    messages.info(f"no data map ({DATA_MAP_NAME}): every place is undeclared")
    return None


def _use_color(requested: bool | None, output_path: Path | None) -> bool:
    if requested is not None:
        return requested
    if output_path is not None or "NO_COLOR" in os.environ:
        return False
    return sys.stdout.isatty()


def _write_atomically(path: Path, text: str) -> None:
    """Write beside the target and rename, so no reader ever sees half a report."""
    directory = path.parent if str(path.parent) else Path(".")
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
