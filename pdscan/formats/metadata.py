"""What the people-facing formats say about a scan itself: versions, policy, data map, sources,
so a filed report names everything that produced it. One list, so Markdown and HTML agree."""

from __future__ import annotations

from collections.abc import Mapping

from pdscan.formats.summary import nothing_scanned
from pdscan.formats.wording import Wording
from pdscan.model import LogSample, Report, SourceSummary

SIZE_UNITS = (("unit.gib", 1 << 30), ("unit.mib", 1 << 20), ("unit.kib", 1 << 10))  # largest first


def scan_facts(report: Report, wording: Wording) -> list[tuple[str, str]]:
    """(label, value) pairs, in reading order."""
    policy = report.policy
    data_map = report.data_map
    return [
        (wording("policy"), f"{policy.title} ({policy.policy_id})"),
        (wording("policy_version"), policy.version),
        (wording("policy_file"), policy.path),
        (wording("policy_sha256"), policy.sha256),
        (wording("data_map"), f"{data_map.path} (SHA-256 {data_map.sha256})" if data_map else wording("no_data_map")),
        (wording("generated_at"), report.generated_at),
        (wording("tool"), report.tool_version),
        (wording("rules_version"), report.rules_version),
        (wording("schema_version"), report.schema_version),
        (wording("fail_on"), report.fail_on),
    ]


def source_read(source: SourceSummary, wording: Wording) -> str:
    """How much of a source was read, in words: tables and columns, rows sampled, lines."""
    parts = []
    if source.tables or source.columns:
        parts.append(wording("read.tables", tables=source.tables, columns=source.columns))
    if source.rows:
        parts.append(wording("read.rows", rows=source.rows))
    if source.lines:
        read_as = ", ".join(filter(None, (source.log_format or "?", source.encoding)))
        parts.append(wording("read.lines", lines=source.lines, format=read_as))
    if source.sample is not None:
        parts.append(sample_read(source.sample, wording.labels))
    return "; ".join(parts)


def sample_read(sample: LogSample, labels: Mapping[str, str]) -> str:
    """`sampled: 12.5 % read, counts are estimates` (or `first 64.0 MiB`) in the labels' language."""
    if sample.share is not None:
        percent = sample.share * 100
        shown = f"{percent:.1f}" if percent >= 0.1 else f"{percent:.2g}"
        return labels["read.sampled"].format(share=shown)
    unit, power = next(((unit, power) for unit, power in SIZE_UNITS if sample.read_bytes >= power), SIZE_UNITS[-1])
    return labels["read.sampled_first"].format(size=f"{sample.read_bytes / power:,.1f}", unit=labels[unit])


def sorted_sources(report: Report) -> list[SourceSummary]:
    return sorted(report.sources, key=lambda s: (s.source, s.kind.value))


def scan_notice(report: Report) -> str | None:
    """The label of the notice above a report: nothing could be read, or only part of it."""
    if nothing_scanned(report):
        return "nothing_scanned"
    return "partial_scan" if report.skipped else None


def no_places(report: Report) -> str:
    """The label of a category no place holds: said of what was scanned only when something was
    skipped, since a skipped source may hold it."""
    return "no_places_scanned" if report.skipped else "no_places"
