"""Command line: options in, report out. No decisions are made here.

stdout carries only the report (so `pdscan scan … --format json | jq` works); every message
for people goes to stderr. Exit codes: 0 nothing (new) at or above --fail-on, 1 new findings
at or above it, 2 usage or input error.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import click

from pdscan import __version__
from pdscan.baseline import (
    BASELINE_NAME,
    Baseline,
    BaselineError,
    baseline_entries,
    compare,
    load_baseline,
    write_baseline,
)
from pdscan.cli.git_changes import GitChanges, GitChangesError, changed_since, only_changed
from pdscan.cli.reading_options import Reading, reading_options
from pdscan.declarations import DataMap, DeclarationError, load_data_map
from pdscan.detect.engine import EngineUnavailable
from pdscan.detect.explain import Explainer, ExplainError, split_place
from pdscan.detect.names import NameClassifier
from pdscan.detect.user_rules import load_user_rules
from pdscan.detect.values import ValueDetector
from pdscan.formats import FORMATS, INVENTORY_FORMATS, STREAMING_FORMATS
from pdscan.formats.explain_view import explanation_json, explanation_text
from pdscan.formats.interface import FormatOptions, report_text
from pdscan.formats.places import build_inventory
from pdscan.formats.policy_view import PolicyView
from pdscan.formats.progress import ScanProgressBar
from pdscan.formats.summary import nothing_scanned, summarise
from pdscan.formats.table_progress import TableProgressBar
from pdscan.formats.wording import DEFAULT_LANGUAGE, Wording, languages
from pdscan.interruption import Interrupted, stop_signals_raise
from pdscan.map_update import updated_data_map
from pdscan.model import LogRecord, Report, Skipped, VerdictKind
from pdscan.output_files import ReportOutput, write_atomically
from pdscan.policy import Policy, load_policy
from pdscan.ruleset.checker import PolicyError
from pdscan.ruleset.log_rules import bundled_log_rules
from pdscan.ruleset.suggestions import did_you_mean
from pdscan.ruleset.taxonomy import load_taxonomy
from pdscan.ruleset.yaml_lines import read_user_bytes
from pdscan.scanner import DatabaseHooks, ScanRequest, run_scan
from pdscan.sources.database.target import command_line_secrets, masked
from pdscan.sources.discovery import UnknownSourceError, reads_back, same_file
from pdscan.sources.logs.execution.interface import ExecutionError
from pdscan.sources.schema_column import source_column
from pdscan.starter_map import place_count, starter_data_map
from pdscan.tracebacks import one_line, traceback_text
from pdscan.visible import visible

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a writer whose reader closed
DATA_MAP_NAME = "pdscan.yml"
ARGUMENTS_KEY = "pdscan.arguments"  # click context meta: the command line as given
FAIL_ON_CHOICES = [kind.value for kind in VerdictKind if kind is not VerdictKind.IGNORED] + ["never"]

SCAN_HELP = f"""Scan SQL schemas and logs for personal data and judge each place against the policy.

SOURCE is a SQL file, a directory (SQL files in one folder are replayed in order as
migrations; log files are scanned one by one), a log file (plain, gz, bz2, xz, zst), a glob,
`-` for standard input (a schema or a log, told by its content), a SQLite database file or a
sqlite:/// URL, a live database: postgresql://user@host/db, mysql://user@host/db,
mariadb://user@host/db (read-only sessions; rows sampled unless --schema-only), or logs in
remote storage: s3://, gs://, abfs://, hdfs:// objects, prefixes and globs (extras s3, gcs,
azure, hdfs; credentials from the storage libraries' usual sources).

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
  pdscan scan 's3://acme-logs/nginx/2026/**/*.gz' --format json -o report.json
  kubectl logs deploy/api | pdscan scan - --format ndjson | jq .category
  pdscan scan db/migrate/ --baseline .pdscan-baseline.json --format sarif -o pdscan.sarif
  pdscan scan db/migrate/ --changed-since origin/main --format github

