"""Where personal data is held: findings folded into places, and places gathered per category.

A place is one column or log field holding data of one category; the findings of several data
types there (a `name` column that is a first and a full name) make one place, as a record of
processing lists it. The verdict shown for a place is the most severe of its findings': nothing
is judged again here (audit.py decides), this only groups.

`pdscan inventory` answers "where do we hold data of category X?" (a disclosure request under
the policy's §5) with every place of each category asked for, across DDL, databases and logs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from pdscan.formats.summary import in_place_order
from pdscan.model import Evidence, Location, Report, SilencedWarning, SourceKind, Verdict, VerdictKind
from pdscan.policy import Policy

_Item = TypeVar("_Item", str, Evidence)


@dataclass(frozen=True)
class HeldPlace:
    """One place holding data of one category, with what was declared, permitted and decided."""

    location: Location
    category: str | None
    clause: str | None
    data_types: tuple[str, ...]
    declared_purposes: tuple[str, ...]
    declared_in: tuple[str, ...]
    permitted_purposes: tuple[str, ...]
    verdict: VerdictKind
    worst: Verdict  # the most severe of the place's verdicts: the one its explanation words
    evidence: tuple[Evidence, ...]  # said in the report's language by the format (sentences.py)
    samples: tuple[str, ...]  # masked unless the scan was asked to show data
    values_seen: int | None  # logs: values found; databases: sampled values that held the data
    warnings: tuple[str, ...]
    fingerprints: tuple[str, ...]
    silenced_warnings: tuple[SilencedWarning, ...] = ()  # each with its reason and where it was written
    first_seen: str = ""  # logs: `file:line` of the first value read (rotated copies included)

    @property
    def source(self) -> str:
        """What was scanned: the schema folder or file, the database, the log."""
        return self.location.database or self.location.source

    @property
    def table_or_file(self) -> str:
        if self.location.kind is SourceKind.LOG:
            return self.location.source
        return self.location.table or ""

    def field(self, free_text: str) -> str:
        """The column, or a log's field (`free_text`, in the report's language, when there is none)."""
        if self.location.kind is SourceKind.LOG:
            return self.location.column or free_text
        return self.location.column or ""

    def name(self, free_text: str) -> str:
        """How a report names the place: `table.column`, or `log: field`."""
        if self.location.kind is SourceKind.LOG:
            return f"{self.table_or_file}: {self.field(free_text)}"
        return self.location.place

    @property
    def defined_at(self) -> str:
        """`file:line` of the defining statement (schemas), of the first value read (logs: where
        SARIF and annotations point too); empty where there is none."""
        if self.location.kind is SourceKind.LOG:
            return self.first_seen
        return f"{self.location.source}:{self.location.line}" if self.location.line else ""

    @property
    def defined_in_source(self) -> str:
        """`defined_at` relative to the source (`003_profile.sql:8` in `migrations`), for people."""
        folder = self.source.rstrip("/") + "/"
        return self.defined_at.removeprefix(folder) if self.defined_at.startswith(folder) else self.defined_at


@dataclass(frozen=True)
class CategoryHoldings:
    """Every place holding one category's data; `category` None for data no category covers."""

    category: str | None
    places: tuple[HeldPlace, ...]


@dataclass(frozen=True)
class Inventory:
    report: Report  # what was scanned, when, against which policy
    holdings: tuple[CategoryHoldings, ...]  # in the policy's order, then data no category covers
    asked: tuple[str, ...]  # the categories asked for; empty: all


def held_places(verdicts: Sequence[Verdict]) -> list[HeldPlace]:
    """Findings folded per place and category, in place order (database, table, column)."""
    grouped: dict[tuple[object, ...], list[Verdict]] = {}
    for verdict in in_place_order(tuple(verdicts)):
        location = verdict.finding.location
        key = (location.kind, location.database or location.source, location.table, location.column)
        grouped.setdefault((*key, verdict.finding.category), []).append(verdict)
    return [_place(group) for group in grouped.values()]


def build_inventory(report: Report, policy: Policy, asked: Sequence[str] = ()) -> Inventory:
    """Per category asked for (all by default), every place holding it; a category nothing
    holds is listed with no places, which is itself the answer to the question."""
    places = held_places(report.verdicts)
    wanted = list(asked) or [category.id for category in policy.categories]
    holdings = [CategoryHoldings(c, tuple(p for p in places if p.category == c)) for c in wanted]
    uncovered = tuple(p for p in places if p.category is None)
    if uncovered and not asked:
        holdings.append(CategoryHoldings(None, uncovered))
    return Inventory(report, tuple(holdings), tuple(asked))


def _place(verdicts: list[Verdict]) -> HeldPlace:
    worst = max(verdicts, key=lambda v: v.kind.severity)
    first = verdicts[0].finding
    return HeldPlace(
        location=first.location,
        category=first.category,
        clause=worst.clause,
        data_types=_unique(v.finding.data_type for v in verdicts),
        declared_purposes=worst.declared_purposes,
        declared_in=worst.declared_in,
        permitted_purposes=worst.permitted_purposes,
        verdict=worst.kind,
        worst=worst,
        evidence=_unique(e for v in verdicts for e in v.finding.evidence),
        samples=_unique(sample for v in verdicts for sample in _samples(v)),
        values_seen=_values_seen(verdicts),
        warnings=_unique(w for v in verdicts for w in v.warnings),
        fingerprints=_unique(v.fingerprint for v in verdicts),
        silenced_warnings=tuple(dict.fromkeys(s for v in verdicts for s in v.silenced_warnings)),
        first_seen=next((v.finding.occurrences.first for v in verdicts if v.finding.occurrences), ""),
    )


def _samples(verdict: Verdict) -> tuple[str, ...]:
    finding = verdict.finding
    if finding.occurrences is not None:
        return finding.occurrences.samples
    if finding.values is not None:
        return finding.values.samples
    return ()


def _values_seen(verdicts: list[Verdict]) -> int | None:
    """Log values found, or sampled database values holding the data; None where none were read."""
    counts = []
    for verdict in verdicts:
        finding = verdict.finding
        if finding.occurrences is not None:
            counts.append(finding.occurrences.count)
        elif finding.values is not None:
            counts.append(finding.values.matched)
    return sum(counts) if counts else None


def _unique(items: Iterable[_Item]) -> tuple[_Item, ...]:
    return tuple(dict.fromkeys(items))


def by_verdict(places: Sequence[HeldPlace]) -> list[tuple[VerdictKind, list[tuple[str | None, list[HeldPlace]]]]]:
    """The places per verdict, most severe first, and within a verdict per category, so a
    reader meets what needs doing first and each clause is quoted once per group."""
    grouped: list[tuple[VerdictKind, list[tuple[str | None, list[HeldPlace]]]]] = []
    for kind in sorted(VerdictKind, key=lambda k: -k.severity):
        in_verdict = [place for place in places if place.verdict is kind]
        categories = sorted({place.category for place in in_verdict}, key=lambda c: (c is None, c or ""))
        if in_verdict:
            grouped.append((kind, [(c, [p for p in in_verdict if p.category == c]) for c in categories]))
    return grouped
