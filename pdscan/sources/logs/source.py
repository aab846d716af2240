"""The log source: files, rotated and compressed copies, and standard input, across processes.

Each file is sniffed once (compression, binary, format), then cut into units: a compressed
file or a small one is one unit, a large plain file is cut into byte ranges at line breaks so
several processes share it (`range_count`). Units run on an execution engine (`--engine`: a
process pool of `--jobs`, or a Dask cluster; see pdscan.sources.logs.execution) and come back
in order, so line numbers, first and last occurrences, and the streamed records are exactly what one
process reading the files in turn would give.
"""

from __future__ import annotations

import concurrent.futures
import os
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import BinaryIO, NamedTuple, Protocol

from pdscan.model import LogRecord, LogSample, Skipped, SourceKind, SourceSummary
from pdscan.ruleset.datatypes import ValueRule, bundled_rules
from pdscan.sentences import skipped_because
from pdscan.sources.discovery import LogInput
from pdscan.sources.logs.counting import SAMPLES, FieldStats, Record
from pdscan.sources.logs.execution.interface import (
    DASK,
    LOCAL,
    ExecutionSettings,
    Executor,
    available_cores,
    open_executor,
)
from pdscan.sources.logs.formats import SAMPLE_LINES, detect_format, new_format
from pdscan.sources.logs.reader import (
    HEAD,
    compression_of,
    decompressed,
    encoding_of,
    head_lines,
    head_of,
    is_binary,
    lone_carriage_returns,
    looks_like_utf16,
    transcoded_head,
)
from pdscan.sources.logs.sampling import LINE_SEARCH, sample_pieces
from pdscan.sources.logs.storage import open_binary, shown_location, size_of
from pdscan.sources.logs.unit import (
    STDIN_PATH,
    Unit,
    UnitOptions,
    UnitResult,
    load_tools,
    scan_unit,
)

RANGE = 1 << 23  # at most 8 MiB per unit of a large plain file: enough units to keep every process busy
SMALLEST_RANGE = 8  # a file is not cut into ranges under RANGE / this (1 MiB): they cost more to start than they share
HEADERS_CARRIED = 8  # header lines a range is primed with, the last before it: the last one names its fields
SEARCH_PIECE = 1 << 22  # read at a time when looking for the header lines before each range
STDIN_IDENTITY = "<stdin>"
SNIFFERS = 32  # remote objects sniffed at once: round trips overlap, the storage is not flooded


def _by_data_type(data_type: str) -> str:
    return data_type


def _no_note(note: str) -> None:
    pass


@dataclass(frozen=True)
class LogScanOptions:
    jobs: int = 1
    log_format: str | None = None
    text_engine: str | None = None
    show_data: bool = False
    # Data types counted as one finding per field (the scanner passes the policy's category).
    group_of: Callable[[str], str] = _by_data_type
    value_rules: tuple[ValueRule, ...] = field(default_factory=lambda: bundled_rules().value_detectors)
    engine: str = LOCAL  # where units run: `local` (a process pool of `jobs`) or `dask`
    scheduler: str | None = None  # dask: a running cluster's scheduler; None: a local cluster of `jobs` workers
    on_note: Callable[[str], None] = _no_note  # a line for the user (the Dask dashboard link)
    sample: int | None = None  # --log-sample: bytes read of each log larger than this (see sampling)

    @property
    def execution(self) -> ExecutionSettings:
        return ExecutionSettings(self.engine, self.jobs, self.scheduler, self.on_note)


@dataclass(frozen=True)
class LogField:
    """A data type found in one field (None: free text) of one log, over all its files."""

    identity: str
    field: str | None
    data_type: str
    count: int
    first: str  # "file:line"
    last: str
    samples: tuple[str, ...]
    detectors: tuple[tuple[str, int], ...]  # (rule, occurrences), most frequent first


@dataclass(frozen=True)
class LogScan:
    fields: tuple[LogField, ...]
    summaries: tuple[SourceSummary, ...]
    skipped: tuple[Skipped, ...]