\b
Exit codes:
  0  nothing new at or above --fail-on (default: undeclared): findings the
     --baseline accepts, ignored ones, places left out by --changed-since and
     warnings (plaintext_sensitive) never count
  1  new findings at or above --fail-on
  2  usage or input error (bad policy or data map, an ignore without a reason,
     a missing or corrupt baseline, a revision git does not know; nothing could
     be scanned; with --strict, anything skipped)
  130, 143  stopped by Ctrl-C (SIGINT) or SIGTERM: no report written
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


INVENTORY_HELP = """Where do we hold personal data of each category? Every place (column, table, log
field) holding it, with its declared purposes, across every source at once: the answer a
disclosure request needs. Sources are those of `pdscan scan`.

\b
Examples:
  pdscan inventory examples/shop
  pdscan inventory db/migrate/ shop.db /var/log/app/ --category email
  pdscan inventory postgresql://auditor@db/shop logs/ --category email --category phone --format csv -o email.csv
  pdscan inventory examples/shop --format html --lang ru --output inventory.html
  pdscan inventory examples/shop --format fides --output .fides/pdscan_dataset.yml

\b
Exit codes:
  0  the inventory was written
  2  usage or input error (an unknown category, a bad policy or data map; nothing could be
     scanned; with --strict, anything skipped)
"""

INIT_HELP = f"""Start a data map: scan SOURCE… and write {DATA_MAP_NAME} listing every place that holds
personal data, each with `purposes: []` to fill in (one per category where a place holds more
than one) and a comment giving the category, the policy clause and the evidence. Sources are
those of `pdscan scan`; paths in the file are relative to the folder it is written to. Without
--update, no data map is read.

With --update, the data map (--output) is read and kept as the team wrote it: the places it
lacks are added at the end of their blocks, entries the scan no longer finds are marked
`# gone since DATE` (the mark goes when the place is back), nothing else changes.

\b
Examples:
  pdscan init db/migrate/
  pdscan init db/migrate/ logs/ shop.db --output config/{DATA_MAP_NAME}
  pdscan init db/migrate/ --output -        print it instead of writing it
  pdscan init db/migrate/ logs/ --update    add what is new to {DATA_MAP_NAME}

\b
Exit codes:
  0  the data map was written (or, with --update, is up to date)
  2  usage or input error (the file exists: --force replaces it, --update adds to
     it; with --update, no such file or a bad data map; a bad policy; nothing could
     be scanned; with --strict, anything skipped)
"""

BASELINE_HELP = f"""Accept today's findings: scan SOURCE… and write {BASELINE_NAME} with every finding
that is a problem today (undeclared or worse), so that `pdscan scan --baseline {BASELINE_NAME}`
still reports them but fails only on new ones. Entries are keyed on the schema or log, the
table and column (or field) and the category, never on line numbers or times; the file is
sorted, deterministic and written atomically, so it diffs cleanly in review. Run it again to
accept the current state. Sources and data map are those of `pdscan scan`.

\b
Examples:
  pdscan baseline db/migrate/
  pdscan baseline examples/shop --output examples/shop/{BASELINE_NAME}

\b
Exit codes:
  0  the baseline was written
  2  usage or input error (bad policy or data map; nothing could be scanned;
     the file cannot be written; with --strict, anything skipped)
"""

EXPLAIN_HELP = """Why did a place come out as it did? The rules tried on a column, a log field or a
value, what evidence each found, why the result is what it is (or, when no rule matched, the
nearest candidates and what ruled each out), and the policy's category and permitted purposes.
The explanation is read from the same code that classifies in a scan.

\b
PLACE is a column, table.column (customers.email, public.users.reset_password_token),
judged with --type and --columns, or with the table as --in SOURCE defines it (a SQL file
or folder, an ORM schema file, a SQLite database: its catalog only, no row is read).
Without PLACE: --field for a log field (with --value, a value under it), --value alone
for a value in free text. Values are masked unless --show-data.

\b
Examples:
  pdscan explain customers.email --type 'varchar(255)'
  pdscan explain preferences.language --columns id,user_id,language
  pdscan explain users.email_verified --in db/migrate/
  pdscan explain staff.snils_no --rules our-rules.yaml
  pdscan explain --field request.headers.User-Agent
  pdscan explain --field client_ip --value 203.0.113.7
  pdscan explain --value '4111 1111 1111 1111' --format json

\b
Exit codes:
  0  the explanation was printed (whatever it says)
  2  usage or input error (a PLACE that is not table.column, a table or column the
     source lacks, a bad policy or rules file)
"""


