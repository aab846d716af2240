"""Property-based tests: no input makes a reader or a detector raise, and what they report holds.

Inputs are arbitrary text and bytes, token soups that reach deep into the parsers, and the real
dumps and logs of tests/fixtures and examples/shop mutated (bits flipped, cut short, quotes,
comment markers, `$$`, NUL and backslashes inserted, slices repeated). Each property says what
the scanner promises about any input: statements in order on their lines, spans inside the text,
a problem reported as a skip with its reason and line. Scaling is in tests/unit/detect/test_linear_time.py.
"""

from __future__ import annotations

import itertools
import json
import operator
import tempfile
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from support.paths import REPO

from pdscan.declarations import DeclarationError
from pdscan.detect.column_values import ColumnProfiler, judge_column
from pdscan.detect.engine import Engine, compile_engine
from pdscan.detect.line_analyser import LineAnalyser
from pdscan.detect.names import NameClassifier
from pdscan.detect.text_values import values_in_text
from pdscan.detect.values import bundled_detector
from pdscan.model import LogRecord
from pdscan.policy import Policy, load_policy
from pdscan.ruleset.datatypes import bundled_rules
from pdscan.ruleset.log_rules import bundled_log_rules
from pdscan.ruleset.validators import VALIDATORS
from pdscan.ruleset.value_checks import CHECKS
from pdscan.scanner import ScanRequest, run_scan
from pdscan.sources.ddl.source import scan_ddl_text
from pdscan.sources.ddl.split import StatementSplitter
from pdscan.sources.logs.formats import FORMATS, detect_format, new_format
from pdscan.sources.logs.reader import MAGIC

ROOT = REPO
# Reproducible in CI: the same examples every run, nothing written to a .hypothesis database.
PROPERTY = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
DIALECTS = ("postgres", "mysql", "sqlite", "tsql", "generic")
SQL_FILES = sorted((ROOT / "tests/fixtures/ddl").rglob("*.sql")) + sorted((ROOT / "examples/shop").rglob("*.sql"))
LOG_FILES = [
    path
    for folder in ("tests/fixtures/logs", "examples/shop/logs")
    for path in sorted((ROOT / folder).rglob("*"))
    if path.suffix in (".log", ".jsonl")
]
SQL_CORPUS = [path.read_bytes() for path in SQL_FILES]
LOG_CORPUS = [b"".join(path.read_bytes().splitlines(keepends=True)[:40]) for path in LOG_FILES]
INSERTS = (b"'", b'"', b"`", b"[", b"]", b"(", b")", b"/*", b"*/", b"/*!40101 ", b"--", b"#", b"$$", b"$tag$")
INSERTS += (b"\x00", b"\\", b"\n", b"\r\n", b";", b"\nGO\n", b"\nDELIMITER //\n", b"\n\\.\n", b"{", b"}", b"=")
INSERTS += (b"\xff", "é".encode(), b"@", b"::", b"%40", b"\t", b" from ", b"cookie: ", b"user=", b"\n#Fields: ")
SQL_TOKENS = ("CREATE", "TABLE", "ALTER", "ADD", "COLUMN", "DROP", "RENAME", "TO", "COMMENT", "ON", "IS", "EXEC")
SQL_TOKENS += ("sp_rename", "IF", "NOT", "EXISTS", "AS", "SELECT", "VIRTUAL", "USING", "LIKE", "INHERITS", "KEY")
SQL_TOKENS += ("PRIMARY", "CONSTRAINT", "t", "email", "x.y", "int", "varchar(10)", "'a'", "N'b'", "@objname")
SQL_TOKENS += tuple(token.decode() for token in INSERTS if token.isascii())
SQL_TOKENS += (" ", " ", "\n", ",", ",", "(", ")", "COPY t FROM stdin;\n", "WITH TIME ZONE", "INHERITS (p)")
LOG_TOKENS = ("1.2.3.4", "2001:db8::1", "::", "::1", "alice@example.com", "a%40b.example", "4111 1111 1111 1111")
LOG_TOKENS += ("GB82 WEST 1234 5698 7654 32", "490154203237518", "00:1a:2b:3c:4d:5e", "+81 90-1234-5678")
LOG_TOKENS += ('"ip":', '"user":"bob"', "sid=abc123456", "Invalid user ", "Failed password for ", " from ")
LOG_TOKENS += ("Cookie: a=b; c=d", "Bearer abcdefghijklmnopqrstuv", "maps to host.example.net", "lat=35.6")
LOG_TOKENS += ("openssl ", "Firefox/", '"', "'", "[", "]", "{", "}", ",", ":", "=", " ", " ", "\t", "é", "\\")
LOG_TOKENS += ("<34>1 ", "Dec 10 06:55:46 host sshd[1]: ", '- - [25/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 5')


