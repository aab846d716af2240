"""`--format github`: GitHub Actions workflow commands, so findings appear on the lines of the
pull request that added them (`::error file=…,line=…::…`).

Quiet about the past, loud about the new: a finding that fails this scan is an `error`; a
problem that does not (below --fail-on) a `warning`; one the baseline accepted a `notice`;
ignored findings and `ok` places are not annotated. A finding's warnings (`plaintext_sensitive`:
a card number in clear text in a log) are `warning`s of their own, on `ok` places too, since a
permitted purpose does not make clear text safe; they never fail the scan (a `notice` when the
baseline accepted the finding); a warning a `silence:` entry covers is a `notice` with its
reason and line. Stale declarations, stale baseline entries and skipped files are warnings at
their own file:line. A last plain line sums it up.
"""

from __future__ import annotations

from pdscan.audit import WARNING_EXPLANATIONS
from pdscan.formats.code_locations import (
    CodeLocation,
    baseline_location,
    declaration_location,
    failing,
    place_name,
    skipped_location,
    stale_fails,
    verdict_location,
)
from pdscan.formats.explanations import explanation
from pdscan.formats.interface import FormatOptions
from pdscan.formats.summary import in_place_order, silenced, summarise, warned
from pdscan.formats.wording import Wording
from pdscan.model import BaselineState, Report, SilencedWarning, Verdict, VerdictKind
from pdscan.sentences import sentence
from pdscan.visible import visible


class GithubFormat:
    def __init__(self, options: FormatOptions) -> None:
        self.words = options.wording.in_english()  # plain commands, in English whatever --lang says

    def format(self, report: Report) -> str:
        lines = [_verdict(report, v, self.words) for v in in_place_order(report.verdicts) if _annotated(v)]
        lines += [_warning(verdict, warning) for verdict, warning in warned(report.verdicts)]
        lines += [_silenced(verdict, silence) for verdict, silence in silenced(report.verdicts)]
        for stale in sorted(report.stale_declarations, key=lambda s: (s.declared_in, s.place)):
            level = "error" if stale_fails(report) else "warning"
            title = f"pdscan: stale_declaration ({stale.place})"
            lines.append(command(level, declaration_location(stale), title, sentence(stale)))
        if report.baseline is not None:
            for entry in report.baseline.stale:
                message = (
                    f"{entry.source} {entry.place}: the baseline accepts category {entry.category} "
                    f"({entry.verdict.value}) here, but the scan no longer finds it; write the baseline again "
                    "with `pdscan baseline`"
                )
                where = baseline_location(report, entry)
                lines.append(command("warning", where, "pdscan: stale baseline entry", message))
        for skipped in report.skipped:
            lines.append(command("warning", skipped_location(skipped), "pdscan: skipped", str(skipped)))
        lines.append(_summary(report))
        return "\n".join(lines) + "\n"


def command(level: str, where: CodeLocation | None, title: str, message: str) -> str:
    """One workflow command, its properties and message escaped as the Actions toolkit does."""
    properties = []
    if where is not None and "://" in where.path:  # an object in storage is no file of the repository
        message = f"{where.path}:{where.line}: {message}" if where.line else f"{where.path}: {message}"
    elif where is not None:
        properties.append(f"file={_property(where.path)}")
        if where.line:
            properties.append(f"line={where.line}")
    properties.append(f"title={_property(title)}")
    return f"::{level} {','.join(properties)}::{_data(message)}"


def _annotated(verdict: Verdict) -> bool:
    return verdict.kind not in (VerdictKind.OK, VerdictKind.IGNORED)


def _verdict(report: Report, verdict: Verdict, words: Wording) -> str:
    if failing(report, verdict):
        level = "error"
    elif verdict.baseline_state is BaselineState.UNCHANGED:
        level = "notice"
    else:
        level = "warning"
    finding = verdict.finding
    what = f"{finding.category}, {verdict.clause}" if finding.category else finding.data_type
    accepted = " (accepted by the baseline)" if verdict.baseline_state is BaselineState.UNCHANGED else ""
    title = f"pdscan: {verdict.kind.value} ({what}){accepted}"
    return command(level, verdict_location(verdict), title, explanation(verdict, words))


def _warning(verdict: Verdict, warning: str) -> str:
    finding = verdict.finding
    what = f"{finding.category}, {verdict.clause}" if finding.category else finding.data_type
    accepted = verdict.baseline_state is BaselineState.UNCHANGED
    title = f"pdscan: {warning} ({what})" + (" (accepted by the baseline)" if accepted else "")
    message = f"{place_name(verdict)}: {finding.data_type} values {WARNING_EXPLANATIONS.get(warning, warning)}"
    return command("notice" if accepted else "warning", verdict_location(verdict), title, message)


def _silenced(verdict: Verdict, silence: SilencedWarning) -> str:
    finding = verdict.finding
    what = f"{finding.category}, {verdict.clause}" if finding.category else finding.data_type
    title = f"pdscan: {silence.warning} silenced ({what})"
    message = f"{place_name(verdict)}: {silence.warning} silenced ({silence.silenced_in}): {silence.reason}"
    return command("notice", verdict_location(verdict), title, message)


def _summary(report: Report) -> str:
    summary = summarise(report)
    if summary.nothing_scanned:
        return "pdscan: nothing was scanned: every source was skipped"
    failing_count = sum(1 for verdict in report.verdicts if failing(report, verdict))
    parts = [f"pdscan: {failing_count} finding(s) fail this scan (--fail-on {report.fail_on})"]
    warnings = sum(summary.warnings.values())
    if warnings:
        parts.append(f"{warnings} warning(s), failing nothing")
    if summary.silenced:
        parts.append(f"{summary.silenced} warning(s) silenced")
    if report.baseline is not None:
        accepted = sum(1 for v in report.verdicts if v.baseline_state is BaselineState.UNCHANGED)
        parts.append(f"{accepted} accepted by the baseline {report.baseline.path}")
        parts.append(f"{len(report.baseline.stale)} stale baseline entry(ies)")
    if report.changed_since is not None:
        parts.append(f"only places defined in files changed since {report.changed_since.ref}")
    if report.skipped:
        parts.append(f"{len(report.skipped)} item(s) skipped and not checked")
    return "; ".join(parts)


def _data(text: str) -> str:
    """Escaped as the Actions toolkit does; other control characters are made visible (a
    terminal escape in a table name would colour or hide the job log)."""
    return visible(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")