class Messages:
    """People-facing lines on stderr, silenced by --quiet except errors and warnings that the
    output itself is sensitive."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet

    def info(self, text: str) -> None:
        if not self.quiet:
            click.echo(f"pdscan: {visible(text)}", err=True)

    def error(self, text: str) -> None:
        click.echo(f"pdscan: error: {visible(text)}", err=True)

    def warning(self, text: str) -> None:
        click.echo(f"pdscan: warning: {visible(text)}", err=True)


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


def _output_option(what: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    return click.option(
        "--output",
        "-o",
        "output_path",
        type=click.Path(path_type=Path),
        help=f"Write the {what} to this file (atomically) instead of stdout.",
    )


class _Commands(click.Group):
    """pdscan's commands: an exception nothing expected is a bug, reported as one line and exit 2
    (not a traceback and exit 1, which would read as "findings"); with --debug, its traceback.
    Tracebacks and that line never show a password (see pdscan.tracebacks)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta[ARGUMENTS_KEY] = tuple(args)  # the passwords in them are scrubbed from tracebacks
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort, BrokenPipeError):
            raise  # click's own ends, and a reader gone away: click handles them
        except Exception as error:
            secrets = _secrets(ctx)
            if ctx.params.get("debug"):
                click.echo(visible(traceback_text(error, secrets)), err=True, nl=False)
                advice = "the traceback is above"
            else:
                advice = "run with --debug for the traceback"
            line = visible(one_line(error, secrets))
            click.echo(f"pdscan: internal error: {line}; {advice}; please report it", err=True)
            sys.exit(EXIT_ERROR)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="pdscan")
@click.option(
    "--debug",
    is_flag=True,
    help="Print the traceback of an internal or input error on stderr (passwords scrubbed, values masked).",
)
def main(debug: bool) -> None:
    """pdscan: which personal data do we hold, where, and is it held for a declared purpose?

    \b
    Examples:
      pdscan scan examples/shop
      pdscan scan db/structure.sql --format json --output report.json
      pdscan scan examples/shop --format html --output report.html
      pdscan inventory examples/shop --category email
      pdscan explain users.email_verified --type boolean
      pdscan policy
    """


@main.command(help=SCAN_HELP)
@reading_options
@CONFIG_OPTION
@click.option(
    "--format",
    "format_name",
    type=SuggestingChoice([*sorted(FORMATS), *sorted(STREAMING_FORMATS)]),
    default="table",
    show_default=True,
    help="Report format.",
)
@_output_option("report")
@LANG_OPTION
@click.option(
    "--fail-on",
    type=SuggestingChoice(FAIL_ON_CHOICES),
    default="undeclared",
    show_default=True,
    help="Exit 1 when a verdict this severe or worse is found.",
)
@click.option(
    "--baseline",
    "baseline_path",
    type=click.Path(path_type=Path),
    metavar="FILE",
    help=f"Findings accepted by `pdscan baseline` ({BASELINE_NAME}): still reported, never failing; "
    "entries that match nothing any more are reported as stale.",
)
@click.option(
    "--changed-since",
    metavar="REF",
    help="Only places defined in files that differ from this git revision (the whole history is still "
    "replayed); run from inside the repository.",
)
@click.option(
    "--show-data",
    is_flag=True,
    help="Show personal values unmasked in samples and ndjson records. Handle the output as personal data.",
)
@click.option(
    "--color/--no-color",
    default=None,
    help="Colour the table (default: on a terminal, unless NO_COLOR is set).",
)
def scan(
    reading: Reading,
    config_path: Path | None,
    format_name: str,
    output_path: Path | None,
    lang: str,
    fail_on: str,
    baseline_path: Path | None,
    changed_since: str | None,
    show_data: bool,
    color: bool | None,
) -> None:
    messages = Messages(reading.quiet)
    if format_name in STREAMING_FORMATS and (baseline_path or changed_since):
        messages.error(f"{format_name} streams every value found; --baseline and --changed-since need a report format")
        sys.exit(EXIT_ERROR)
    _clear_of_inputs(
        output_path, reading, messages, _data_map_input(config_path, reading), ("--baseline", baseline_path)
    )
    if show_data:
        messages.warning("--show-data: personal values appear unmasked in this output; handle it as personal data")
    with _writing("report", output_path, messages), _bad_input(messages):
        accepted = load_baseline(baseline_path) if baseline_path else None
        changes = _changes(changed_since) if changed_since else None
        with ReportOutput(output_path) as output:
            loaded_policy = load_policy(reading.policy_path)
            options = FormatOptions(Wording.build(loaded_policy, lang), _use_color(color, output_path))
            streaming = STREAMING_FORMATS.get(format_name)
            records = streaming(options).stream(output.stream) if streaming else None
            report = _scan(
                reading.request(fail_on, show_data),
                loaded_policy,
                config_path,
                messages,
                _ask_password if reading.password_prompt else None,
                on_record=records.record if records else None,
            )
            report = _against(report, accepted, changes)  # neither is given with a streaming format
            if records is not None:
                records.finish(report)
            else:
                output.write_whole(report_text(FORMATS[format_name](options), report))
    if output_path is not None:
        messages.info(f"report written to {output_path}")
    _announce_baseline(report, messages)
    if report.skipped and not nothing_scanned(report):
        messages.info(f"partial scan: {len(report.skipped)} item(s) skipped; the report lists them")
    if reading.strict and report.skipped:
        sys.exit(EXIT_ERROR)
    if nothing_scanned(report):
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


