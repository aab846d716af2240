"""Command line: options in, report out. No decisions are made here.

stdout carries only the report (so `pdscan scan … --format json | jq` works); every message
for people goes to stderr. Exit codes: 0 nothing at or above --fail-on, 1 findings at or
above it, 2 usage or input error.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

import click

from pdscan import __version__
from pdscan.declarations import DataMap, DeclarationError, load_data_map
from pdscan.detect.engine import ENGINE_NAMES, EngineUnavailable
from pdscan.detect.names import NameClassifier
from pdscan.formats import FORMATS
from pdscan.formats.ndjson import NdjsonStream
from pdscan.formats.policy_view import PolicyView
from pdscan.formats.progress import ScanProgressBar
from pdscan.formats.summary import summarise
from pdscan.formats.table_progress import TableProgressBar
from pdscan.model import Report, Skipped, VerdictKind
from pdscan.policy import Policy, PolicyError, load_policy
from pdscan.scanner import DatabaseHooks, ScanRequest, run_scan
from pdscan.sources.discovery import UnknownSourceError
from pdscan.sources.logformats import FORMATS as LOG_FORMATS
from pdscan.sources.sql_ddl import DIALECTS

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a writer whose reader closed
DATA_MAP_NAME = "pdscan.yml"
FAIL_ON_CHOICES = [kind.value for kind in VerdictKind if kind is not VerdictKind.IGNORED] + ["never"]

SCAN_HELP = f"""Scan SQL schemas and logs for personal data and judge each place against the policy.

SOURCE is a SQL file, a directory (SQL files in one folder are replayed in order as
migrations; log files are scanned one by one), a log file (plain, gz, bz2, xz, zst), a glob,
`-` for standard input (a schema or a log, told by its content), a SQLite database file or a
sqlite:/// URL, or a live database: postgresql://user@host/db, mysql://user@host/db,
mariadb://user@host/db (read-only sessions; rows sampled unless --schema-only).

\b
Examples:
  pdscan scan db/structure.sql
  pdscan scan db/migrate/ --config pdscan.yml
  pdscan scan 'schemas/**/*.sql' --format json --output report.json
  pg_dump --schema-only shop | pdscan scan - --dialect postgres
  pdscan scan shop.db --fail-on purpose_not_permitted
  pdscan scan postgresql://auditor@db.internal/shop --schema-only
  pdscan scan mysql://auditor@127.0.0.1/shop --sample-size 500 --jobs 4
  pdscan scan /var/log/nginx/ app.log.3.gz --jobs 4
  kubectl logs deploy/api | pdscan scan - --format ndjson | jq .category

