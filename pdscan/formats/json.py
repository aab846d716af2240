"""The JSON report (DESIGN §7): complete, versioned, deterministic, validated by a shipped schema.

Identical scans give identical bytes except `generated_at`: keys in a fixed order, every list
sorted (findings by database, table, column, data type). The summary counts what audit.py
decided; nothing is re-judged here. `pdscan/schemas/report.schema.json` describes every field.
The text is made a finding at a time (`pieces`): a whole document of 600,000 findings, and the
encoder's pieces of it, took gigabytes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pdscan.formats.explanations import explanation
from pdscan.formats.interface import FormatOptions
from pdscan.formats.summary import in_place_order, summarise
from pdscan.formats.wording import Wording
from pdscan.model import (
    BaselineCheck,
    BaselineEntry,
    ChangedSince,
    DataMapRef,
    Location,
    LogSample,
    Occurrences,
    Report,
    ValueSample,
    Verdict,
)
from pdscan.sentences import sentence
from pdscan.visible import json_text


class JsonFormat:
    def __init__(self, options: FormatOptions) -> None:
        self.words = options.wording.in_english()  # a document for programs: English whatever --lang says

    def format(self, report: Report) -> str:
        return "".join(self.pieces(report))

    def pieces(self, report: Report) -> Iterator[str]:
        """The text `json_text(report_document(report), indent=2)` gives, one finding at a time."""
        outline = json_text(_document(report, []), indent=2)
        before, _, after = outline.partition(NO_FINDINGS)
        verdicts = in_place_order(report.verdicts)
        if not verdicts:
            yield outline + "\n"
            return
        yield before + '\n  "findings": ['
        for index, verdict in enumerate(verdicts):
            text = json_text(_finding(verdict, self.words), indent=2)
            yield ("," if index else "") + "\n    " + text.replace("\n", "\n    ")
        yield "\n  ]" + after + "\n"


NO_FINDINGS = '\n  "findings": []'  # where the findings go in the outline (a string inside it has its quotes escaped)


def report_document(report: Report, words: Wording) -> dict[str, Any]:
    english = words.in_english()
    return _document(report, [_finding(v, english) for v in in_place_order(report.verdicts)])


def _document(report: Report, findings: list[dict[str, Any]]) -> dict[str, Any]:
    summary = summarise(report)
    return {
        "schema_version": report.schema_version,
        "tool": {
            "name": "pdscan",
            "version": report.tool_version,
            "rules_version": report.rules_version,
        },
        "generated_at": report.generated_at,
        "policy": {
            "id": report.policy.policy_id,
            "title": report.policy.title,
            "version": report.policy.version,
            "sha256": report.policy.sha256,
            "path": report.policy.path,
        },
        "fail_on": report.fail_on,
        "data_map": _data_map(report.data_map),
        "show_data": report.show_data,
        "sources": [
            {
                "source": s.source,
                "kind": s.kind.value,
                "status": s.status,
                "dialect": s.dialect,
                "tables": s.tables,
                "columns": s.columns,
                "lines": s.lines,
                "bytes": s.bytes,
                "log_format": s.log_format,
                "rows": s.rows,
                "encoding": s.encoding,
                "notes": list(s.notes),
                "sample": _sample(s.sample),
            }
            for s in sorted(report.sources, key=lambda s: (s.source, s.kind.value))
        ],
        "skipped": [
            {"source": s.source, "line": s.line, "reason": s.reason}
            for s in sorted(report.skipped, key=lambda s: (s.source, s.line or 0, s.reason))
        ],
        "findings": findings,
        "stale_declarations": [
            {"place": s.place, "declared_in": s.declared_in, "explanation": sentence(s)}
            for s in sorted(report.stale_declarations, key=lambda s: (s.declared_in, s.place))
        ],
        "baseline": _baseline(report.baseline),
        "changed_since": _changed_since(report.changed_since),
        "summary": {
            "total": summary.total,
            "by_category": summary.by_category,
            "by_verdict": summary.by_verdict,
            "failing": summary.failing,
            "fails": summary.fails,
            "partial": summary.partial,
        },
    }


def _finding(verdict: Verdict, words: Wording) -> dict[str, Any]:
    finding = verdict.finding
    return {
        "location": _location(finding.location),
        "data_type": finding.data_type,
        "category": finding.category,
        "clause": verdict.clause,
        "confidence": round(finding.confidence, 3),
        "evidence": [{"kind": e.kind, "text": sentence(e)} for e in finding.evidence],
        "declared_purposes": list(verdict.declared_purposes),
        "declared_in": list(verdict.declared_in),
        "permitted_purposes": list(verdict.permitted_purposes),
        "verdict": verdict.kind.value,
        "explanation": explanation(verdict, words),
        "fingerprint": verdict.fingerprint,
        "ignore_reason": verdict.ignore_reason,
        "occurrences": _occurrences(finding.occurrences),
        "values": _values(finding.values),
        "warnings": list(verdict.warnings),
        "ignored_in": verdict.ignored_in,
        "baseline_state": verdict.baseline_state.value if verdict.baseline_state else None,
        "silenced_warnings": [
            {"warning": s.warning, "reason": s.reason, "silenced_in": s.silenced_in} for s in verdict.silenced_warnings
        ],
    }


def _baseline(check: BaselineCheck | None) -> dict[str, Any] | None:
    if check is None:
        return None
    return {"path": check.path, "entries": check.entries, "stale": [_baseline_entry(e) for e in check.stale]}


def _baseline_entry(entry: BaselineEntry) -> dict[str, Any]:
    return {
        "fingerprint": entry.fingerprint,
        "source": entry.source,
        "table": entry.table,
        "column": entry.column,
        "category": entry.category,
        "verdict": entry.verdict.value,
        "line": entry.line,
    }


def _changed_since(changes: ChangedSince | None) -> dict[str, Any] | None:
    return None if changes is None else {"ref": changes.ref, "files": list(changes.files)}


def _data_map(data_map: DataMapRef | None) -> dict[str, str] | None:
    return None if data_map is None else {"path": data_map.path, "sha256": data_map.sha256}


def _sample(sample: LogSample | None) -> dict[str, Any] | None:
    if sample is None:
        return None
    part = "first" if sample.first else "pieces"
    return {"part": part, "read_bytes": sample.read_bytes, "file_bytes": sample.file_bytes, "share": sample.share}


def _values(values: ValueSample | None) -> dict[str, Any] | None:
    if values is None:
        return None
    return {
        "matched": values.matched,
        "sampled": values.sampled,
        "distinct": values.distinct,
        "samples": list(values.samples),
    }


def _occurrences(occurrences: Occurrences | None) -> dict[str, Any] | None:
    if occurrences is None:
        return None
    return {
        "count": occurrences.count,
        "first": occurrences.first,
        "last": occurrences.last,
        "samples": list(occurrences.samples),
    }


def _location(location: Location) -> dict[str, Any]:
    return {
        "source": location.source,
        "kind": location.kind.value,
        "database": location.database,
        "table": location.table,
        "column": location.column,
        "line": location.line,
    }
