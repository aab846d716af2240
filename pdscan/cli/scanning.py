"""A scan as the commands run it: the data map found, passwords asked for, progress shown on a
terminal, and the output kept off everything the scan reads."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

import click

from pdscan.baseline import Baseline, compare
from pdscan.cli.git_changes import GitChanges, changed_since, only_changed
from pdscan.cli.messages import EXIT_ERROR, Messages, bad_input
from pdscan.cli.options import DATA_MAP_NAME
from pdscan.cli.reading_options import Reading
from pdscan.declarations import DataMap, load_data_map
from pdscan.detect.names import NameClassifier
from pdscan.detect.user_rules import load_user_rules
from pdscan.formats.progress import ScanProgressBar
from pdscan.formats.summary import nothing_scanned
from pdscan.formats.table_progress import TableProgressBar
from pdscan.interruption import Interrupted
from pdscan.model import LogRecord, Report, Skipped
from pdscan.policy import Policy, load_policy
from pdscan.scanner import DatabaseHooks, ScanRequest, run_scan
from pdscan.sources.discovery import UnknownSourceError, reads_back, same_file


def clear_of_inputs(
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


def read_report(reading: Reading, config_path: Path | None, messages: Messages, data_map_wanted: bool) -> Report:
    """Scan as `scan` does (without a report format) for `init` and `baseline`; errors exit 2."""
    with bad_input(messages):
        policy = load_policy(reading.policy_path)
        prompt = ask_password if reading.password_prompt else None
        return scan_report(reading.request(), policy, config_path, messages, prompt, data_map_wanted)


def stop_on_bad_input(report: Report, strict: bool, messages: Messages) -> None:
    if report.skipped and not nothing_scanned(report):
        messages.info(f"partial scan: {len(report.skipped)} item(s) skipped")
    if nothing_scanned(report):
        stop_as_nothing_scanned(report, messages)
    if strict and report.skipped:
        sys.exit(EXIT_ERROR)


SKIPS_NAMED = 3  # skipped items a quiet error names; the report lists them all


def stop_as_nothing_scanned(report: Report, messages: Messages) -> NoReturn:
    """Exit 2 with the error that every source was skipped, pointing at the skip lines said
    above it, or, under --quiet (which silences them), naming the first few itself."""
    if messages.quiet:
        named = "; ".join(str(skipped) for skipped in report.skipped[:SKIPS_NAMED])
        more = len(report.skipped) - SKIPS_NAMED
        why = f"{named}; and {more} more" if more > 0 else named
    else:
        why = "see the lines above"
    messages.error(f"nothing could be scanned: every source was skipped ({why})")
    sys.exit(EXIT_ERROR)


def changes_since(ref: str) -> GitChanges:
    """Asked before the scan, so an unknown revision costs nothing."""
    return changed_since(ref, Path.cwd())


def against(report: Report, accepted: Baseline | None, changes: GitChanges | None) -> Report:
    """The baseline compared first (stale entries need every finding), then --changed-since."""
    if accepted is not None:
        report = compare(report, accepted)
    if changes is not None:
        report = only_changed(report, changes)
    return report


def announce_baseline(report: Report, messages: Messages) -> None:
    if report.baseline is None:
        return
    for entry in report.baseline.stale:
        where = f"{report.baseline.path}:{entry.line}" if entry.line else report.baseline.path
        messages.info(
            f"{where}: stale baseline entry: {entry.source} {entry.place} ({entry.category}) matches nothing any "
            "more; refresh it with `pdscan baseline`"
        )


def ask_password(display: str) -> str:
    """The password for a database URL, typed without echo on the terminal (stderr prompt)."""
    return str(click.prompt(f"password for {display}", hide_input=True, default="", show_default=False, err=True))


def scan_report(
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
            stop.progress = how_far(progress, tables)
            raise
    return report


def how_far(progress: ScanProgressBar, tables: TableProgressBar) -> str:
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


def data_map_input(config_path: Path | None, reading: Reading) -> tuple[str, Path | None]:
    """The data map a command will read, named as the user gave it, for `clear_of_inputs`."""
    if config_path is not None:
        return ("--config", config_path)
    return ("data map", _found_data_map(reading.sources))
