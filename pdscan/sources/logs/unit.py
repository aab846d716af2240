"""Scan one unit of log work: a whole file or stream, or a byte range of a large plain file.

This is what runs in each worker process. The engine marks lines where a trigger fired; only
those lines (every line for formats whose fields are known by position) are decoded, split
into fields and analysed. Counts and samples are kept per field and data type; occurrences
are kept one by one only when an output streams them (`--format ndjson`).
"""

from __future__ import annotations

import operator
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from functools import cache
from typing import BinaryIO

from pdscan.detect.engine import Engine, Event, compile_engine
from pdscan.detect.escapes import blank_escapes, blank_escapes_in_line
from pdscan.detect.field_memo import FieldMemo, field_memo
from pdscan.detect.line_analyser import LineAnalyser
from pdscan.ruleset.datatypes import ValueRule, bundled_rules
from pdscan.ruleset.log_rules import bundled_log_rules
from pdscan.sources.logs.columnar import ColumnMemo, column_memo
from pdscan.sources.logs.counting import FieldStats, Record, record
from pdscan.sources.logs.formats import LogFormat, detect_format, new_format
from pdscan.sources.logs.formats.json_fast import StructureMemo, structure_memo
from pdscan.sources.logs.paths import line_by_line
from pdscan.sources.logs.reader import (
    HEAD,
    PIECE,
    BinaryData,
    LogReadError,
    Transcoded,
    binary_reason,
    blocks,
    compression_of,
    decompressed,
    head_lines,
    is_binary,
    line_feeds,
    peek,
    text_stream,
)
from pdscan.sources.logs.sampling import FirstBytes
from pdscan.sources.logs.segments import SegmentReader
from pdscan.sources.logs.storage import open_binary

SLICE = 1 << 18  # 256 KiB of a block searched at a time: what bounds the matches held at once
STDIN_PATH = "-"
_START = operator.itemgetter(1)  # an event's start
RANGE_READAHEAD = 1 << 12  # a remote byte range is read in blocks as large as it: fetch little more


@dataclass(frozen=True)
class Unit:
    """A piece of work: `path` (a local path or a storage URL) from byte `start` for `length`
    bytes (None: to the end). Plain data: it is pickled to worker processes."""

    input_order: int  # which input (file) of the scan this unit belongs to
    path: str
    log_format: str
    head: tuple[str, ...]  # header lines (`#Fields:`) that name the fields of this file
    compression: str | None = None
    start: int = 0
    length: int | None = None
    size: int = 0  # bytes on disk this unit covers, for progress
    first_bytes: int | None = None  # --log-sample of a log not cut into pieces: its first bytes, to a line end


@dataclass
class UnitResult:
    lines: int = 0
    bytes_read: int = 0
    stats: dict[tuple[str | None, str], FieldStats] = field(default_factory=dict)
    records: list[Record] = field(default_factory=list)
    error: str | None = None
    log_format: str = ""
    encoding: str | None = None  # named by the log's byte-order mark, read as UTF-8 (None: UTF-8)
    cut_short: bool = False  # `first_bytes` were read and the log went on after them


@dataclass(frozen=True)
class UnitOptions:
    text_engine: str | None = None
    keep_records: bool = False
    show_data: bool = False
    value_rules: tuple[ValueRule, ...] = field(default_factory=lambda: bundled_rules().value_detectors)


@cache
def load_tools(engine_name: str | None, value_rules: tuple[ValueRule, ...]) -> tuple[LineAnalyser, Engine]:
    """Built once per process (and rule set): compiling the engine is the expensive part."""
    analyser = LineAnalyser(value_rules, bundled_log_rules())
    return analyser, compile_engine(analyser.triggers, engine_name)


def scan_unit(
    unit: Unit,
    options: UnitOptions,
    flush: Callable[[list[Record]], None] | None = None,
    on_read: Callable[[int], None] | None = None,
) -> UnitResult:
    """Read the unit and analyse its lines; a read error ends it with what was found so far.

    With `flush` (a unit read in this process, such as a never-ending standard input), records
    are handed over block by block instead of held until the end. With `on_read` (a unit read
    in this process), the bytes of the unit read from disk so far (compressed bytes for a
    compressed log: what its size counts) are told after each block is analysed, so a progress
    bar moves through one large file.
    """
    analyser, engine = load_tools(options.text_engine, options.value_rules)
    result = UnitResult()
    try:
        if unit.path == STDIN_PATH:
            unit = replace(unit, compression=compression_of(peek(sys.stdin.buffer)))
            _scan_stream(sys.stdin.buffer, unit, options, analyser, engine, result, flush)
        else:
            with open_binary(unit.path, RANGE_READAHEAD if unit.length is not None else None) as raw:
                raw.seek(unit.start)
                told = None if on_read is None else lambda: on_read(raw.tell() - unit.start)
                _scan_stream(raw, unit, options, analyser, engine, result, flush, told)
    except LogReadError as error:
        result.error = f"{_what(unit.compression)} after line {result.lines:,}: {error}"
    except BinaryData as error:
        result.error = str(error)
    except OSError as error:
        result.error = f"cannot read: {error.strerror or error}"
    for stats in result.stats.values():
        stats.sampled.clear()  # raw values stay in the unit
    return result


