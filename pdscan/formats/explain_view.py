"""`pdscan explain`: an explanation as readable text (rich, coloured only when asked) or as JSON."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from pdscan.detect.explain import (
    ALSO_FITS,
    DROPPED,
    MATCHED,
    NEAR,
    NO_MATCH,
    OVERLAPPED,
    REFUSED,
    Explanation,
    Result,
    Step,
)
from pdscan.formats.console import render
from pdscan.sentences import sentence

EXPLANATION_VERSION = 1
_OUTCOME_STYLES = {
    MATCHED: "bold green",
    ALSO_FITS: "green",
    DROPPED: "yellow",
    REFUSED: "red",
    OVERLAPPED: "dim",
    NO_MATCH: "dim",
    NEAR: "cyan",
}
_PLACE_LABELS = {
    "table": "table",
    "column": "column",
    "words": "its words",
    "sql_type": "SQL type",
    "sibling_columns": "other columns",
    "source": "read from",
    "field": "field",
    "compared_as": "compared as",
    "value": "value",
}


def explanation_json(explanation: Explanation, rules: tuple[str, ...], policy: str) -> str:
    """The explanation as one JSON document: what was explained, every step, the result."""
    document = {
        "explanation_version": EXPLANATION_VERSION,
        "kind": explanation.kind,
        "place": explanation.place,
        "rules": list(rules),
        "policy": policy,
        "table_contexts": explanation.table_contexts,
        "overruled_contexts": explanation.overruled_contexts,
        "steps": [asdict(step) for step in explanation.steps],
        "results": [
            {
                **asdict(result),
                "evidence": [{"kind": evidence.kind, "text": sentence(evidence)} for evidence in result.evidence],
            }
            for result in explanation.results
        ],
        "nearest": [asdict(step) for step in explanation.nearest],
        "conclusion": explanation.conclusion,
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def explanation_text(explanation: Explanation, color: bool, width: int | None = None) -> str:
    return render(_renderables(explanation), color=color, width=width)


def _renderables(explanation: Explanation) -> Iterator[RenderableType]:
    yield Text(f"Explaining a {explanation.kind}", style="bold underline")
    place = Table.grid(padding=(0, 2))
    place.add_column(style="dim", no_wrap=True)
    place.add_column()
    for key, value in explanation.place.items():
        if value in (None, [], ""):
            continue
        shown = ", ".join(str(item) for item in value) if isinstance(value, list) else str(value)
        place.add_row(_PLACE_LABELS.get(key, key), shown)
    for name, because in explanation.table_contexts.items():
        place.add_row("table context", f"{name} ({because})")
    for name, because in explanation.overruled_contexts.items():
        place.add_row("overruled context", f"{name} ({because})")
    yield place
    yield Text()
    if explanation.results:
        yield Text("Rules tried", style="bold")
        yield _steps(explanation.steps)
        yield Text()
        for result in explanation.results:
            yield from _result(result)
    else:
        yield Text("No rule matched", style="bold")
        if explanation.nearest:
            yield Text("Nearest candidates:")
            yield _steps(explanation.nearest)
        for step in explanation.steps:
            if step not in explanation.nearest:
                yield Text(f"{step.rule}: {step.outcome}: {step.reason}")
    yield Text()
    yield Text(explanation.conclusion[:1].upper() + explanation.conclusion[1:], style="bold")


def _steps(steps: tuple[Step, ...]) -> Table:
    """One row per rule tried; a `found` column only when the rules found text (values, not names)."""
    with_found = any(step.found is not None for step in steps)
    table = Table(show_lines=False, box=None, padding=(0, 1))
    table.add_column("rule", style="cyan", no_wrap=True)
    table.add_column("looks for", overflow="fold", max_width=40)
    if with_found:
        table.add_column("found", no_wrap=True)
    table.add_column("outcome", no_wrap=True)
    table.add_column("why", overflow="fold", ratio=1)
    for step in steps:
        found = [step.found or ""] if with_found else []
        outcome = Text(step.outcome, style=_OUTCOME_STYLES.get(step.outcome, ""))
        table.add_row(step.rule, step.looks_for, *found, outcome, step.reason)
    return table


def _result(result: Result) -> Iterator[RenderableType]:
    heading = Text.assemble(("Result: ", "bold"), (result.data_type, "bold green"), f" ({result.title})")
    if result.confidence is not None:
        heading.append(f", confidence {result.confidence:.2f}")
    yield heading
    fields = Table.grid(padding=(0, 2))
    fields.add_column(style="dim", no_wrap=True)
    fields.add_column()
    if result.value is not None:
        fields.add_row("value", result.value)
    for evidence in result.evidence:
        fields.add_row(f"evidence ({evidence.kind})", sentence(evidence))
    if result.category is None:
        fields.add_row("category", Text("none: the policy names no category for this data type", style="yellow"))
    else:
        fields.add_row("category", f"{result.category} ({result.category_title})")
        permitted = ", ".join(result.purposes) or Text("none", style="bold red")
        fields.add_row("permitted purposes", permitted)
    yield fields