@main.command(help=INVENTORY_HELP)
@reading_options
@click.option(
    "--category",
    "categories",
    multiple=True,
    metavar="ID",
    help="Only this category of the policy (repeatable; `pdscan policy` lists them). Default: every category.",
)
@CONFIG_OPTION
@click.option(
    "--format",
    "format_name",
    type=SuggestingChoice(sorted(INVENTORY_FORMATS)),
    default="table",
    show_default=True,
    help="Inventory format.",
)
@_output_option("inventory")
@LANG_OPTION
@click.option("--color/--no-color", default=None, help="Colour the table (default: on a terminal, unless NO_COLOR).")
def inventory(
    reading: Reading,
    categories: tuple[str, ...],
    config_path: Path | None,
    format_name: str,
    output_path: Path | None,
    lang: str,
    color: bool | None,
) -> None:
    messages = Messages(reading.quiet)
    _clear_of_inputs(output_path, reading, messages, _data_map_input(config_path, reading))
    with _writing("inventory", output_path, messages), _bad_input(messages):
        loaded_policy = load_policy(reading.policy_path)
        known = [category.id for category in loaded_policy.categories]
        unknown = [category for category in categories if category not in known]
        for category in unknown:
            messages.error(
                f"unknown category {category}: the policy's categories are {', '.join(known)}"
                + did_you_mean(category, known)
            )
        if unknown:
            sys.exit(EXIT_ERROR)
        with ReportOutput(output_path) as output:
            prompt = _ask_password if reading.password_prompt else None
            report = _scan(reading.request(), loaded_policy, config_path, messages, prompt)
            held = build_inventory(report, loaded_policy, tuple(dict.fromkeys(categories)))
            options = FormatOptions(Wording.build(loaded_policy, lang), _use_color(color, output_path))
            rendered = INVENTORY_FORMATS[format_name](options).format_inventory(held)
            output.write_whole(rendered)
    if output_path is not None:
        messages.info(f"inventory written to {output_path}")
    if nothing_scanned(report):
        messages.error("nothing could be scanned: every source was skipped (see the lines above)")
        sys.exit(EXIT_ERROR)
    if report.skipped:
        messages.info(f"partial scan: {len(report.skipped)} item(s) skipped; the inventory lists them")
    if reading.strict and report.skipped:
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_OK)


