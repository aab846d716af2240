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
from pathlib import Path

import click

from pdscan import __version__
from pdscan.baseline import BASELINE_NAME, BaselineError, baseline_entries, load_baseline, write_baseline
from pdscan.cli.help import BASELINE_HELP, EXPLAIN_HELP, INIT_HELP, INVENTORY_HELP, POLICY_HELP, SCAN_HELP
from pdscan.cli.messages import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, CommandGroup, Messages, bad_input, writing
from pdscan.cli.options import (
    CONFIG_OPTION,
    DATA_MAP_NAME,
    FAIL_ON_CHOICES,
    LANG_OPTION,
    SuggestingChoice,
    output_option,
    use_color,
)
from pdscan.cli.reading_options import Reading, reading_options
from pdscan.cli.scanning import (
    against,
    announce_baseline,
    ask_password,
    changes_since,
    clear_of_inputs,
    data_map_input,
    read_report,
    scan_report,
    stop_as_nothing_scanned,
    stop_on_bad_input,
)
from pdscan.declarations import load_data_map
from pdscan.detect.explain import Explainer, ExplainError, split_place
from pdscan.detect.names import NameClassifier
from pdscan.detect.user_rules import load_user_rules
from pdscan.detect.values import ValueDetector
from pdscan.formats import FORMATS, INVENTORY_FORMATS, STREAMING_FORMATS
from pdscan.formats.explain_view import explanation_json, explanation_text
from pdscan.formats.interface import FormatOptions, report_text
from pdscan.formats.places import build_inventory
from pdscan.formats.policy_view import PolicyView
from pdscan.formats.summary import nothing_scanned, summarise
from pdscan.formats.wording import Wording
from pdscan.interruption import Interrupted, stop_signals_raise
from pdscan.map_update import updated_data_map
from pdscan.output_files import ReportOutput, write_atomically
from pdscan.policy import load_policy
from pdscan.ruleset.checker import PolicyError
from pdscan.ruleset.log_rules import bundled_log_rules
from pdscan.ruleset.suggestions import did_you_mean
from pdscan.ruleset.taxonomy import load_taxonomy
from pdscan.ruleset.yaml_lines import read_user_bytes
from pdscan.sources.schema_column import source_column
from pdscan.starter_map import place_count, starter_data_map


@click.group(cls=CommandGroup, context_settings={"help_option_names": ["-h", "--help"]})
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
@output_option("report")
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
    clear_of_inputs(output_path, reading, messages, data_map_input(config_path, reading), ("--baseline", baseline_path))
    if show_data:
        messages.warning("--show-data: personal values appear unmasked in this output; handle it as personal data")
    with writing("report", output_path, messages), bad_input(messages):
        accepted = load_baseline(baseline_path) if baseline_path else None
        changes = changes_since(changed_since) if changed_since else None
        with ReportOutput(output_path) as output:
            loaded_policy = load_policy(reading.policy_path)
            options = FormatOptions(Wording.build(loaded_policy, lang), use_color(color, output_path))
            streaming = STREAMING_FORMATS.get(format_name)
            records = streaming(options).stream(output.stream) if streaming else None
            report = scan_report(
                reading.request(fail_on, show_data),
                loaded_policy,
                config_path,
                messages,
                ask_password if reading.password_prompt else None,
                on_record=records.record if records else None,
            )
            report = against(report, accepted, changes)  # neither is given with a streaming format
            if records is not None:
                records.finish(report)
            else:
                output.write_whole(report_text(FORMATS[format_name](options), report))
    if output_path is not None:
        messages.info(f"report written to {output_path}")
    announce_baseline(report, messages)
    if report.skipped and not nothing_scanned(report):
        messages.info(f"partial scan: {len(report.skipped)} item(s) skipped; the report lists them")
    if reading.strict and report.skipped:
        sys.exit(EXIT_ERROR)
    if nothing_scanned(report):
        stop_as_nothing_scanned(report, messages)
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
    click.echo(PolicyView(color=use_color(color, None)).format(loaded), nl=False)


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
@output_option("inventory")
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
    clear_of_inputs(output_path, reading, messages, data_map_input(config_path, reading))
    with writing("inventory", output_path, messages), bad_input(messages):
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
            prompt = ask_password if reading.password_prompt else None
            report = scan_report(reading.request(), loaded_policy, config_path, messages, prompt)
            held = build_inventory(report, loaded_policy, tuple(dict.fromkeys(categories)))
            options = FormatOptions(Wording.build(loaded_policy, lang), use_color(color, output_path))
            rendered = INVENTORY_FORMATS[format_name](options).format_inventory(held)
            output.write_whole(rendered)
    if output_path is not None:
        messages.info(f"inventory written to {output_path}")
    if nothing_scanned(report):
        stop_as_nothing_scanned(report, messages)
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
    clear_of_inputs(None if to_stdout else output_path, reading, messages)
    report = read_report(reading, None, messages, data_map_wanted=False)
    stop_on_bad_input(report, reading.strict, messages)
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
    clear_of_inputs(path, reading, messages)
    report = read_report(reading, path, messages, data_map_wanted=True)
    stop_on_bad_input(report, reading.strict, messages)
    with bad_input(messages):
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
    clear_of_inputs(output_path, reading, messages, data_map_input(config_path, reading))
    report = read_report(reading, config_path, messages, data_map_wanted=True)
    stop_on_bad_input(report, reading.strict, messages)
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
    with bad_input(messages):
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
        coloured = use_color(color, None)
        click.echo(
            explanation_text(explanation, color=coloured), nl=False, color=coloured
        )  # click strips colour off a tty


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
