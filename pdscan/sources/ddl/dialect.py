"""Guess a SQL file's dialect from the marks each dialect's tools leave in it."""

from __future__ import annotations

import re

DIALECTS = ("postgres", "mysql", "sqlite", "tsql")
PROBE_CHARS = 256 * 1024

# (mark, weight): tool-specific marks weigh 2, marks other dialects sometimes share weigh 1.
DIALECT_MARKS: dict[str, tuple[tuple[re.Pattern[str], int], ...]] = {
    "mysql": (
        (re.compile(r"`\w+`"), 1),
        (re.compile(r"\bENGINE\s*=", re.IGNORECASE), 2),
        (re.compile(r"/\*!\d{5}"), 2),
        (re.compile(r"\bAUTO_INCREMENT\b", re.IGNORECASE), 2),
        (re.compile(r"^[^\S\n]*DELIMITER\s", re.IGNORECASE | re.MULTILINE), 2),
        (re.compile(r"\b(?:TINYINT|MEDIUMTEXT|LONGTEXT|DATETIME)\b", re.IGNORECASE), 1),
    ),
    "tsql": (
        (re.compile(r"^[^\S\n]*GO[^\S\n]*$", re.IGNORECASE | re.MULTILINE), 2),
        (re.compile(r"\[\w[\w ]*\]\.\["), 2),
        (re.compile(r"\bN'"), 2),
        (re.compile(r"\bIDENTITY\s*\(", re.IGNORECASE), 2),
        (re.compile(r"\bNVARCHAR\b", re.IGNORECASE), 1),
        (re.compile(r"\bsp_\w+", re.IGNORECASE), 2),
    ),
    "postgres": (
        (re.compile(r"PostgreSQL database dump"), 2),
        (re.compile(r"\bSET\s+search_path\b", re.IGNORECASE), 2),
        (re.compile(r"::\w+"), 1),
        # From the first COPY of a line only: `COPY.*FROM` would rescan the line after every COPY.
        (re.compile(r"^(?:(?!\bCOPY\b)[^\n])*+\bCOPY\b[^\n]*?\bFROM\s+stdin", re.IGNORECASE | re.MULTILINE), 2),
        (re.compile(r"\$\w*\$"), 1),
        (
            re.compile(r"\b(?:bigserial|serial|timestamptz|jsonb|inet|uuid|bytea)\b", re.IGNORECASE),
            1,
        ),
        (re.compile(r"\bpublic\.\w+"), 1),
        (re.compile(r"\bCOMMENT\s+ON\s+COLUMN\b", re.IGNORECASE), 1),
    ),
    "sqlite": (
        (re.compile(r"\bAUTOINCREMENT\b", re.IGNORECASE), 2),
        (re.compile(r"\bPRAGMA\b", re.IGNORECASE), 2),
        (re.compile(r"\bsqlite_\w+", re.IGNORECASE), 2),
        (re.compile(r"\bWITHOUT\s+ROWID\b", re.IGNORECASE), 2),
        (re.compile(r"\bCREATE\s+VIRTUAL\s+TABLE\b", re.IGNORECASE), 2),
    ),
}


def detect_dialect(text: str) -> str:
    """The dialect whose marks weigh most in the file's head; `generic` when none is seen."""
    head = text[:PROBE_CHARS]
    scores = {
        dialect: sum(weight for mark, weight in marks if mark.search(head)) for dialect, marks in DIALECT_MARKS.items()
    }
    best = max(scores, key=lambda dialect: scores[dialect])
    return best if scores[best] else "generic"
