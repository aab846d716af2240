"""Readers and detectors take time linear in their input, on the shapes that make naive ones
quadratic: runs of quotes, `[`, `/*`, `$tag$` without their end, long runs of digits, `@`, `.`
and `:`, repeated `key=` pairs, deep JSON, many values on one line.

Each case is timed (CPU time, best of three) on size n and on size 8n: linear code takes about 8
times as long, quadratic code 64 times. The limit, 24, leaves room for noise on a shared
machine and still catches a quadratic step. n grows until the small case takes 20 ms, so timer
resolution and start-up costs do not decide the ratio.
"""

from __future__ import annotations

import gc
import json
import time
from collections.abc import Callable, Sized
from functools import cache
from typing import Any

import pytest

from pdscan.detect.column_values import ColumnProfiler
from pdscan.detect.engine import Engine, compile_engine
from pdscan.detect.line_analyser import LineAnalyser
from pdscan.detect.masking import mask_name
from pdscan.detect.text_values import _in_part, values_in_name, values_in_text
from pdscan.detect.values import ValueDetector, bundled_detector
from pdscan.ruleset.datatypes import bundled_rules
from pdscan.ruleset.identifiers import split_identifier
from pdscan.ruleset.log_rules import bundled_log_rules
from pdscan.ruleset.validators import VALIDATORS
from pdscan.ruleset.value_checks import CHECKS
from pdscan.sources.ddl.dialect import detect_dialect
from pdscan.sources.ddl.parser import tokenize
from pdscan.sources.ddl.source import scan_ddl_text
from pdscan.sources.ddl.split import StatementSplitter
from pdscan.sources.logs.formats import FORMATS, detect_format, new_format

pytestmark = pytest.mark.slow  # each case times inputs growing eightfold, seconds apiece

GROWTH = 8
LIMIT = 24  # linear: 8, quadratic: 64
MIN_SECONDS = 0.02
# Still under MIN_SECONDS at this size, a case is fast enough whatever its shape: quadratic work
# on a quarter of a million characters takes seconds.
MAX_SIZE = 1 << 18
Shape = Callable[[int], Sized]
DIALECTS = ("postgres", "mysql", "sqlite", "tsql", "generic")
DOLLAR_TAGS = "".join(f"$t{number}$ " for number in range(200_000))  # each opens a body never closed
SWALLOWING_TAGS = "".join(f"$t{number:05}$;\nCREATE " for number in range(100_000))  # each before a statement


def _seconds(run: Callable[[Any], object], argument: Sized, repeat: int, enough: float = 0.0) -> float:
    """The least CPU time of `repeat` runs (stopping early once one takes less than `enough`)."""
    best = float("inf")
    gc.collect()
    gc.disable()
    try:
        for _ in range(repeat):
            start = time.process_time()
            run(argument)
            best = min(best, time.process_time() - start)
            if best < enough:
                break
    finally:
        gc.enable()
    return best


def assert_linear(run: Callable[[Any], object], shape: Shape, n: int = 64) -> None:
    """`run` on shape(8n) takes less than LIMIT times as long as on shape(n)."""
    argument = shape(n)
    run(argument)  # compiled patterns, caches: what the first call costs is not what is measured
    while (seconds := _seconds(run, argument, 1)) < MIN_SECONDS:
        if _size(argument) >= MAX_SIZE:
            return
        n *= 4 if seconds < MIN_SECONDS / 8 else 2
        argument = shape(n)
    small = min(seconds, _seconds(run, argument, 2))
    large = _seconds(run, shape(GROWTH * n), 3, enough=LIMIT * small)
    ratio = large / small
    print(f"n={n}: {small * 1000:.1f} ms, {GROWTH}n: {large * 1000:.1f} ms, ratio {ratio:.1f}")  # pytest -s shows it
    assert ratio < LIMIT, f"{GROWTH}x the input took {ratio:.0f}x the time (n={n}, {small * 1000:.1f} ms)"


def _size(argument: Sized) -> int:
    return sum(len(item) for item in argument) if isinstance(argument, list) else len(argument)


# -- SQL

