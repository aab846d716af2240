"""pdscan's own reports, told by how each format's text begins (or, for HTML, by its generator).

A report written into a folder that is scanned later (`pdscan scan app.log --output
logs/report.json`, then `pdscan scan logs/`) holds what pdscan found, not data a system keeps:
read as a log it gave findings of pdscan's own findings, and a report not named like a log
(csv, html) made the scan partial. Discovery leaves such a file, and a baseline written under
another name (`pdscan baseline --output logs/accepted.json`), out of a folder or glob, as it
leaves out `pdscan.yml` and `.pdscan-baseline.json`, and says so; named on the command line,
it is read as asked. The signatures are the formats' own first words, in every language the
labels carry (pdscan.formats.* write them), so a file that only looks alike is read as before.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

from pdscan.baseline import BASELINE_ABOUT
from pdscan.formats.csv import COLUMNS
from pdscan.formats.wording import labels, languages

HEAD = 4096  # a report's signature is in its first lines
_SIGNED_COLUMNS = 4  # the CSV header's first columns that sign it


def own_report_format(path: Path) -> str | None:
    """The format of the pdscan report at `path` (`json`, `sarif`…), or None for any other file."""
    try:
        with path.open("rb") as handle:
            return report_format_of(handle.read(HEAD))
    except OSError:
        return None


def report_format_of(head: bytes) -> str | None:
    """The format of the pdscan report these first bytes begin, or None."""
    text = head[:HEAD].decode("utf-8", "replace").removeprefix("\ufeff")
    return next((name for name, signature in _signatures() if signature.search(text)), None)


@functools.cache
def _signatures() -> tuple[tuple[str, re.Pattern[str]], ...]:
    def any_of(key: str) -> str:
        return "|".join(re.escape(labels(lang)[key]) for lang in languages())

    csv_header = "|".join(
        re.escape(",".join(labels(lang)[column] for column in COLUMNS[:_SIGNED_COLUMNS]) + ",") for lang in languages()
    )
    return (
        ("json", re.compile(r'\A\{\s*"schema_version": "[^"\n]*",\s*"tool": \{\s*"name": "pdscan"')),
        (
            "sarif",
            re.compile(
                r'\A\{\s*"\$schema": "[^"\n]*sarif[^"\n]*",[^{]*'
                r'"runs": \[\s*\{\s*"tool": \{\s*"driver": \{\s*"name": "pdscan"'
            ),
        ),
        (
            "ndjson",
            re.compile(
                r'\A\{"source": "[^\n]*", "line": (?:\d+|null), "start": (?:\d+|null), "end": (?:\d+|null), '
                r'"field": [^\n]*, "data_type": "[^"\n]*", "category": [^\n]*, "value": [^\n]*\}$',
                re.MULTILINE,
            ),
        ),
        (
            "html",
            re.compile(
                r'\A<!DOCTYPE html>\n<html lang="[a-z]+">\n<head>\n(?:<meta [^>]*>\n)*?'
                r'<meta name="generator" content="pdscan">'
            ),
        ),
        ("markdown", re.compile(rf"\A# (?:{any_of('report_title')}|{any_of('inventory_title')})\n")),
        ("csv", re.compile(rf"\A(?:{csv_header})")),
        ("table", re.compile(rf"\A(?:pdscan \S+ · |(?:{any_of('inventory_title')}) · )")),
        ("github", re.compile(r"\A::(?:error|warning|notice) [^\n]*title=pdscan%3A")),
        ("baseline", re.compile(rf'\A\{{\s*"version": \d+,\s*"about": {re.escape(json.dumps(BASELINE_ABOUT))}')),
        ("fides", re.compile(r"\Adataset:\n- fides_key: [^\n]*\n  name: [^\n]*\n  description: Personal data pdscan ")),
    )