def _what(compression: str | None) -> str:
    return f"corrupt or truncated {compression} data" if compression else "read error"


def _scan_stream(
    raw: BinaryIO,
    unit: Unit,
    options: UnitOptions,
    analyser: LineAnalyser,
    engine: Engine,
    result: UnitResult,
    flush: Callable[[list[Record]], None] | None,
    told: Callable[[], None] | None = None,
) -> None:
    compression = unit.compression
    stream = decompressed(raw, compression)
    if unit.start == 0:  # a range of a large file starts after any mark: a file with one is not cut
        stream, result.encoding = text_stream(stream)
    lines = stream if unit.length is not None else line_feeds(stream)  # one with lone CRs is not cut
    first = lines if unit.first_bytes is None else FirstBytes(lines, unit.first_bytes)
    try:
        _scan_blocks(first, unit, options, analyser, engine, result, flush, told)  # type: ignore[arg-type]
    finally:
        if isinstance(stream, Transcoded):  # the log's own bytes, not their UTF-8
            result.bytes_read = stream.bytes_read
        result.cut_short = isinstance(first, FirstBytes) and first.cut_short


def _scan_blocks(
    stream: BinaryIO,
    unit: Unit,
    options: UnitOptions,
    analyser: LineAnalyser,
    engine: Engine,
    result: UnitResult,
    flush: Callable[[list[Record]], None] | None,
    told: Callable[[], None] | None,
) -> None:
    compression = unit.compression
    ends_with_break = True
    carried = 0  # characters of the current line read in earlier pieces (a line longer than a block)
    reading: _Reading | None = None
    eager = unit.path == STDIN_PATH
    for block in blocks(stream, unit.length, piece=PIECE if compression else None, eager=eager):
        if reading is None and unit.path == STDIN_PATH and is_binary(block[:HEAD]):
            raise BinaryData(binary_reason(block[:HEAD], "data"))
        if reading is None:
            reading = _Reading(analyser, engine, _format_for(unit, block), options, result)
            result.log_format = reading.log_format.name
        for piece in _slices(block):
            result.bytes_read += len(piece)
            if not reading.read_by_values(piece, carried):
                searchable = blank_escapes(piece) if reading.log_format.escapes else piece
                candidates = analyser.validated(searchable, engine.scan(searchable))
                reading.read(piece, candidates, carried)
            if flush is not None and result.records:
                flush(result.records)
                result.records = []
            newlines = piece.count(b"\n")
            result.lines += newlines
            ends_with_break = piece.endswith(b"\n")
            if ends_with_break:
                carried = 0
            else:  # a piece of an over-long line: counted in characters, as offsets in a line are
                last_line = len(piece[piece.rfind(b"\n") + 1 :].decode("utf-8", "surrogateescape"))
                carried = last_line + (carried if not newlines else 0)
        if told is not None:
            told()
    if not ends_with_break:
        result.lines += 1  # a last line without a line break


def _slices(block: bytes) -> Iterator[bytes]:
    """The block in slices of about SLICE bytes, each ending at a line break (the last where the
    block ends). The engine's matches are held per slice: a rule matching every word of a 4 MiB
    block would hold millions of them. A line longer than a slice stays whole."""
    start = 0
    while len(block) - start > SLICE:
        cut = block.rfind(b"\n", start, start + SLICE) + 1 or block.find(b"\n", start + SLICE) + 1
        if not cut:
            break
        yield block[start:cut]
        start = cut
    if start < len(block):
        yield block[start:]


def _format_for(unit: Unit, first_block: bytes) -> LogFormat:
    """The unit's format; standard input is known only by its first block."""
    if unit.log_format:
        return new_format(unit.log_format, unit.head)
    # A block ends at a line break, or at the end of the stream, or inside a line too long to hold.
    lines = head_lines(first_block[:HEAD], cut=len(first_block) > HEAD) or [""]
    return new_format(detect_format(lines), [line for line in lines if line.startswith("#")])