class Progress(Protocol):
    """Told how much there is to read (bytes, and tasks on a cluster) before the workers start,
    so a scan stopped at any moment can say how far it got; shown once they have started (a
    display thread must not exist when the pool forks); then told as each piece is read (with
    the tasks finished so far)."""

    def plan(self, total: int, tasks: int | None = None) -> None: ...

    def start(self) -> None: ...

    def advance(self, done: int, tasks_done: int = 0) -> None: ...


@dataclass
class _Merged:
    stats: FieldStats
    first_at: tuple[int, int] = (0, 0)  # (input order, line): reading order across rotated copies
    last_at: tuple[int, int] = (0, 0)
    data_types: Counter[str] = field(default_factory=Counter)


@dataclass
class _InputState:
    log_input: LogInput
    log_format: str
    lines: int = 0
    bytes_read: int = 0
    encoding: str | None = None
    error: str | None = None
    file_bytes: int = 0
    sampling: str | None = None  # --log-sample: "pieces" of a plain log, or its "first" bytes
    cut_short: bool = False  # its first bytes were read and it went on after them
    merged: dict[tuple[str | None, str], _Merged] = field(default_factory=dict)


def scan_logs(
    inputs: Sequence[LogInput],
    options: LogScanOptions,
    on_record: Callable[[LogRecord], None] | None = None,
    progress: Progress | None = None,
    on_skip: Callable[[Skipped], None] = lambda skipped: None,
) -> LogScan:
    """Scan every log; a file that cannot be read becomes a Skipped, never an abort."""
    unit_options = UnitOptions(options.text_engine, on_record is not None, options.show_data, options.value_rules)
    load_tools(options.text_engine, options.value_rules)  # compiled once here, inherited by forked workers
    skipped: list[Skipped] = []
    states: list[_InputState] = []
    units: list[Unit] = []
    for planned in _plans(inputs, options.log_format, options.on_note, options.sample, _processes(options.execution)):
        if isinstance(planned, Skipped):
            on_skip(planned)
            skipped.append(planned)
            continue
        log_input, plan = planned
        states.append(_InputState(log_input, plan.log_format, file_bytes=plan.file_bytes, sampling=plan.sampling))
        units.extend(plan.units)

    def stream(unit: Unit, records: list[Record]) -> None:
        if on_record is not None:
            _emit(states[unit.input_order], records, on_record)

    pooled = [unit for unit in units if unit.path != STDIN_PATH]
    executor = open_executor(options.execution, pooled)
    told = _ToldProgress(progress, executor) if progress is not None else None
    if progress is not None:
        progress.plan(sum(unit.size for unit in units), executor.tasks)
    with executor:  # the pool is forked (or the cluster started) before the progress bar starts its thread
        if progress is not None:
            progress.start()
        for unit, result in _run(units, pooled, unit_options, executor, stream, told.read if told else None):
            state = states[unit.input_order]
            _merge(state, unit, result, on_record)
            if told is not None:
                told.finished(unit)

    summaries = []
    for state in states:
        path = _display(state.log_input)
        nothing_read = bool(state.error) and not state.bytes_read  # e.g. a file a Dask worker cannot see
        if state.error:
            message = "skipped.log_error_nothing_read" if nothing_read else "skipped.log_error_after"
            problem = skipped_because(path, message, (("error", state.error),), state.lines or None)
            on_skip(problem)
            skipped.append(problem)
        summaries.append(
            SourceSummary(
                source=path,
                kind=SourceKind.LOG,
                status="skipped" if nothing_read else "partial" if state.error else "scanned",
                lines=state.lines,
                bytes=state.bytes_read,
                log_format=state.log_format,
                encoding=state.encoding,
                sample=_sample_read(state),
            )
        )
    sampled = sum(1 for summary in summaries if summary.sample)
    if sampled:  # said for outputs that carry no source summary (ndjson, csv, sarif)
        options.on_note(f"{sampled} of {len(summaries)} log(s) sampled (--log-sample): their counts are estimates")
    return LogScan(tuple(_fields(states, options.group_of)), tuple(summaries), tuple(skipped))


def _sample_read(state: _InputState) -> LogSample | None:
    """What a sampled log's summary says was read; None for a log read whole (a stream that
    ended within its first bytes included)."""
    if state.sampling == "pieces" or (state.sampling == "first" and state.cut_short):
        return LogSample(state.bytes_read, state.file_bytes, first=state.sampling == "first")
    return None