@st.composite
def mutated(draw: st.DrawFn, corpus: list[bytes]) -> bytes:
    """A real input after a few edits of the kinds that break naive readers."""
    data = bytearray(draw(st.sampled_from(corpus)))
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(data)))
        edit = draw(st.sampled_from(("flip", "truncate", "insert", "insert", "duplicate", "delete")))
        if edit == "flip" and data:
            data[min(at, len(data) - 1)] ^= 1 << draw(st.integers(0, 7))
        elif edit == "truncate":
            del data[at:]
        elif edit == "insert":
            data[at:at] = draw(st.sampled_from(INSERTS)) * draw(st.integers(1, 3))
        elif edit == "duplicate":
            data[at:at] = data[at : at + draw(st.integers(1, 200))] * draw(st.integers(2, 4))
        else:
            del data[at : at + draw(st.integers(1, 50))]
    return bytes(data)


def _soup(tokens: tuple[str, ...], size: int) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(tokens), max_size=size).map("".join)


def _as_text(data: bytes) -> str:
    return data.decode("utf-8", "replace")


SQL_TEXT = st.one_of(st.text(max_size=300), _soup(SQL_TOKENS, 80), mutated(SQL_CORPUS).map(_as_text))
LOG_TEXT = st.one_of(st.text(max_size=300), _soup(LOG_TOKENS, 40), mutated(LOG_CORPUS).map(_as_text))
LOG_BYTES = st.one_of(st.binary(max_size=400), _soup(LOG_TOKENS, 40).map(str.encode), mutated(LOG_CORPUS))


def _lines(text: str) -> int:
    return text.count("\n") + 1


# -- 1. SQL: the splitter and the DDL reader


def _start_on_line(text: str, statement: str, cursor: int, line: int) -> int | None:
    """Where `statement` (or its part before a trailing comment the splitter appended) stands
    in `text` at or after `cursor`, on `line`."""
    trailing = [i for i in range(len(statement)) if statement.startswith((" --", " #"), i)]
    for original in [statement, *(statement[:i] for i in reversed(trailing))]:
        at = text.find(original, cursor)
        while at >= 0 and text.count("\n", 0, at) + 1 <= line:
            if text.count("\n", 0, at) + 1 == line:
                return at + len(original)
            at = text.find(original, at + 1)
    return None


@PROPERTY
@given(text=SQL_TEXT, dialect=st.sampled_from(DIALECTS))
def test_statements_are_slices_of_the_text_in_order_each_on_its_line(text: str, dialect: str) -> None:
    splitter = StatementSplitter(text, dialect)
    cursor = 0
    for statement in splitter:
        assert statement.text and not statement.text[0].isspace(), statement
        end = _start_on_line(text, statement.text, cursor, statement.line)
        assert end is not None, f"{statement} is not in the text after offset {cursor} on its line"
        cursor = end
    assert all(1 <= problem.line <= _lines(text) and problem.message for problem in splitter.problems)


@PROPERTY
@given(text=st.text(alphabet="abc xyz\n\t;", max_size=200), dialect=st.sampled_from(DIALECTS))
def test_without_quotes_or_comments_statements_are_the_text_cut_at_semicolons(text: str, dialect: str) -> None:
    expected = []
    offset = 0
    for part in text.split(";"):
        body = part.lstrip()
        if body:
            at = offset + len(part) - len(body)
            expected.append((body, text.count("\n", 0, at) + 1))
        offset += len(part) + 1
    assert [(s.text, s.line) for s in StatementSplitter(text, dialect)] == expected