@main.command(help=INIT_HELP)
@reading_options
@click.option(
    "--output",
    "-o",
    "output_path",
    type=click.Path(path_type=Path, allow_dash=True),
    default=Path(DATA_MAP_NAME),
    show_default=True,
    help="Where to write the data map (`-`: standard output).",
)
@click.option("--force", is_flag=True, help="Replace the file if it exists.")
@click.option(
    "--update",
    is_flag=True,
    help="Add the places the data map (--output) lacks, keeping everything written in it; mark entries "
    "no longer found `# gone since DATE`.",
)
def init(reading: Reading, output_path: Path, force: bool, update: bool) -> None:
    messages = Messages(reading.quiet)
    to_stdout = str(output_path) == "-"
    if update:
        _update_data_map(reading, output_path, force, messages)
        return
    if not to_stdout and output_path.exists() and not force:
        messages.error(f"{output_path} exists: edit it, add what is new with --update, or replace it with --force")
        sys.exit(EXIT_ERROR)
    _clear_of_inputs(None if to_stdout else output_path, reading, messages)
    report = _read(reading, None, messages, data_map_wanted=False)
    _stop_on_bad_input(report, reading.strict, messages)
    text = starter_data_map(report, Path(".") if to_stdout else output_path.parent)
    if to_stdout:
        click.echo(text, nl=False)
        return
    try:
        write_atomically(output_path, text)
    except OSError as error:
        messages.error(f"cannot write {output_path}: {error.strerror or error}")
        sys.exit(EXIT_ERROR)
    messages.info(
        f"wrote {output_path}: {place_count(report)} place(s) holding personal data, each with `purposes: []` "
        "(one per category where a place holds several); fill them in (`pdscan policy` lists the purposes), "
        "then `pdscan scan`"
    )


def _update_data_map(reading: Reading, path: Path, force: bool, messages: Messages) -> None:
    """`init --update`: the data map at `path` with the places a scan using it found and it lacks."""
    if force or str(path) == "-":
        messages.error("--update adds to the data map file given with --output: not with --force or --output -")
        sys.exit(EXIT_ERROR)
    if not path.is_file():
        messages.error(f"{path}: no such data map to update; start one with `pdscan init` (without --update)")
        sys.exit(EXIT_ERROR)
    _clear_of_inputs(path, reading, messages)
    report = _read(reading, path, messages, data_map_wanted=True)
    _stop_on_bad_input(report, reading.strict, messages)
    with _bad_input(messages):
        data_map = load_data_map(path, load_policy(reading.policy_path))
    try:
        text = read_user_bytes(path).decode("utf-8")
    except OSError as error:
        messages.error(f"cannot read {path}: {error.strerror or error}")
        sys.exit(EXIT_ERROR)
    today = datetime.datetime.now(datetime.UTC).date().isoformat()
    update = updated_data_map(text, data_map, report, today)
    for reason in update.not_added:
        messages.warning(reason)
    if update.text == text:
        left = "the places above are for you to add" if update.not_added else "no new place, no entry newly gone"
        messages.info(f"{path} is unchanged: {left}")
        return
    try:
        write_atomically(path, update.text)
    except OSError as error:
        messages.error(f"cannot write {path}: {error.strerror or error}")
        sys.exit(EXIT_ERROR)
    messages.info(
        f"updated {path}: {update.added} place(s) added with `purposes: []`, {update.marked_gone} entry(ies) "
        f"marked gone, {update.back} gone mark(s) removed; everything else is as it was"
    )


@main.command(name="baseline", help=BASELINE_HELP)
@reading_options
@CONFIG_OPTION
@click.option(
    "--output",
    "-o",
    "output_path",
    type=click.Path(path_type=Path),
    default=Path(BASELINE_NAME),
    show_default=True,
    help="Where to write the baseline.",
)
def baseline_command(reading: Reading, config_path: Path | None, output_path: Path) -> None:
    messages = Messages(reading.quiet)
    _clear_of_inputs(output_path, reading, messages, _data_map_input(config_path, reading))
    report = _read(reading, config_path, messages, data_map_wanted=True)
    _stop_on_bad_input(report, reading.strict, messages)
    entries = baseline_entries(report, output_path.parent)
    try:
        before = load_baseline(output_path).entries if output_path.exists() else ()
    except BaselineError:
        before = ()  # replaced whatever it was: the point of writing it again
    try:
        write_baseline(output_path, entries)
    except BaselineError as error:
        messages.error(str(error))
        sys.exit(EXIT_ERROR)
    known = {entry.fingerprint for entry in before}
    now = {entry.fingerprint for entry in entries}
    messages.info(
        f"wrote {output_path}: {len(entries)} finding(s) accepted ({len(now - known)} added, "
        f"{len(known - now)} removed since the last baseline); commit it and scan with --baseline {output_path}"
    )