def stdin_input() -> LogInput:
    return LogInput(path=None, identity=STDIN_IDENTITY)


def _path(log_input: LogInput) -> str:
    """What a unit opens: an absolute local path (a Dask worker does not share our working
    directory), a storage URL (credentials and all), or `-`."""
    if log_input.path is None:
        return STDIN_PATH
    return log_input.path if isinstance(log_input.path, str) else os.path.abspath(log_input.path)


def _display(log_input: LogInput) -> str:
    return STDIN_IDENTITY if log_input.path is None else shown_location(log_input.path)


class _Plan(NamedTuple):
    """How one input is read: its format, its units, a note for the user, its size on disk
    (0 for standard input), how --log-sample samples it (None: read whole), and whether its one
    unit may still be cut into byte ranges (a plain UTF-8 file read whole)."""

    log_format: str
    units: list[Unit]
    note: str | None = None
    file_bytes: int = 0
    sampling: str | None = None  # "pieces" of a plain log, or its "first" bytes
    cuttable: bool = False


def _processes(settings: ExecutionSettings) -> int:
    """How many processes will share the units: `--jobs`, at most one per core here (the pool,
    or a local Dask cluster); the size of a running cluster (`--scheduler`) is not known here."""
    if settings.engine == DASK and settings.scheduler:
        return max(1, settings.jobs)
    return max(1, min(settings.jobs, available_cores()))