QUOTES = {"'": DIALECTS, '"': DIALECTS, "`": ("mysql", "sqlite", "generic")}  # the dialects quoting with it
QUOTED = st.sampled_from(sorted(QUOTES)).flatmap(
    lambda quote: st.tuples(
        st.just(quote), st.text(alphabet=f"ab ;\n{quote}", max_size=60), st.sampled_from(QUOTES[quote])
    )
)


@PROPERTY
@given(case=QUOTED)
@example(case=("'", "x;\n'a\n''", "postgres")).via("found: a string ending in an escaped quote passed for closed")
def test_a_quote_left_open_is_reported_once_with_its_line(case: tuple[str, str, str]) -> None:
    """Quotes pair up (`''` inside is one escaped quote): an odd count leaves the last one open."""
    quote, text, dialect = case
    splitter = StatementSplitter(text, dialect)
    list(splitter)
    assert [problem.line for problem in splitter.problems] == _open_quote_lines(text, quote), splitter.problems


def _open_quote_lines(text: str, quote: str) -> list[int]:
    """The line of the quote left open at the end, if any: inside quotes, a doubled one is escaped."""
    opened, index = None, 0
    while (index := text.find(quote, index)) >= 0:
        if opened is None:
            opened = index
        elif text.startswith(quote, index + 1):
            index += 1
        else:
            opened = None
        index += 1
    return [] if opened is None else [text.count("\n", 0, opened) + 1]


def _assert_schema_in_text(text: str, dialect: str | None) -> None:
    result = scan_ddl_text(text, source="s.sql", database="s.sql", dialect=dialect)
    lines = _lines(text)
    for skipped in result.skipped:
        assert skipped.source == "s.sql" and skipped.reason.strip(), skipped
        assert skipped.line is None or 1 <= skipped.line <= lines, skipped
    for table in result.tables:
        assert table.location.line is not None and 1 <= table.location.line <= lines, table
        assert all(column.location.line and 1 <= column.location.line <= lines for column in table.columns), table


@PROPERTY
@given(text=SQL_TEXT, dialect=st.sampled_from((None, *DIALECTS)))
def test_any_sql_text_gives_tables_and_skips_with_reasons_on_lines_of_the_text(text: str, dialect: str | None) -> None:
    _assert_schema_in_text(text, dialect)


@pytest.mark.parametrize("opening", ["[", "(", "$a$ ", "/*!"])
def test_a_create_table_too_long_or_deep_to_read_is_a_skip_with_its_line(opening: str) -> None:
    """sqlparse, the last resort for a CREATE TABLE nothing else reads, raises beyond 10,000
    tokens; MySQL's `/*!` comments were expanded inside each other, one recursion per level."""
    text = "CREATE TABLE a (x int);\n\nCREATE TABLE t (a " + opening * 12_000
    for dialect in DIALECTS:
        result = scan_ddl_text(text, source="s.sql", database="s.sql", dialect=dialect)
        assert [table.name for table in result.tables] == ["a"], dialect
        assert [skipped.line for skipped in result.skipped if "CREATE TABLE t" in skipped.reason] == [3], dialect


# -- 2. Log formats


@PROPERTY
@given(head=st.lists(LOG_TEXT, max_size=8), line=LOG_TEXT, header=st.sampled_from(("", "#Fields: ", "#fields\t")))
def test_every_format_splits_any_line_into_fields_inside_it(head: list[str], line: str, header: str) -> None:
    lines = [header + head[0], *head[1:]] if head and header else head
    assert detect_format([*lines, line]) in FORMATS
    for name in FORMATS:
        log_format = new_format(name, lines)
        assert log_format.header(line) in (True, False)
        fields = log_format.fields(line)
        assert fields is None or all(0 <= f.start <= f.end <= len(line) for f in fields), (name, fields)


# -- 3. Value detectors, the log line analyser, column values