def _clear_of_inputs(
    output_path: Path | None, reading: Reading, messages: Messages, *read: tuple[str, Path | None]
) -> None:
    """pdscan never writes to what it scans: an output that is a source, that this run or the
    next would read as one, or a file the command reads (`read`: option and path; the policy and
    rules always) is refused before anything is read, with the source it collides with."""
    if output_path is None:
        return
    collision = reads_back(output_path, reading.sources, reading.include, reading.exclude)
    files = [("--policy", reading.policy_path), *(("--rules", path) for path in reading.rules_paths), *read]
    for option, path in files:
        if collision is None and path is not None and same_file(output_path, path):
            collision = f"is the {option} file this command reads"
    if collision is not None:
        messages.error(f"--output {output_path} {collision}; write it elsewhere")
        sys.exit(EXIT_ERROR)


def _read(reading: Reading, config_path: Path | None, messages: Messages, data_map_wanted: bool) -> Report:
    """Scan as `scan` does (without a report format) for `init` and `baseline`; errors exit 2."""
    with _bad_input(messages):
        policy = load_policy(reading.policy_path)
        prompt = _ask_password if reading.password_prompt else None
        return _scan(reading.request(), policy, config_path, messages, prompt, data_map_wanted)


@main.command(help=EXPLAIN_HELP)
@click.argument("place", required=False)
@click.option("--type", "sql_type", metavar="SQLTYPE", help="The column's SQL type (`boolean`, `varchar(255)`…).")
@click.option(
    "--columns",
    "sibling_columns",
    metavar="A,B,C",
    help="The other columns of the table, which put it in table contexts (a `user_id` links rows to a person).",
)
@click.option("--in", "source", metavar="SOURCE", help="Read the table, its SQL types and columns from this schema.")
@click.option("--field", "field_path", metavar="PATH", help="A log field (`user.email`, `request.headers.User-Agent`).")
@click.option("--value", metavar="TEXT", help="A value under --field, or, alone, free text to look for values in.")
@click.option(
    "--rules",
    "rules_paths",
    multiple=True,
    type=click.Path(path_type=Path),
    metavar="FILE",
    help="Your own detection rules, as `pdscan scan --rules` reads them (repeatable).",
)
@click.option("--policy", "policy_path", type=click.Path(path_type=Path), help="Policy YAML replacing the bundled one.")
@click.option("--show-data", is_flag=True, help="Show the values unmasked. Handle the output as personal data.")
@click.option("--format", "format_name", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--color/--no-color", default=None, help="Colour the text (default: on a terminal, unless NO_COLOR).")
def explain(
    place: str | None,
    sql_type: str | None,
    sibling_columns: str | None,
    source: str | None,
    field_path: str | None,
    value: str | None,
    rules_paths: tuple[Path, ...],
    policy_path: Path | None,
    show_data: bool,
    format_name: str,
    color: bool | None,
) -> None:
    messages = Messages(quiet=False)
    if show_data:
        messages.warning("--show-data: personal values appear unmasked in this output; handle it as personal data")
    with _bad_input(messages):
        column_options = sql_type is not None or sibling_columns is not None or source is not None
        if place is not None and field_path is not None:
            raise ExplainError("give a column (PLACE) or a log field (--field), not both")
        if place is None and column_options:
            raise ExplainError("--type, --columns and --in describe a column: give it as PLACE, table.column")
        if place is None and field_path is None and value is None:
            raise ExplainError("nothing to explain: give a column (table.column), --field or --value")
        if place is not None and value is not None:
            raise ExplainError("--value goes with --field or alone; a column's values are not read")
        rules = load_user_rules(rules_paths)
        classifier = NameClassifier(rules)
        loaded_policy = load_policy(policy_path)
        explainer = Explainer(
            classifier,
            ValueDetector(rules.value_detectors),
            bundled_log_rules(),
            loaded_policy,
            load_taxonomy(),
            show_data,
        )
        if place is not None:
            table, column = split_place(place)
            siblings = tuple(name.strip() for name in (sibling_columns or "").split(",") if name.strip())
            if source is not None:
                found_table, found_column = source_column(source, table, column)
                table, column = found_table.name, found_column.name
                sql_type = sql_type if sql_type is not None else found_column.sql_type
                siblings = siblings or tuple(other.name for other in found_table.columns)
            explanation = explainer.column(column, table, sql_type, siblings, source)
        elif field_path is not None:
            explanation = explainer.log_field(field_path, value)
        else:
            assert value is not None
            explanation = explainer.value(value)
    if format_name == "json":
        policy_id = loaded_policy.id
        click.echo(explanation_json(explanation, tuple(str(path) for path in rules_paths), policy_id), nl=False)
    else:
        coloured = _use_color(color, None)
        click.echo(
            explanation_text(explanation, color=coloured), nl=False, color=coloured
        )  # click strips colour off a tty


@contextlib.contextmanager
def _bad_input(messages: Messages) -> Iterator[None]:
    """A policy, data map, source, baseline or revision pdscan cannot use: its lines, exit 2."""
    try:
        yield
    except (PolicyError, DeclarationError) as error:
        _debug_traceback(error)
        for problem in error.problems:
            messages.error(str(problem))
        sys.exit(EXIT_ERROR)
    except (
        UnknownSourceError,
        EngineUnavailable,
        BaselineError,
        GitChangesError,
        ExecutionError,
        ExplainError,
    ) as error:
        _debug_traceback(error)
        messages.error(masked(str(error)))  # a mistyped database URL is echoed as a path
        sys.exit(EXIT_ERROR)


@contextlib.contextmanager
def _writing(what: str, output_path: Path | None, messages: Messages) -> Iterator[None]:
    """Writing a report: a reader gone away (`| head`) stops quietly, as command-line tools do;
    an unwritable output is one line and exit 2."""
    try:
        yield
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(EXIT_BROKEN_PIPE)
    except OSError as error:
        _debug_traceback(error)
        messages.error(f"cannot write the {what} to {output_path or 'stdout'}: {error.strerror or error}")
        sys.exit(EXIT_ERROR)


def _debug_traceback(error: BaseException) -> None:
    """With --debug, an input error's traceback before its message (made safe as any other)."""
    context = click.get_current_context(silent=True)
    if context is not None and context.find_root().params.get("debug"):
        click.echo(visible(traceback_text(error, _secrets(context))), err=True, nl=False)


def _secrets(context: click.Context) -> tuple[str, ...]:
    """The passwords this run was given (database URLs, PGPASSWORD, MYSQL_PWD)."""
    return command_line_secrets(context.find_root().meta.get(ARGUMENTS_KEY, ()), os.environ)


def _stop_on_bad_input(report: Report, strict: bool, messages: Messages) -> None:
    if report.skipped and not nothing_scanned(report):
        messages.info(f"partial scan: {len(report.skipped)} item(s) skipped")
    if nothing_scanned(report):
        messages.error("nothing could be scanned: every source was skipped (see the lines above)")
        sys.exit(EXIT_ERROR)
    if strict and report.skipped:
        sys.exit(EXIT_ERROR)


def _changes(ref: str) -> GitChanges:
    """Asked before the scan, so an unknown revision costs nothing."""
    return changed_since(ref, Path.cwd())


def _against(report: Report, accepted: Baseline | None, changes: GitChanges | None) -> Report:
    """The baseline compared first (stale entries need every finding), then --changed-since."""
    if accepted is not None:
        report = compare(report, accepted)
    if changes is not None:
        report = only_changed(report, changes)
    return report


def _announce_baseline(report: Report, messages: Messages) -> None:
    if report.baseline is None:
        return
    for entry in report.baseline.stale:
        where = f"{report.baseline.path}:{entry.line}" if entry.line else report.baseline.path
        messages.info(
            f"{where}: stale baseline entry: {entry.source} {entry.place} ({entry.category}) matches nothing any "
            "more; refresh it with `pdscan baseline`"
        )


def _ask_password(display: str) -> str:
    """The password for a database URL, typed without echo on the terminal (stderr prompt)."""
    return str(click.prompt(f"password for {display}", hide_input=True, default="", show_default=False, err=True))


def _scan(
    request: ScanRequest,
    policy: Policy,
    config_path: Path | None,
    messages: Messages,
    password_prompt: Callable[[str], str] | None = None,
    data_map_wanted: bool = True,
    on_record: Callable[[LogRecord], None] | None = None,
) -> Report:
    """Load the data map, run the scan, hand each value found in a log to `on_record` as it comes."""
    data_map = _data_map(config_path, request.targets, policy, messages) if data_map_wanted else None

    def announce_skip(skipped: Skipped) -> None:
        messages.info(f"skipped {skipped}")

    wanted = _progress_wanted(messages)
    with ScanProgressBar(enabled=wanted) as progress, TableProgressBar(enabled=wanted) as tables:
        try:
            report = run_scan(
                request,
                policy,
                data_map,
                NameClassifier(load_user_rules(request.rules_files)),
                announce_skip,
                on_record=on_record,
                progress=progress,
                database_hooks=DatabaseHooks(password_prompt, messages.info, tables),
                on_note=messages.info,
            )
        except Interrupted as stop:
            stop.progress = _how_far(progress, tables)
            raise
    return report


def _how_far(progress: ScanProgressBar, tables: TableProgressBar) -> str:
    """What an interrupted scan had done, in words ("" when it had not started reading)."""
    parts = []
    if progress.bytes_total:
        parts.append(f"reading {_size(progress.bytes_done)} of {_size(progress.bytes_total)} of logs")
    if tables.tables_total:
        parts.append(f"sampling {tables.tables_done} of {tables.tables_total} tables")
    return " and ".join(parts)


def _size(count: int) -> str:
    return f"{count / 1e6:,.1f} MB" if count >= 100_000 else f"{count:,} bytes"


def _progress_wanted(messages: Messages) -> bool:
    """A progress bar on a terminal only: never in pipes, files or CI logs."""
    return not messages.quiet and sys.stderr.isatty() and not os.environ.get("CI")


def _data_map(config_path: Path | None, sources: tuple[str, ...], policy: Policy, messages: Messages) -> DataMap | None:
    """The explicit --config, else the working directory's, else a scanned directory's."""
    if config_path is not None:
        if not config_path.is_file():
            raise UnknownSourceError(f"{config_path}: no such data map file")
        return load_data_map(config_path, policy)
    found = _found_data_map(sources)
    if found is None:
        messages.info(f"no data map ({DATA_MAP_NAME}): every place is undeclared")
        return None
    messages.info(f"declarations from {found}")
    return load_data_map(found, policy)


def _found_data_map(sources: tuple[str, ...]) -> Path | None:
    """Without --config: the working directory's data map, else a scanned directory's."""
    candidates = [Path(DATA_MAP_NAME)] + [Path(s) / DATA_MAP_NAME for s in sources if Path(s).is_dir()]
    return next((candidate for candidate in candidates if candidate.is_file()), None)


def _data_map_input(config_path: Path | None, reading: Reading) -> tuple[str, Path | None]:
    """The data map a command will read, named as the user gave it, for `_clear_of_inputs`."""
    if config_path is not None:
        return ("--config", config_path)
    return ("data map", _found_data_map(reading.sources))


def _use_color(requested: bool | None, output_path: Path | None) -> bool:
    if requested is not None:
        return requested
    if output_path is not None or "NO_COLOR" in os.environ:
        return False
    return sys.stdout.isatty()


def run() -> None:
    """The `pdscan` command: `main`, ended cleanly by Ctrl-C or SIGTERM (exit 130 or 143).

    `Interrupted` unwinds everything first (log workers terminated, a temporary report file
    removed); the process then ends without waiting for database statements still in flight:
    their sessions are read-only and the server drops them with the connection.
    """
    try:
        with stop_signals_raise():
            main()
    except Interrupted as stop:
        how_far = f" after {stop.progress}" if stop.progress else ""
        click.echo(f"pdscan: interrupted by {stop.signal_name}{how_far}; no report written", err=True)
        with contextlib.suppress(OSError):
            sys.stdout.flush()
        sys.stderr.flush()
        os._exit(stop.exit_code)