def range_count(size: int, processes: int, share: float) -> int:
    """How many byte ranges of equal length a plain file of `size` bytes is read in. A file of
    two RANGEs or more is cut into ranges of at most RANGE; a smaller one is cut among the
    processes when it is more than one process's `share` of the scan (alone, or beside small
    files), else it would keep one process busy while the others wait. The count is a multiple
    of the processes, so that one large file's last ranges end together rather than one
    process reading the last range alone; no range is under RANGE / SMALLEST_RANGE."""
    count = -(-size // RANGE) if size >= 2 * RANGE else processes if size > share else 1
    if count > 1:
        count = -(-count // processes) * processes
    return max(1, min(count, size // (RANGE // SMALLEST_RANGE)))


def _plans(
    inputs: Sequence[LogInput],
    forced_format: str | None,
    on_note: Callable[[str], None] = _no_note,
    sample: int | None = None,
    processes: int = 1,
) -> Iterator[Skipped | tuple[LogInput, _Plan]]:
    """Every input's plan in input order, each unit numbered by its input among those read.
    Every input is sniffed before any is cut into ranges: how a file is cut depends on the
    bytes of the others (`range_count`). Remote objects are sniffed and cut SNIFFERS at a time:
    one by one, thousands of round trips would take longer than reading them."""
    remote = sum(1 for log_input in inputs if isinstance(log_input.path, str))
    plan = partial(_plan, forced_format=forced_format, sample=sample)
    with concurrent.futures.ThreadPoolExecutor(max(1, min(SNIFFERS, remote))) as sniffers:  # threads start on use
        each = sniffers.map if remote > 1 else map
        sniffed = list(each(plan, inputs))
        cuttable = sum(result.file_bytes for result in sniffed if isinstance(result, _Plan) and result.cuttable)
        cut = partial(_cut, processes=processes, share=cuttable / processes)
        planned = list(each(cut, inputs, sniffed))
    read = 0
    for log_input, result in zip(inputs, planned, strict=True):
        if isinstance(result, Skipped):
            yield result
            continue
        if result.note:
            on_note(result.note)
        yield log_input, result._replace(units=[replace(unit, input_order=read) for unit in result.units])
        read += 1


def _plan(log_input: LogInput, forced_format: str | None, sample: int | None = None) -> Skipped | _Plan:
    """How one input is read, or why it cannot be; `_plans` numbers the units.
    Standard input is sniffed by its unit, which is the only one that can read it. A remote
    object is planned exactly as a local file, so the same bytes give the same units and the
    same line numbers. With a `sample`, a plain log larger than it is read in pieces, and a
    compressed or UTF-16 one for its first `sample` bytes."""
    input_order = 0
    path = _path(log_input)
    if log_input.path is None:
        unit = Unit(input_order, path, forced_format or "", (), first_bytes=sample)
        return _Plan(forced_format or "", [unit], sampling=None if sample is None else "first")
    try:
        size = size_of(path)
        with open_binary(path, HEAD) as raw:  # a remote object's head, not a storage block of it
            compression = compression_of(raw.read(8))
            raw.seek(0)
            head = head_of(decompressed(raw, compression))
    except OSError as error:
        return _unreadable(log_input, error)
    cut = len(head) >= HEAD
    encoding = encoding_of(head)
    if encoding:
        head = transcoded_head(head)
    if is_binary(head):
        binary = "skipped.binary_utf16" if looks_like_utf16(head) else "skipped.binary"
        return skipped_because(_display(log_input), binary)
    lines = head_lines(head, cut=cut)
    log_format = forced_format or detect_format(lines)
    header = tuple(line for line in lines if line.startswith("#"))
    note = _misfit(_display(log_input), forced_format, lines) if forced_format else None
    whole = Unit(input_order, path, log_format, header, compression, size=size)
    uncuttable = compression or encoding or lone_carriage_returns(head)  # ranges are cut at LF bytes of UTF-8
    if sample is not None and uncuttable:
        return _Plan(log_format, [replace(whole, first_bytes=sample)], note, size, "first")
    if sample is not None and size > sample:
        try:
            units = list(_pieces(path, size, sample, input_order, log_format, header))
        except OSError as error:
            return _unreadable(log_input, error)
        return _Plan(log_format, units, note, size, "pieces")
    return _Plan(log_format, [whole], note, size, cuttable=not uncuttable)


def _cut(log_input: LogInput, planned: Skipped | _Plan, processes: int, share: float) -> Skipped | _Plan:
    """The plan with its file cut into byte ranges where `range_count` says so."""
    if isinstance(planned, Skipped) or not planned.cuttable:
        return planned
    whole = planned.units[0]
    count = range_count(whole.size, processes, share)
    if count < 2:
        return planned
    try:
        units = list(_ranges(whole.path, whole.size, count, whole.input_order, whole.log_format, whole.head))
    except OSError as error:
        return _unreadable(log_input, error)
    return planned._replace(units=units)


def _unreadable(log_input: LogInput, error: OSError) -> Skipped:
    return skipped_because(_display(log_input), "skipped.cannot_read", (("error", str(error.strerror or error)),))


def _pieces(
    path: str, size: int, sample: int, input_order: int, log_format: str, header: tuple[str, ...]
) -> Iterator[Unit]:
    """A sampled log's pieces (pdscan.sources.logs.sampling), one unit each, read by the header
    lines in force where it starts: the file's head and the last ones the format took before
    it, in the pieces and between them, as a full scan reads those lines. Only formats with header
    lines pay for the search between pieces, a byte search for `\\n#` through the whole file (as
    before a full scan is cut into ranges): far cheaper than reading the lines, yet a read of it."""
    parser = new_format(log_format)
    taken: deque[str] = deque(maxlen=HEADERS_CARRIED)
    searched_to = 0  # the header lines before this offset are taken
    with open_binary(path, LINE_SEARCH) as handle:  # a few small reads at each place in the file
        for start, end in sample_pieces(handle, size, sample):
            if parser.has_headers:
                taken.extend(text for _, text in _comment_lines(handle, start, searched_to) if parser.header(text))
                searched_to = start
            yield Unit(input_order, path, log_format, header + tuple(taken), None, start, end - start, end - start)


def _misfit(display: str, forced_format: str, lines: list[str]) -> str | None:
    """A note when the format the user forced reads none of a log's first lines (`--log-format
    json` on an access log): its lines are then read as plain text, and fields named by position
    (`user_agent`, `remote_user`) are lost without a word otherwise."""
    parser = new_format(forced_format, lines)
    sample = [line for line in lines if line.strip() and not line.startswith("#")][:SAMPLE_LINES]
    if not sample or any(parser.fields(line) is not None for line in sample):
        return None
    return (
        f"{display}: --log-format {forced_format} fits none of its first lines, which are read as plain "
        f"text (they look like {detect_format(lines)})"
    )


def _ranges(
    path: str, size: int, count: int, input_order: int, log_format: str, header: tuple[str, ...]
) -> Iterator[Unit]:
    """`count` byte ranges of about equal length (fewer where a line is longer than a range),
    each starting at the beginning of a line, primed with the file's first header lines and
    then those last taken before the range's start."""
    starts = [0]
    with open_binary(path) as handle:
        for offset in (size * piece // count for piece in range(1, count)):
            if offset <= starts[-1]:
                continue  # still inside a long line that began before the previous cut
            start = _next_line_start(handle, offset - 1)
            if start < size:
                starts.append(start)
        headers_before = _headers_before(handle, starts, log_format)
    bounds = list(zip(starts, [*starts[1:], size], strict=True))
    for (start, end), before in zip(bounds, headers_before, strict=True):
        yield Unit(input_order, path, log_format, header + before, None, start, end - start, end - start)


def _headers_before(handle: BinaryIO, starts: Sequence[int], log_format: str) -> list[tuple[str, ...]]:
    """Per range start, the last HEADERS_CARRIED header lines (`#Fields:`) the format took before
    it: one process reading from the top would read the range by them. Only formats with header
    lines pay for the search, which reads the file up to the last start a piece at a time."""
    parser = new_format(log_format)
    if not parser.has_headers or len(starts) < 2:
        return [()] * len(starts)
    taken: deque[str] = deque(maxlen=HEADERS_CARRIED)
    headers_before: list[tuple[str, ...]] = []
    comments = _comment_lines(handle, starts[-1])
    comment = next(comments, None)
    for start in starts:
        while comment is not None and comment[0] < start:
            if parser.header(comment[1]):
                taken.append(comment[1])
            comment = next(comments, None)
        headers_before.append(tuple(taken))
    return headers_before


def _comment_lines(handle: BinaryIO, end: int, start: int = 0) -> Iterator[tuple[int, str]]:
    """(offset, text) of each line that starts with `#` from byte `start` (a line start) to byte
    `end`, found by a byte search for `\\n#`; a line's text is read up to HEAD bytes, decoded as
    units decode it."""
    handle.seek(start)
    offset = start
    at_line_start = True
    while offset < end:
        piece = handle.read(min(SEARCH_PIECE, end - offset))
        if not piece:
            return
        line_start = 0 if at_line_start and piece.startswith(b"#") else _next_comment(piece, 0)
        while line_start >= 0:
            line_end = piece.find(b"\n", line_start, line_start + HEAD)
            text = piece[line_start:line_end] if line_end >= 0 else _line_at(handle, offset + line_start)
            yield offset + line_start, text.decode("utf-8", "surrogateescape").rstrip("\r")
            line_start = _next_comment(piece, line_start)
        at_line_start = piece.endswith(b"\n")
        offset += len(piece)


def _next_comment(piece: bytes, after: int) -> int:
    """Where the next line starting with `#` after index `after` starts in `piece`, or -1."""
    newline = piece.find(b"\n#", after)
    return newline + 1 if newline >= 0 else -1


def _line_at(handle: BinaryIO, offset: int) -> bytes:
    """Up to HEAD bytes of the line starting at `offset`, the handle left where it was."""
    resume = handle.tell()
    handle.seek(offset)
    line = handle.read(HEAD).split(b"\n", 1)[0]
    handle.seek(resume)
    return line


def _next_line_start(handle: BinaryIO, offset: int) -> int:
    """Where the line after the one holding byte `offset` starts (or the end of the file),
    read in small pieces so a 100 MB line is never held in memory."""
    handle.seek(offset)
    while True:
        piece = handle.read(1 << 16)
        if not piece:
            return handle.tell()
        newline = piece.find(b"\n")
        if newline >= 0:
            return offset + newline + 1
        offset += len(piece)


def _run(
    units: list[Unit],
    pooled: list[Unit],
    options: UnitOptions,
    executor: Executor,
    stream: Callable[[Unit, list[Record]], None],
    on_read: Callable[[Unit, int], None] | None,
) -> Iterable[tuple[Unit, UnitResult]]:
    """Results in unit order; standard input stays in this process and streams its records as
    it is read (it may never end); the other units (`pooled`) go to the executor, which streams
    the records of those it reads in this process, and how far it has read them, too."""
    for unit in units:
        if unit.path == STDIN_PATH:
            yield unit, scan_unit(unit, options, partial(stream, unit))
    yield from zip(pooled, executor.results(options, stream, on_read), strict=True)


class _ToldProgress:
    """What the progress was told of each unit: its bytes as a unit read in this process reads
    them (block by block), the rest when its result arrives (all of it, from a worker). The bar
    moves through one large file and never counts a byte twice."""

    def __init__(self, progress: Progress, executor: Executor) -> None:
        self.progress = progress
        self.executor = executor
        self.told: dict[tuple[int, int], int] = {}  # (input, start) -> bytes told

    def read(self, unit: Unit, read_so_far: int) -> None:
        key = (unit.input_order, unit.start)
        told = self.told.get(key, 0)
        done = min(read_so_far, unit.size)
        if done > told:
            self.told[key] = done
            self.progress.advance(done - told, self.executor.tasks_done)

    def finished(self, unit: Unit) -> None:
        self.progress.advance(unit.size - self.told.pop((unit.input_order, unit.start), 0), self.executor.tasks_done)


def _merge(state: _InputState, unit: Unit, result: UnitResult, on_record: Callable[[LogRecord], None] | None) -> None:
    """Fold one unit's result into its input, shifting line numbers by the lines before it."""
    if state.error:
        return  # after a read error the rest of a compressed stream is not trustworthy
    offset = state.lines
    for key, stats in result.stats.items():
        merged = state.merged.get(key)
        if merged is None:
            merged = state.merged[key] = _Merged(FieldStats(), first_at=(unit.input_order, stats.first_line + offset))
        merged.stats.count += stats.count
        merged.stats.detectors.update(stats.detectors)
        _add_samples(merged.stats.samples, stats.samples)
        merged.last_at = (unit.input_order, stats.last_line + offset)
    if on_record is not None:
        _emit(state, result.records, on_record)
    state.lines += result.lines
    state.bytes_read += result.bytes_read
    if result.error:
        state.error = result.error
    if not state.log_format:
        state.log_format = result.log_format
    state.encoding = state.encoding or result.encoding
    state.cut_short = state.cut_short or result.cut_short


def _emit(state: _InputState, records: list[Record], on_record: Callable[[LogRecord], None]) -> None:
    """Records of the unit being merged, their lines shifted by the lines of the units before it."""
    path = _display(state.log_input)
    for line, start, end, field_name, data_type, value in records:
        on_record(LogRecord(path, line + state.lines, start, end, field_name, data_type, value))


def _add_samples(samples: list[str], more: Iterable[str]) -> None:
    for sample in more:
        if len(samples) < SAMPLES and sample not in samples:
            samples.append(sample)


def _fields(states: Sequence[_InputState], group_of: Callable[[str], str]) -> Iterator[LogField]:
    """Per log identity (rotated copies together), field and group of data types (the policy
    category: one finding per place and category), in reading order."""
    combined: dict[tuple[str, str | None, str], _Merged] = {}
    for state in states:
        for (field_name, data_type), merged in state.merged.items():
            key = (state.log_input.identity, field_name, group_of(data_type))
            total = combined.setdefault(key, _Merged(FieldStats(), merged.first_at, merged.last_at))
            total.stats.count += merged.stats.count
            total.stats.detectors.update(merged.stats.detectors)
            total.data_types[data_type] += merged.stats.count
            _add_samples(total.stats.samples, merged.stats.samples)
            total.first_at = min(total.first_at, merged.first_at)
            total.last_at = max(total.last_at, merged.last_at)

    def where(at: tuple[int, int]) -> str:
        return f"{_display(states[at[0]].log_input)}:{at[1]}"

    for (identity, field_name, _), merged in combined.items():
        yield LogField(
            identity=identity,
            field=field_name,
            data_type=merged.data_types.most_common(1)[0][0],
            count=merged.stats.count,
            first=where(merged.first_at),
            last=where(merged.last_at),
            samples=tuple(merged.stats.samples),
            detectors=tuple(merged.stats.detectors.most_common()),
        )