# Each shape in the dialects whose tokens it plays with, and one where they mean nothing.
SPLITTER_SHAPES: dict[str, tuple[tuple[str, ...], Shape]] = {
    "quotes ending in a backslash": (("mysql", "postgres"), lambda n: "'" * n + "\\"),
    "escaped quotes never closed": (("mysql", "postgres"), lambda n: "'\\" * n),
    "brackets never closed": (DIALECTS, lambda n: "[" * n),
    "comments never closed": (("mysql", "postgres"), lambda n: "/*" * n),
    "executable comments never closed": (("mysql", "postgres"), lambda n: "/*!" * n),
    "line comments": (("mysql", "postgres"), lambda n: "-- x;\n# y;\n" * n),
    "dollar tags never closed": (("postgres", "generic", "mysql"), lambda n: DOLLAR_TAGS[: 5 * n]),
    "backticks and double quotes": (("mysql", "tsql"), lambda n: '`"' * n),
    "statements": (("generic",), lambda n: "a;\n" * n),
    "GO batches": (("tsql", "postgres"), lambda n: "a\nGO\n" * n),
    "DELIMITER commands": (("mysql",), lambda n: "DELIMITER ;;\na;;\nDELIMITER ;\n" * n),
    "a COPY without its end": (("postgres", "generic"), lambda n: "COPY t (a) FROM stdin;\n" + "x\t'y\n" * n),
    # Each quote swallows a statement start and the text ends inside one: read again from each.
    "quotes swallowing statements": (DIALECTS, lambda n: "x ';\nCREATE " * n),
    "comments swallowing statements": (("mysql", "postgres"), lambda n: "/*;\nDROP " * n),
    "dollar tags swallowing statements": (("postgres", "generic"), lambda n: SWALLOWING_TAGS[: 17 * n]),
    "open quotes before GO": (("tsql",), lambda n: "'\nGO\nALTER " * n),
}


@pytest.mark.parametrize(
    ("dialect", "name"), [(dialect, name) for name, (dialects, _) in SPLITTER_SHAPES.items() for dialect in dialects]
)
def test_splitting_is_linear(dialect: str, name: str) -> None:
    assert_linear(lambda text: list(StatementSplitter(text, dialect)), SPLITTER_SHAPES[name][1])


DDL_SHAPES: dict[str, tuple[str, Shape]] = {
    "escaped quotes (mysql)": ("mysql", lambda n: "CREATE TABLE t (a " + "'\\" * n),
    "brackets (tsql)": ("tsql", lambda n: "CREATE TABLE t (a " + "[" * n),
    "brackets (sqlite)": ("sqlite", lambda n: "CREATE TABLE t (a " + "[" * n),
    "dollar tags": ("postgres", lambda n: "CREATE TABLE t (a " + DOLLAR_TAGS[: 5 * n]),
    "parentheses": ("generic", lambda n: "CREATE TABLE t (a " + "(" * n),
    "comments never closed": ("postgres", lambda n: "CREATE TABLE t (a " + "/*" * n),
    "executable comments": ("mysql", lambda n: "CREATE TABLE t (a " + "/*!" * n),
    "words": ("sqlite", lambda n: "CREATE TABLE t (a " + "b " * n),
    "a long name": ("tsql", lambda n: "CREATE TABLE " + "t" * n + " (a int);"),
    "a comment on every column": ("postgres", lambda n: "CREATE TABLE t (\n" + "c int, -- c\n" * n + "z int);"),
    "many columns": ("mysql", lambda n: "CREATE TABLE t (" + "c int, " * n + "z int);"),
    "repeated COLUMN words": ("postgres", lambda n: "ALTER TABLE t ADD " + "COLUMN " * n + "x int;"),
    "a long type": ("postgres", lambda n: "ALTER TABLE t ADD x " + "y " * n + ";"),
    "many ALTER actions": ("postgres", lambda n: "ALTER TABLE t " + "ADD c int, " * n + "ADD z int;"),
    "a table created again and again": (
        "mysql",
        lambda n: "CREATE TABLE t (a int);\nCREATE TABLE IF NOT EXISTS t (b int);\n" * n,
    ),
    "a stray quote before many quotes": (
        "postgres",
        lambda n: "CREATE TABLE s (a text DEFAULT 'x);\n" + "CREATE TABLE t (b text DEFAULT 'y');\n" * n,
    ),
}