\b
Exit codes:
  0  nothing at or above --fail-on (default: undeclared)
  1  findings at or above --fail-on
  2  usage or input error (bad policy or data map; nothing could be scanned;
     with --strict, anything skipped)
  141  the reader of the output went away (`| head`)

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
    type=click.Choice([*sorted(FORMATS), "ndjson"]),
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
    help="Only files matching GLOB inside directories; for database URLs, only tables (`users*`, "
    "`audit.*`) (repeatable).",
)
@click.option(
    "--exclude",
    multiple=True,
    metavar="GLOB",
    help="Skip files matching GLOB inside directories; for database URLs, skip tables (repeatable).",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=0),
    default=0,
    help="Processes reading logs, tables sampled at once (default 0: one per core).",
)
@click.option(
    "--schema-only",
    is_flag=True,
    help="Databases: read the catalog only (tables, columns, types, comments); no row is read.",
)
@click.option(
    "--sample-size",
    type=click.IntRange(min=1),
    default=1000,
    show_default=True,
    help="Databases: at most this many rows sampled per table.",
)
@click.option(
    "--statement-timeout",
    type=click.FloatRange(min=0.1),
    default=30.0,
    show_default=True,
    metavar="SECONDS",
    help="Databases: the longest one statement may run.",
)
@click.option(
    "--table-timeout",
    type=click.FloatRange(min=0.1),
    default=120.0,
    show_default=True,
    metavar="SECONDS",
    help="Databases: the longest one table's sample may take; past it the table is reported as cut short.",
)
@click.option(
    "--password-prompt",
    "-W",
    is_flag=True,
    help="Databases: ask for the password of each URL that does not carry one (never echoed, never shown).",
)
@click.option(
    "--log-format",
    type=click.Choice(sorted(LOG_FORMATS)),
    help="Read every log as this format (default: detected per file).",
)
@click.option(
    "--engine",
    type=click.Choice(ENGINE_NAMES),
    help="Text engine for logs (default: the fastest that loads: hyperscan, re2, re).",
)
@click.option(
    "--show-data",
    is_flag=True,
    help="Show personal values unmasked in samples and ndjson records. Handle the output as personal data.",
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
    jobs: int,
    schema_only: bool,
    sample_size: int,
    statement_timeout: float,
    table_timeout: float,
    password_prompt: bool,
    log_format: str | None,
    engine: str | None,
    show_data: bool,
    strict: bool,
    color: bool | None,
    quiet: bool,
) -> None:
    messages = Messages(quiet)
    if show_data:
        messages.info("--show-data: personal values appear unmasked in this output; handle it as personal data")
    try:
        with ReportOutput(output_path) as output:
            report = _scan(
                ScanRequest(
                    targets=sources,
                    dialect=dialect,
                    include=include,
                    exclude=exclude,
                    fail_on=fail_on,
                    jobs=jobs or os.cpu_count() or 1,
                    log_format=log_format,
                    engine=engine,
                    show_data=show_data,
                    sample_size=sample_size,
                    schema_only=schema_only,
                    statement_timeout=statement_timeout,
                    table_timeout=table_timeout,
                ),
                policy_path,
                config_path,
                format_name,
                output.stream,
                messages,
                _ask_password if password_prompt else None,
            )
            if format_name != "ndjson":
                rendered = FORMATS[format_name](color=_use_color(color, output_path)).format(report)
                output.stream.write(rendered if rendered.endswith("\n") else rendered + "\n")
    except (PolicyError, DeclarationError) as error:
        for problem in error.problems:
            messages.error(str(problem))
        sys.exit(EXIT_ERROR)
    except (UnknownSourceError, EngineUnavailable) as error:
        messages.error(str(error))
        sys.exit(EXIT_ERROR)
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, as command-line tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(EXIT_BROKEN_PIPE)
    except OSError as error:
        messages.error(f"cannot write the report to {output_path or 'stdout'}: {error.strerror or error}")
        sys.exit(EXIT_ERROR)
    if output_path is not None:
        messages.info(f"report written to {output_path}")

    if report.skipped:
        messages.info(f"partial scan: {len(report.skipped)} item(s) skipped; the report lists them")
    if strict and report.skipped:
        sys.exit(EXIT_ERROR)
    if _nothing_scanned(report):
        messages.error("nothing could be scanned: every source was skipped (see the lines above)")
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


def _nothing_scanned(report: Report) -> bool:
    """Every source given was skipped (a server down, a wrong password): the scan said nothing."""
    return bool(report.sources) and all(source.status == "skipped" for source in report.sources)


def _ask_password(display: str) -> str:
    """The password for a database URL, typed without echo on the terminal (stderr prompt)."""
    return str(click.prompt(f"password for {display}", hide_input=True, default="", show_default=False, err=True))


def _scan(
    request: ScanRequest,
    policy_path: Path | None,
    config_path: Path | None,
    format_name: str,
    stream: TextIO,
    messages: Messages,
    password_prompt: Callable[[str], str] | None = None,
) -> Report:
    """Load the policy and data map, run the scan, stream ndjson records as they come."""
    policy = load_policy(policy_path)
    data_map = _data_map(config_path, request.targets, policy, messages)
    ndjson = NdjsonStream(stream, policy) if format_name == "ndjson" else None

    def announce_skip(skipped: Skipped) -> None:
        messages.info(f"skipped {skipped}")

    wanted = _progress_wanted(messages)
    with ScanProgressBar(enabled=wanted) as progress, TableProgressBar(enabled=wanted) as tables:
        report = run_scan(
            request,
            policy,
            data_map,
            NameClassifier.bundled(),
            announce_skip,
            on_record=ndjson.record if ndjson else None,
            progress=progress,
            database_hooks=DatabaseHooks(password_prompt, messages.info, tables),
        )
    if ndjson is not None:
        ndjson.schema_findings(report)
    return report


def _progress_wanted(messages: Messages) -> bool:
    """A progress bar on a terminal only: never in pipes, files or CI logs."""
    return not messages.quiet and sys.stderr.isatty() and not os.environ.get("CI")


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


class ReportOutput:
    """Where the report goes: stdout, or a file written beside the target and renamed into place
    only when the scan finished, so no reader ever sees half a report."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.stream: TextIO = sys.stdout
        self._temporary: str | None = None

    def __enter__(self) -> ReportOutput:
        if self.path is not None:
            directory = self.path.parent if str(self.path.parent) else Path(".")
            handle, self._temporary = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=directory)
            self.stream = os.fdopen(handle, "w", encoding="utf-8")
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: object) -> None:
        if self.path is None or self._temporary is None:
            self.stream.flush()
            return
        self.stream.close()
        if kind is None:
            os.replace(self._temporary, self.path)
        else:
            Path(self._temporary).unlink(missing_ok=True)
