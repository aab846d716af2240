"""The logs of a scan as one source: read together (one pool of processes or one cluster for all
of them), each field's data types found in its values become findings. Every value is streamed
to `on_record` as it is read, so --format ndjson holds none of them."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from operator import attrgetter

from pdscan.detect.line_analyser import FIELD_NAME
from pdscan.model import Evidence, Finding, Location, Occurrences, Phrase, SourceKind
from pdscan.policy import Policy
from pdscan.ruleset.taxonomy import taxonomy_titles
from pdscan.sources.discovery import LogInput
from pdscan.sources.interface import ScanContext, SourceResult
from pdscan.sources.logs.execution.interface import available_cores
from pdscan.sources.logs.source import LogField, LogScanOptions, scan_logs


@dataclass(frozen=True)
class LogSource:
    inputs: tuple[LogInput, ...]  # in reading order: rotated copies oldest first, the live log last

    def scan(self, context: ScanContext) -> SourceResult:
        request = context.request
        options = LogScanOptions(
            jobs=request.jobs or available_cores(),
            log_format=request.log_format,
            text_engine=request.text_engine,
            show_data=request.show_data,
            group_of=partial(_category_id, context.policy),
            value_rules=context.classifier.rules.value_detectors,
            engine=request.engine,
            scheduler=request.scheduler,
            on_note=context.on_note,
            sample=request.log_sample,
        )
        logs = scan_logs(self.inputs, options, context.on_record, context.progress, context.on_skip)
        taxonomy = taxonomy_titles()
        findings = sorted((_finding(found, context.policy, taxonomy) for found in logs.fields), key=attrgetter("order"))
        return SourceResult(logs.summaries, logs.skipped, (), tuple(findings))


def _category_id(policy: Policy, data_type: str) -> str:
    category = policy.category_for(data_type)
    return category.id if category else data_type


def _finding(log_field: LogField, policy: Policy, taxonomy: dict[str, Phrase]) -> Finding:
    category = policy.category_for(log_field.data_type)
    evidence, confidence = _evidence(log_field, taxonomy)
    return Finding(
        location=Location(log_field.identity, SourceKind.LOG, column=log_field.field, database=log_field.identity),
        data_type=log_field.data_type,
        category=category.id if category else None,
        confidence=confidence,
        evidence=evidence,
        occurrences=Occurrences(log_field.count, log_field.first, log_field.last, log_field.samples),
    )


def _evidence(log_field: LogField, taxonomy: dict[str, Phrase]) -> tuple[tuple[Evidence, ...], float]:
    """Why, in words: the field name, the validated patterns and phrases, with counts."""
    title = taxonomy.get(log_field.data_type) or Phrase(log_field.data_type)
    evidence = []
    confidence = 0.0
    for detector, count in log_field.detectors:
        if detector == FIELD_NAME:
            name = log_field.field.rsplit(".", 1)[-1] if log_field.field else ""
            values = (("name", name), ("title", title), ("count", count))
            evidence.append(Evidence("name", "name.log_field", values))
            confidence = max(confidence, 0.8)
        else:
            evidence.append(Evidence("value", "value.log_matches", (("count", count), ("detector", detector))))
            confidence = max(confidence, 0.95)
    return tuple(evidence), confidence