@pytest.mark.parametrize("name", DDL_SHAPES)
def test_reading_ddl_is_linear(name: str) -> None:
    dialect, shape = DDL_SHAPES[name]
    assert_linear(lambda text: scan_ddl_text(text, source="s", database="s", dialect=dialect), shape)


TOKEN_SHAPES: dict[str, tuple[tuple[str, ...], Shape]] = {
    "escaped quotes never closed": (("mysql", "postgres"), lambda n: "'\\" * n),
    "brackets never closed": (("tsql", "postgres"), lambda n: "[" * n),
    "dollar tags never closed": (("postgres", "mysql"), lambda n: DOLLAR_TAGS[: 5 * n]),
    "executable comments in executable comments": (("mysql", "postgres"), lambda n: "/*!" * n),
}


@pytest.mark.parametrize(
    ("dialect", "name"), [(dialect, name) for name, (dialects, _) in TOKEN_SHAPES.items() for dialect in dialects]
)
def test_tokenizing_a_statement_is_linear(dialect: str, name: str) -> None:
    assert_linear(lambda text: tokenize(text, dialect), TOKEN_SHAPES[name][1])


@pytest.mark.parametrize(
    "shape",
    [
        lambda n: "COPY " * n,
        lambda n: "[a " * n,
        lambda n: "$a" * n,
        lambda n: "`a " * n,
        lambda n: "\n" * n,
        lambda n: " \n" * n + "GO x",
    ],
    ids=["COPY", "brackets", "dollars", "backticks", "blank lines", "blank lines before GO"],
)
def test_dialect_detection_is_linear(shape: Shape) -> None:
    assert_linear(detect_dialect, shape)


# -- Logs

LINE_SHAPES: dict[str, Shape] = {
    'key=" pairs': lambda n: 'a=" ' * n,
    "key=key= runs": lambda n: "a=" * n,
    "nested JSON with values": lambda n: '{"a":' * n + "1," * n + "}" * n,
    "a JSON array of values": lambda n: '{"a":[' + "1," * n + "1]}",
    "brackets": lambda n: "[" * n + "]",
    "quotes and backslashes": lambda n: '\\"' * n + "}",
    "spaces": lambda n: "a " * n,
}


@pytest.mark.parametrize("name", LINE_SHAPES)
def test_log_formats_read_a_line_in_linear_time(name: str) -> None:
    parsers = [new_format(format_name, ["#Fields: a b c", "#fields\ta\tb"]) for format_name in FORMATS]
    assert_linear(lambda line: [parser.fields(line) for parser in parsers], LINE_SHAPES[name])


def test_format_detection_is_linear() -> None:
    assert_linear(detect_format, lambda n: ['a=" {"a":[' * n] * 100)


VALUE_SHAPES: dict[str, Shape] = {
    "card numbers": lambda n: "4111 1111 1111 1111 " * n,
    "addresses": lambda n: "192.0.2.1 " * n,
    "e-mail addresses": lambda n: "ann@example.com " * n,
    "digits": lambda n: "1" * n,
    "digits and spaces": lambda n: "1 " * n,
    "dotted digits": lambda n: "1." * n,
    "dots": lambda n: "a" + "." * n + "a",
    "at signs": lambda n: "a@" * n,
    "encoded at signs": lambda n: "a%40" * n,
    "dotted domain": lambda n: "a@b" + ".a" * n,
    "colons": lambda n: ":" * n,
    "hex and colons": lambda n: "a:" * n,
    "IBAN-like": lambda n: "GB82 " + "WEST " * n,
}


@pytest.mark.parametrize("name", VALUE_SHAPES)
def test_value_detection_is_linear(name: str) -> None:
    detector = ValueDetector(bundled_rules().value_detectors)
    assert_linear(lambda text: detector._find(text), VALUE_SHAPES[name])  # `find` would remember the text


@pytest.mark.parametrize("name", [*VALIDATORS, *CHECKS])
def test_validators_and_value_checks_are_linear(name: str) -> None:
    check = VALIDATORS.get(name) or (lambda text: CHECKS[name](text, "JP"))
    assert_linear(lambda text: check(text), lambda n: "1a.:@-" * n + "1")