VALUE_TEXT = st.one_of(st.text(max_size=200), _soup(LOG_TOKENS + tuple("0123456789.-:@% ") + ("١٢٣٤٥٦٧٨٩",), 40))


@PROPERTY
@given(text=VALUE_TEXT, other=VALUE_TEXT)
@example(text="0000:0000:0000:0", other="").via("found: Luhn on a separator (IndexError)")
@example(text="٤١١١١١١١١١١١١١١١", other="").via("found: Luhn on Arabic-Indic digits (IndexError)")
def test_validators_and_value_checks_answer_any_text_the_same_way_every_time(text: str, other: str) -> None:
    for name, validator in VALIDATORS.items():
        first = validator(text)
        validator(other)  # nothing carried over from another value
        assert first in (True, False) and validator(text) is first, name
    for name, check in CHECKS.items():
        first = check(text, "JP")
        check(other, "US")
        assert (first is None or isinstance(first, str)) and check(text, "JP") == first, name


@PROPERTY
@given(text=VALUE_TEXT)
@example(text="4111 1111 1111 1111 ١٢٣٤٥٦٧٨٩٠١٢٣٤٥").via("found: Arabic-Indic digits shaped like a card")
def test_found_values_are_disjoint_validated_slices_of_the_text(text: str) -> None:
    rules = {rule.name: rule for rule in bundled_rules().value_detectors}
    matches = bundled_detector().find(text)
    for before, after in itertools.pairwise(matches):
        assert before.end <= after.start, (before, after)
    for match in matches:
        rule = rules[match.detector]
        assert 0 <= match.start < match.end <= len(text) and text[match.start : match.end] == match.text, match
        assert match.data_type == rule.data_type and VALIDATORS[rule.validator](match.text), match


LOG_HEADERS = ("#Fields: c-ip cs(User-Agent) cs-username cs(Cookie) cs-uri-query", "#fields\tid.orig_h\tagent\turi")


@cache
def _log_tools() -> tuple[LineAnalyser, Engine]:
    analyser = LineAnalyser(bundled_rules().value_detectors, bundled_log_rules())
    return analyser, compile_engine(analyser.triggers)


@PROPERTY
@given(block=LOG_BYTES)
def test_the_line_analyser_reports_validated_values_inside_their_lines(block: bytes) -> None:
    analyser, engine = _log_tools()
    events = engine.scan(block)
    assert all(0 <= start <= end <= len(block) for _, start, end in events)
    kept = analyser.validated(block, events)
    for trigger, start, end in kept:
        assert 0 <= start <= end <= len(block)
        if trigger < len(analyser.values):
            rule = analyser.values[trigger].rule
            assert VALIDATORS[rule.validator](block[start:end].decode("utf-8", "replace")), block[start:end]
    value_rules = {value.rule.name: value.rule for value in analyser.values}
    formats = [new_format(name, LOG_HEADERS) for name in FORMATS]
    line_start = 0
    for raw in block.split(b"\n"):
        line_end = line_start + len(raw)
        in_line = sorted(  # as a log unit passes them: in the line, by start
            ((t, s - line_start, min(e, line_end) - line_start) for t, s, e in kept if line_start <= s < line_end),
            key=operator.itemgetter(1),
        )
        line = raw.decode("utf-8", "surrogateescape").rstrip("\r")
        for log_format in formats:
            fields = log_format.fields(line)
            read_keys = fields is not None and log_format.positional  # as a log unit reads them
            fields = fields if fields is not None else new_format("plain").fields(line)
            for found in analyser.analyse(line, fields, in_line, read_keys, exact_offsets=raw.isascii()):
                assert 0 <= found.start < found.end <= len(line), (log_format.name, found)
                assert line[found.start : found.end] == found.value, (log_format.name, found)
                if found.detector in value_rules:
                    assert VALIDATORS[value_rules[found.detector].validator](found.value), (log_format.name, found)
        line_start = line_end + 1


JSON_TEXT = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=30), st.sampled_from(LOG_TOKENS)),
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
).map(json.dumps)
COLUMN_VALUE = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.binary(max_size=40), VALUE_TEXT, JSON_TEXT
)


