"""Frozen records every stage shares: sources -> detection -> audit -> formats.

Nothing here computes anything, and nothing of pdscan is imported here; each stage builds these
and the next one reads them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import NamedTuple


class SourceKind(enum.StrEnum):
    """What a scanned source is; decides how a Location reads to a person."""

    DDL = "ddl"
    SQLITE = "sqlite"
    DATABASE = "database"
    LOG = "log"


@dataclass(frozen=True, slots=True)
class Location:
    """One place personal data may live.

    `source` is the path as the user gave it (or a URL with its password masked);
    `line` is the 1-based line of the column's defining statement in a DDL file. For a log,
    `source` is the log (rotated and compressed copies share it) and `column` the field path,
    None for values in free text. Every name here is as outputs show it: a personal value in a
    path, table, column or field name is masked (`sources/readable.py`), so the fingerprints,
    data maps and baselines made from a Location never hold one.
    """

    source: str
    kind: SourceKind
    table: str | None = None
    column: str | None = None
    line: int | None = None
    database: str | None = None

    @property
    def place(self) -> str:
        """`table.column` (or what of it is known), the key people use in data maps."""
        return ".".join(part for part in (self.table, self.column) if part)


@dataclass(frozen=True, slots=True)
class Column:
    """A column as a source found it, with everything detection and declarations may read.

    `comment` is the SQL column comment (COMMENT ON COLUMN, MySQL COMMENT '…', T-SQL
    MS_Description); `annotation` is the text of a trailing `--` comment on the line that
    defined the column (where `-- pdscan: purpose=…` lives). Declarations parse both.
    """

    location: Location
    name: str
    sql_type: str | None = None
    comment: str | None = None
    annotation: str | None = None


@dataclass(frozen=True, slots=True)
class Table:
    """A table of the final schema: after every migration of the source was replayed."""

    location: Location
    name: str
    columns: tuple[Column, ...]
    comment: str | None = None
    annotation: str | None = None


class Field(NamedTuple):
    """A value in a log line: its name (a JSON path, a key, a column) or None for free text.

    `start`/`end` are character offsets in the line; `free_text` fields may hold phrases and
    `key=value` pairs of their own (a syslog message, a request line with a query string).
    A named tuple: every line read makes several.
    """

    path: str | None
    start: int
    end: int
    free_text: bool = False


class LogRecord(NamedTuple):
    """One occurrence as `--format ndjson` streams it; `value` is masked unless --show-data.
    A named tuple: a busy log streams millions."""

    source: str
    line: int
    start: int
    end: int
    field: str | None
    data_type: str
    value: str


@dataclass(frozen=True, slots=True)
class Phrase:
    """Words the rules give in more than one language (a data type's title, what a column name
    means): English always, each other language where the rules carry it."""

    en: str
    translations: tuple[tuple[str, str], ...] = ()  # (language, words)

    def said_in(self, lang: str) -> str:
        """The words in `lang`, or in English where the rules give none."""
        return next((words for code, words in self.translations if code == lang), self.en)


SentenceValue = str | int | Phrase | tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Skipped:
    """Something the scan could not read, kept as a result so the report can say so.

    `reason` is in English (JSON, SARIF, stderr); where pdscan words the reason itself, `message`
    and `values` say it in a report's language as well (sentences.skipped_because), else the
    reason quotes an error (a parser's, a database driver's) and stays as it came.
    """

    source: str
    reason: str
    line: int | None = None
    message: str = ""  # the reason's key under `sentences:` in rules/labels.yaml, "" for none
    values: tuple[tuple[str, SentenceValue], ...] = ()

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        return f"{where}: {self.reason}"


@dataclass(frozen=True, slots=True)
class SchemaScan:
    """What one schema source yielded: its final tables and what it had to skip."""

    source: str
    kind: SourceKind
    tables: tuple[Table, ...]
    skipped: tuple[Skipped, ...] = ()
    dialect: str | None = None
    statements: int = 0
    # How the source was read where nothing was lost: the up path chosen in a folder of up and
    # down migrations, empty files kept for numbering, template placeholders read in names.
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Evidence:
    """Why a detector thinks a place holds a data type: a sentence of rules/labels.yaml
    (`sentences:`) and what fills it, so each report says it in its own language
    (formats/sentences.py). Small and hashable: equal evidence compares and hashes equal."""

    kind: str  # "name" | "table" | "type" | "comment" | "value"
    message: str  # the sentence's key under `sentences:` in rules/labels.yaml
    values: tuple[tuple[str, SentenceValue], ...] = ()

    def value(self, name: str) -> SentenceValue | None:
        return next((value for key, value in self.values if key == name), None)


@dataclass(frozen=True, slots=True)
class Detection:
    """A data type recognised at a column, before the policy is consulted."""

    data_type: str
    confidence: float
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True, slots=True)
class Occurrences:
    """How often values of a finding were seen in a log, where first and last, masked samples.

    `first`/`last` are `file:line` in the order files were read (rotated copies included);
    `samples` are masked unless the scan was asked to show data.
    """

    count: int
    first: str
    last: str
    samples: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ValueSample:
    """What the values sampled from a database column showed for one data type.

    `matched` of `sampled` non-empty values held the data type, `distinct` different ones
    among them (a value repeated in every row is the system's own, not a person's); `samples`
    are masked unless the scan was asked to show data.
    """

    matched: int
    sampled: int
    distinct: int
    samples: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Finding:
    """A place holding a data type, and the policy category that data type falls in.

    `category` is None when no category of the policy covers the data type; `occurrences`
    is set for findings made from values (logs), `values` for database columns whose sampled
    values were read.
    """

    location: Location
    data_type: str
    category: str | None
    confidence: float
    evidence: tuple[Evidence, ...]
    occurrences: Occurrences | None = None
    values: ValueSample | None = None

    @property
    def order(self) -> tuple[str, str, str, str]:
        """Where it stands in a report: by database, table, column (case aside) and data type."""
        location = self.location
        return (
            location.database or location.source,
            (location.table or "").lower(),
            (location.column or "").lower(),
            self.data_type,
        )


PLAINTEXT_SENSITIVE = "plaintext_sensitive"
WARNINGS = (PLAINTEXT_SENSITIVE,)  # what a finding may carry on top of its verdict; never fails


@dataclass(frozen=True, slots=True)
class SilencedWarning:
    """A warning the team confirmed does not apply here (the values are masked or tokenised):
    why, and where that was written (`pdscan.yml:40`)."""

    warning: str
    reason: str
    silenced_in: str


class VerdictKind(enum.StrEnum):
    """Outcome of holding a finding against the policy; the order is severity."""

    IGNORED = "ignored"
    OK = "ok"
    STALE_DECLARATION = "stale_declaration"
    UNDECLARED = "undeclared"
    PURPOSE_NOT_PERMITTED = "purpose_not_permitted"
    NO_POLICY_PURPOSE = "no_policy_purpose"
    NOT_IN_POLICY = "not_in_policy"

    @property
    def severity(self) -> int:
        return list(VerdictKind).index(self)


@dataclass(frozen=True, slots=True)
class Verdict:
    """A finding judged: what was declared for it, what the policy permits, and the outcome.

    It holds facts, not sentences: the explanation a person reads is written from these at
    output time, in the report's language (`formats/explanations.py`), so a scan of 600,000
    findings does not hold 600,000 sentences.
    """

    finding: Finding
    kind: VerdictKind
    declared_purposes: tuple[str, ...]
    permitted_purposes: tuple[str, ...]
    fingerprint: str
    clause: str | None = None
    declared_in: tuple[str, ...] = ()  # where each declaration came from: "pdscan.yml:12"
    ignore_reason: str | None = None
    warnings: tuple[str, ...] = ()  # e.g. "plaintext_sensitive": a card number in clear text in a log
    ignored_in: str | None = None  # where the ignore was written: "pdscan.yml:30", "db/002_users.sql:4"
    baseline_state: BaselineState | None = None  # None: the scan had no baseline
    unignored_kind: VerdictKind | None = None  # an ignored finding: the verdict it would have without the ignore
    silenced_warnings: tuple[SilencedWarning, ...] = ()  # warnings a `silence:` entry covers, not in `warnings`


class BaselineState(enum.StrEnum):
    """A finding against the baseline (SARIF's words): only `new` findings can fail a scan."""

    NEW = "new"
    UNCHANGED = "unchanged"


@dataclass(frozen=True, slots=True)
class BaselineEntry:
    """One accepted finding: what it is (never where on a line), and the verdict it was accepted at.

    `source` is the schema or log identity relative to the baseline file's folder; `category`
    the policy category, or the data type when no category covers it. `line` is where the
    entry sits in the baseline file (to point at stale entries), never written to it.
    """

    fingerprint: str
    source: str
    table: str | None
    column: str | None
    category: str
    verdict: VerdictKind
    line: int | None = None

    @property
    def place(self) -> str:
        return ".".join(part for part in (self.table, self.column) if part) or "(free text)"


@dataclass(frozen=True, slots=True)
class BaselineCheck:
    """How a scan compared with its baseline: the file, how many entries, which matched nothing."""

    path: str
    entries: int
    stale: tuple[BaselineEntry, ...]


@dataclass(frozen=True, slots=True)
class ChangedSince:
    """--changed-since: the git revision, and the files that differ from it (repository-relative)."""

    ref: str
    files: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class StaleDeclaration:
    """A declaration naming a place the scan did not find any more; `message` and `values`
    say so in a report's language, as Evidence does."""

    place: str
    declared_in: str
    message: str  # the sentence's key under `sentences:` in rules/labels.yaml
    values: tuple[tuple[str, SentenceValue], ...] = ()


@dataclass(frozen=True, slots=True)
class PolicyRef:
    """Which policy a report was judged against, so a filed report can be reproduced."""

    policy_id: str
    title: str
    version: str
    sha256: str
    path: str


@dataclass(frozen=True, slots=True)
class DataMapRef:
    """Which data map declared the purposes, so a filed report names what judged it."""

    path: str
    sha256: str


@dataclass(frozen=True, slots=True)
class LogSample:
    """What `--log-sample` read of one log: `read_bytes` of its `file_bytes` in evenly spaced
    pieces, or (`first`: a compressed or UTF-16 log, or one with lone CR line ends) its first
    `read_bytes`, decompressed. Its counts are those of the lines read: estimates of the whole
    log's."""

    read_bytes: int
    file_bytes: int
    first: bool = False

    @property
    def share(self) -> float | None:
        """The part of the file read, 0 to 1; None when only the first bytes of a stream were."""
        return None if self.first or not self.file_bytes else min(1.0, self.read_bytes / self.file_bytes)


@dataclass(frozen=True, slots=True)
class SourceSummary:
    source: str
    kind: SourceKind
    status: str  # "scanned" | "partial" | "skipped"
    tables: int = 0
    columns: int = 0
    dialect: str | None = None
    lines: int = 0  # logs: lines read (decompressed)
    bytes: int = 0  # logs: bytes read (decompressed)
    log_format: str | None = None
    rows: int = 0  # databases: rows sampled (0 with --schema-only)
    encoding: str | None = None  # logs: named by a byte-order mark (UTF-16LE…) and read as UTF-8; None: UTF-8
    notes: tuple[str, ...] = ()  # how the source was read, where it matters and nothing was lost
    sample: LogSample | None = None  # logs: only a sample was read (--log-sample)


@dataclass(frozen=True, slots=True)
class Report:
    schema_version: str
    tool_version: str
    rules_version: str
    generated_at: str
    policy: PolicyRef
    sources: tuple[SourceSummary, ...]
    skipped: tuple[Skipped, ...]
    verdicts: tuple[Verdict, ...]
    stale_declarations: tuple[StaleDeclaration, ...] = ()
    fail_on: str = "undeclared"
    data_map: DataMapRef | None = None
    show_data: bool = False  # samples hold raw personal values (--show-data)
    baseline: BaselineCheck | None = None  # --baseline
    changed_since: ChangedSince | None = None  # --changed-since: only findings in these files are listed