@cache
def _log_tools() -> tuple[LineAnalyser, Engine]:
    analyser = LineAnalyser(bundled_rules().value_detectors, bundled_log_rules())
    return analyser, compile_engine(analyser.triggers)


def _analyse_block(block: bytes) -> None:
    """What a log unit does with a block: validate the engine's candidates, analyse each line."""
    analyser, engine = _log_tools()
    analyser._candidates.clear()  # remembered candidates would hide the work of the second run
    kept = sorted(analyser.validated(block, engine.scan(block)), key=lambda event: event[1])
    line_start = 0
    for raw in block.split(b"\n"):
        line_end = line_start + len(raw)
        events = [(t, s - line_start, min(e, line_end) - line_start) for t, s, e in kept if line_start <= s < line_end]
        line = raw.decode("utf-8", "surrogateescape")
        fields = new_format("json").fields(line) or new_format("plain").fields(line)
        analyser.analyse(line, fields, events, False, exact_offsets=raw.isascii())
        line_start = line_end + 1


BLOCK_SHAPES: dict[str, Shape] = {
    "a key word repeated": lambda n: b"user" * n,
    "addresses after a non-ASCII character": lambda n: "é ".encode() + b"192.0.2.1 " * n,
    "far apart after a non-ASCII character": lambda n: "é".encode() + (b"x" * 200 + b" 192.0.2.1 ") * n,
    "JSON fields named by a key": lambda n: b"{" + b'"ip":"192.0.2.1",' * n + b"}",
    "phrases and keyed fields": lambda n: b"{" + b'"m":"Invalid user bob from x","ip":"192.0.2.1",' * n + b"}",
    "cookie phrases": lambda n: b"Cookie: a " * n,
    "a cookie header then white space": lambda n: b"Cookie: " + b" " * n + b"\n",
    "a cookie key then white space": lambda n: b'{"Cookie: ' + b" " * n + b'":1}',
    "overlapping values": lambda n: b"GB82WEST12345698765432 " * n,
    "e-mail addresses": lambda n: b"ann@example.com " * n,
    "key=value pairs": lambda n: b"msg " + b"user=bob&sid=abcdef123456 " * n,
    "colons": lambda n: b":" * n,
    "digits": lambda n: b"1" * n,
    "a long token": lambda n: b"user=" + b"x" * n,
}


@pytest.mark.parametrize("name", BLOCK_SHAPES)
def test_log_line_analysis_is_linear(name: str) -> None:
    assert_linear(_analyse_block, BLOCK_SHAPES[name])


@pytest.mark.parametrize(
    "shape",
    [lambda n: "[" * n + "]" * n, lambda n: json.dumps({"a": ["ann@example.com"] * n}), lambda n: "a@b.example " * n],
    ids=["deep JSON", "a long JSON array", "a long text"],
)
def test_column_values_are_read_in_linear_time(shape: Shape) -> None:
    detector = ValueDetector(bundled_rules().value_detectors)

    def profile(value: str) -> None:
        detector.find.cache_clear()
        ColumnProfiler(detector=detector).add(value)

    assert_linear(profile, shape)


@pytest.mark.parametrize("shape", [lambda n: "A" * n, lambda n: "Av" * n, lambda n: "ABs" * n, lambda n: "a_" * n])
def test_identifiers_split_in_linear_time(shape: Shape) -> None:
    assert_linear(split_identifier.__wrapped__, shape)


@pytest.mark.parametrize(
    "shape",
    [
        lambda n: ".a" * n + "!1234",  # extensions that never reach the end of the name
        lambda n: "x_" * n + "4111111111111111",
        lambda n: "a-1" * n + "@",
        lambda n: "1." * n + "x@",
        lambda n: "d1234/" * n,
    ],
)
def test_names_are_masked_in_linear_time(shape: Shape) -> None:
    """A table name or a file path is attacker-chosen and unbounded in a DDL file."""

    def masked(name: str) -> None:
        for cached in (mask_name, values_in_name, _in_part, values_in_text, bundled_detector().find):
            cached.cache_clear()
        mask_name(name)

    assert_linear(masked, shape)