@PROPERTY
@given(values=st.lists(COLUMN_VALUE, max_size=30))
def test_any_column_values_give_a_profile_of_real_validated_samples(values: list[object]) -> None:
    profiler = ColumnProfiler(checks=("phone", "date"))
    for value in values:
        profiler.add(value)
    profile = profiler.result()
    texts = [v if isinstance(v, str) else str(v) for v in values if v is not None and not isinstance(v, bool)]
    assert profile.sampled == sum(1 for text in texts if text.strip())
    for tally in profile.types:
        assert 1 <= tally.matched <= profile.sampled and len(tally.samples) <= 3, tally
        for sample in tally.samples:
            whole = [m for m in bundled_detector().find(sample) if (m.start, m.end) == (0, len(sample))]
            in_a_phrase = any(match.text == sample for text in texts for match in values_in_text(text))
            assert whole or in_a_phrase, f"sample {sample!r} of {tally.data_type} is no value found in the texts"
    for judged in judge_column((), profile, lambda key: (), {}):
        assert judged.values is None or judged.values.matched <= judged.values.sampled


# -- 4. End to end: the scanner on a .sql and a .log file of any bytes


@pytest.fixture(scope="module")
def scan_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("any-bytes")


@cache
def _scan_tools() -> tuple[Policy, NameClassifier]:
    return load_policy(), NameClassifier.bundled()


FILE_BYTES = st.one_of(st.binary(max_size=600), mutated(SQL_CORPUS), mutated(LOG_CORPUS))


@settings(PROPERTY, max_examples=60)
@given(sql=FILE_BYTES, log=FILE_BYTES)
@example(sql=b"", log=b'{"\x80"0@0.aa}').via("found: a JSON key not UTF-8 named a finding (UnicodeEncodeError)")
def test_any_bytes_in_a_sql_file_and_a_log_file_scan_or_are_skipped_with_a_reason(
    scan_dir: Path, sql: bytes, log: bytes
) -> None:
    folder = Path(tempfile.mkdtemp(dir=scan_dir))
    (folder / "schema.sql").write_bytes(sql)
    (folder / "app.log").write_bytes(log)
    records: list[LogRecord] = []
    policy, classifier = _scan_tools()
    request = ScanRequest(targets=(str(folder / "schema.sql"), str(folder / "app.log")), jobs=1, show_data=True)
    try:
        report = run_scan(request, policy, None, classifier, on_record=records.append)
    except DeclarationError as error:  # an unknown purpose in a comment is an input error, by design
        assert all(p.path.startswith(str(folder)) and p.line >= 1 and p.message for p in error.problems), error
        return
    reasons: dict[str, list[str]] = {}
    for skipped in report.skipped:
        assert skipped.reason.strip(), skipped
        reasons.setdefault(Path(skipped.source).name, []).append(skipped.reason)
    # Text with NUL bytes is binary, unless it is a SQLite database or a compressed log (read inside).
    for name, data, read_inside in (("schema.sql", sql, (b"SQLite format 3\x00",)), ("app.log", log, tuple(MAGIC))):
        if b"\x00" in data[:8192] and not data.startswith(read_inside):
            assert any("binary" in reason for reason in reasons.get(name, [])), (name, reasons)
    if not log.startswith(tuple(MAGIC)):
        _assert_records_are_slices_of_their_lines(log, records)


def _assert_records_are_slices_of_their_lines(data: bytes, records: list[LogRecord]) -> None:
    lines = [raw.decode("utf-8", "surrogateescape").rstrip("\r") for raw in data.split(b"\n")]
    for record in records:
        assert 1 <= record.line <= len(lines), record
        for text in (record.value, record.field or ""):
            text.encode("utf-8")  # a lone surrogate raises here, as in every report writer
        line = lines[record.line - 1]
        assert 0 <= record.start < record.end <= len(line), (record, line)
        assert _shown(line[record.start : record.end]) == record.value, (record, line)


def _shown(text: str) -> str:
    """A value as a record shows it: bytes that were not UTF-8 as U+FFFD."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
