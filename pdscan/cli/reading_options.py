"""What every command that scans (`scan`, `inventory`, `init`, `baseline`) is told about reading
its sources: one set of options, declared once, handed over as one record.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from pdscan.cli.byte_size import ByteSize
from pdscan.detect.engine import ENGINE_NAMES
from pdscan.scanner import ScanRequest
from pdscan.sources.ddl.dialect import DIALECTS
from pdscan.sources.logs.execution.interface import DASK, EXECUTION_ENGINES, LOCAL
from pdscan.sources.logs.formats import FORMATS as LOG_FORMATS
from pdscan.sources.orm import SCHEMA_FORMATS


@dataclass(frozen=True)
class Reading:
    sources: tuple[str, ...]
    policy_path: Path | None
    rules_paths: tuple[Path, ...]
    dialect: str | None
    schema_format: str | None
    include: tuple[str, ...]
    exclude: tuple[str, ...]
    jobs: int
    schema_only: bool
    sample_size: int
    statement_timeout: float
    table_timeout: float
    password_prompt: bool
    log_format: str | None
    text_engine: str | None
    log_sample: int | None
    engine: str
    scheduler: str | None
    strict: bool
    quiet: bool

    def request(self, fail_on: str = "never", show_data: bool = False) -> ScanRequest:
        return ScanRequest(
            targets=self.sources,
            rules_files=self.rules_paths,
            dialect=self.dialect,
            schema_format=self.schema_format,
            include=self.include,
            exclude=self.exclude,
            fail_on=fail_on,
            jobs=self.jobs,
            log_format=self.log_format,
            text_engine=self.text_engine,
            log_sample=self.log_sample,
            engine=self.engine,
            scheduler=self.scheduler,
            show_data=show_data,
            sample_size=self.sample_size,
            schema_only=self.schema_only,
            statement_timeout=self.statement_timeout,
            table_timeout=self.table_timeout,
        )


def _execution_engine(context: click.Context, parameter: click.Parameter, value: str) -> str:
    """`--engine` used to name the text engine: an old command line is told where that went
    rather than silently run somewhere else."""
    if value in ENGINE_NAMES:
        raise click.UsageError(
            f"--engine chooses where the scan runs ({', '.join(EXECUTION_ENGINES)}); "
            f"the text engine is now --text-engine {value}",
            context,
        )
    if value not in EXECUTION_ENGINES:
        raise click.BadParameter(f"{value!r} is not one of {', '.join(EXECUTION_ENGINES)}", context, parameter)
    return value


_OPTIONS = (
    click.argument("sources", nargs=-1, required=True),
    click.option(
        "--policy", "policy_path", type=click.Path(path_type=Path), help="Policy YAML replacing the bundled one."
    ),
    click.option(
        "--rules",
        "rules_paths",
        multiple=True,
        type=click.Path(path_type=Path),
        metavar="FILE",
        help="Your own detection rules (in-house column names, value formats) added to the bundled ones; "
        "patterns run on RE2, in linear time (repeatable).",
    ),
    click.option(
        "--dialect", type=click.Choice(DIALECTS), help="SQL dialect of every file (default: detected per file)."
    ),
    click.option(
        "--schema-format",
        type=click.Choice(SCHEMA_FORMATS),
        help="Read every schema file given or found as this format (default: told from each file's name and "
        "content: SQL, Rails schema.rb and migrations, Prisma, Django models and migrations, SQLAlchemy, Alembic).",
    ),
    click.option(
        "--include",
        multiple=True,
        metavar="GLOB",
        help="Only files matching GLOB inside directories; for database URLs, only tables (`users*`, `audit.*`) "
        "(repeatable).",
    ),
    click.option(
        "--exclude",
        multiple=True,
        metavar="GLOB",
        help="Skip files matching GLOB inside directories; for database URLs, skip tables (repeatable).",
    ),
    click.option(
        "--jobs",
        "-j",
        type=click.IntRange(min=0),
        default=0,
        help="Processes reading logs (default 0: one per core; never more than the cores available); tables of a "
        "database sampled at once (default 4).",
    ),
    click.option(
        "--schema-only",
        is_flag=True,
        help="Databases: read the catalog only (tables, columns, types, comments); no row is read.",
    ),
    click.option(
        "--sample-size",
        type=click.IntRange(min=1),
        default=1000,
        show_default=True,
        help="Databases: at most this many rows sampled per table.",
    ),
    click.option(
        "--statement-timeout",
        type=click.FloatRange(min=0.1),
        default=30.0,
        show_default=True,
        metavar="SECONDS",
        help="Databases: the longest one statement may run.",
    ),
    click.option(
        "--table-timeout",
        type=click.FloatRange(min=0.1),
        default=120.0,
        show_default=True,
        metavar="SECONDS",
        help="Databases: the longest one table's sample may take; past it the table is reported as cut short.",
    ),
    click.option(
        "--password-prompt",
        "-W",
        is_flag=True,
        help="Databases: ask for the password of each URL that does not carry one (never echoed, never shown).",
    ),
    click.option(
        "--log-format",
        type=click.Choice(sorted(LOG_FORMATS)),
        help="Read every log as this format (default: detected per file).",
    ),
    click.option(
        "--text-engine",
        type=click.Choice(ENGINE_NAMES),
        help="Text engine for logs (default: the fastest that loads: hyperscan, re2, re).",
    ),
    click.option(
        "--log-sample",
        type=ByteSize(),
        metavar="SIZE",
        help="Logs: read about SIZE (64M, 1G) of each larger log, in evenly spaced pieces (the first SIZE of a "
        "compressed one), for a quick inventory; the report says what share was read and that counts are estimates.",
    ),
    click.option(
        "--engine",
        default=LOCAL,
        show_default=True,
        metavar="[" + "|".join(EXECUTION_ENGINES) + "]",
        callback=_execution_engine,
        help="Where logs are scanned: `local` (processes on this machine, --jobs) or `dask` (a Dask cluster: "
        "--scheduler, else a local one with --jobs workers). Databases and SQL schemas are always read here.",
    ),
    click.option(
        "--scheduler",
        metavar="ADDRESS",
        help="With --engine dask: the scheduler of a running Dask cluster (tcp://host:8786); "
        "without it a local cluster is started.",
    ),
    click.option("--strict", is_flag=True, help="Exit 2 when anything had to be skipped."),
    click.option("--quiet", "-q", is_flag=True, help="No messages on stderr except errors."),
)
_NAMES = tuple(Reading.__dataclass_fields__)


def reading_options(command: Callable[..., None]) -> Callable[..., None]:
    """The reading options on a command, which receives them as `reading: Reading`."""

    @functools.wraps(command)
    def with_reading(**arguments: Any) -> None:
        reading = Reading(**{name: arguments.pop(name) for name in _NAMES})
        if reading.scheduler and reading.engine != DASK:
            raise click.UsageError("--scheduler needs --engine dask: without it the logs are scanned on this machine")
        command(reading=reading, **arguments)

    decorated: Callable[..., None] = with_reading
    for option in reversed(_OPTIONS):
        decorated = option(decorated)
    return decorated