def _lines_to_read(block: bytes, events: list[Event], every_line: bool) -> Iterator[tuple[int, bytes, list[Event]]]:
    """(1-based line number within the block, line bytes, events with offsets in the line)."""
    events = sorted(events, key=_START)
    if every_line:
        yield from _every_line(block, events)
        return
    line_start = line_end = -1
    newlines = 0  # line breaks before line_start
    counted_to = 0
    in_line: list[Event] = []
    for trigger, start, end in events:
        if not line_start <= start < line_end:
            if in_line:
                yield newlines + 1, block[line_start:line_end], in_line
            line_start = block.rfind(b"\n", 0, start) + 1
            line_end = block.find(b"\n", start)
            if line_end < 0:
                line_end = len(block)
            newlines += block.count(b"\n", counted_to, line_start)
            counted_to = line_start
            in_line = []
        in_line.append((trigger, start - line_start, min(end, line_end) - line_start))
    if in_line:
        yield newlines + 1, block[line_start:line_end], in_line


def _every_line(block: bytes, events: list[Event]) -> Iterator[tuple[int, bytes, list[Event]]]:
    """Every line of the block, each with the events inside it."""
    position = 0
    index = 0
    for number, line in enumerate(block.split(b"\n"), start=1):
        end = position + len(line)
        if end == len(block) and not line:
            return  # after the block's last line break
        in_line = []
        while index < len(events) and events[index][1] <= end:
            trigger, start, stop = events[index]
            in_line.append((trigger, start - position, min(stop, end) - position))
            index += 1
        yield number, line, in_line
        position = end + 1


class _Reading:
    """How one unit's lines are read: its format, the memos its lines' verdicts are kept in,
    and where the occurrences found go."""

    def __init__(
        self, analyser: LineAnalyser, engine: Engine, log_format: LogFormat, options: UnitOptions, result: UnitResult
    ):
        self.analyser = analyser
        self.log_format = log_format
        self.show_data = options.show_data
        self.result = result
        self.keep_records = options.keep_records
        fast = not line_by_line()  # the switch read once per unit: every memo below follows it
        self.memo: ColumnMemo | None = column_memo(analyser) if log_format.positional and fast else None
        # Occurrences streamed one by one (`--format ndjson`) are placed by the column memo.
        by_values = self.memo is not None and not options.keep_records
        self.segments = SegmentReader(analyser, engine, log_format, options.show_data) if by_values else None
        self.structure: StructureMemo | None = structure_memo(log_format.name, analyser) if fast else None
        self.by_field: FieldMemo | None = field_memo(analyser) if self.structure is not None else None

    @property
    def records(self) -> list[Record] | None:
        """Where occurrences go one by one, if kept: the result's list, which a flush replaces."""
        return self.result.records if self.keep_records else None

    def read_by_values(self, piece: bytes, carried: int) -> bool:
        """Read the slice by its columns' distinct values, where that path takes it."""
        if self.segments is None:
            return False
        return self.segments.read(piece, self.result.lines, carried, self.result.stats, self.analyse)

    def read(self, piece: bytes, candidates: list[Event], carried: int) -> None:
        """The lines of one slice; `carried`: characters of its first line read in earlier slices."""
        first = self.result.lines
        for number, line, events in _lines_to_read(piece, candidates, self.log_format.positional):
            self.analyse(line, first + number, carried if number == 1 else 0, events)

    def analyse(self, raw_line: bytes, number: int, shift: int, events: list[Event]) -> None:
        """One line, by its column values where that is exact, else read whole (its fields
        remembered one by one for JSON lines)."""
        line = raw_line.decode("utf-8", "surrogateescape").rstrip("\r")
        log_format, structure = self.log_format, self.structure
        searchable = blank_escapes_in_line(line) if log_format.escapes else line
        if line.startswith("#") and log_format.header(line):
            return
        ascii_line = raw_line.isascii()
        records = self.records
        fields = log_format.fields(line) if structure is None else structure.fields(line, events, ascii_line)
        from_format = fields is not None
        if fields is None:
            fields = new_format("plain").fields(line) or []
            every_key = False
        else:
            every_key = log_format.positional
            memo = self.memo
            # no escape blanked in it: its column values are what reading it whole would search
            if memo is not None and ascii_line and (searchable is line or searchable == line):
                verdicts = memo.occurrences(line, fields, events)
                if verdicts is not None:  # judged by column values, as reading the whole line would
                    for verdict, offset in verdicts:
                        for occurrence in verdict:
                            record(self.result.stats, occurrence, number, shift + offset, self.show_data, records)
                    return
        found = None
        if self.by_field is not None and from_format and ascii_line:  # a JSON line: its fields' verdicts remembered
            found = self.by_field.occurrences(searchable, fields, events, every_key)
        if found is None:
            found = self.analyser.analyse(searchable, fields, events, every_key, exact_offsets=ascii_line)
        for occurrence in found:
            if searchable is not line:  # shown as written
                occurrence = occurrence._replace(value=line[occurrence.start : occurrence.end])
            record(self.result.stats, occurrence, number, shift, self.show_data, records)
