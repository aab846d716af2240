"""Bytes of a log, whatever it is stored in: plain, gz, bz2, xz, zst, or standard input.

Compression is known by its magic bytes, not the file name, and decompressed as a stream:
nothing is inflated to disk and memory holds one block. A decompressor is fed small pieces of
its input, so that when the input turns out damaged, what it decoded before is kept. Blocks
end at a line break so no line is cut, except a line longer than MAX_LINE, which is read in
pieces cut after white space where there is some, so a value is not read as two.

A log whose lines end with a lone CR (classic Mac OS, some Windows tools' exports) is told by its
head, which holds a CR and no LF: it is read with each lone CR as an LF (`line_feeds`), the same
number of bytes, so blocks, line numbers, offsets and byte counts are as for LF line ends. Only
the head decides: a log with LF line ends keeps a CR inside a line, as ranges cut at LF do.

Windows tools write logs in UTF-16 (or UTF-32) with a byte-order mark: such a stream is decoded
a piece at a time and handed on as UTF-8 (`text_stream`), so everything after it (blocks, the
engine, line numbers, offsets within a line) works on UTF-8 as for any other log.
"""

from __future__ import annotations

import bz2
import codecs
import contextlib
import gzip
import io
import lzma
import re
import sys
import zlib
from collections.abc import Callable, Iterator
from typing import BinaryIO

BLOCK = 1 << 22  # 4 MiB: large enough for the engine, small enough to keep memory flat
PIECE = 1 << 16  # what is read from a decompressor at a time
COMPRESSED_PIECE = 1 << 12  # what a decompressor is fed at a time: what a damaged piece loses
MAX_LINE = 1 << 24  # a longer line is scanned in 16 MiB pieces
BREAK_SEARCH = 1 << 16  # how far back from a piece's end white space is looked for
SNIFF = 8192
HEAD = 1 << 16  # bytes read to detect a log's format
HOLE = 16  # NUL bytes in a row that are a hole in a text file, not binary data
_HOLES = re.compile(rb"\x00{%d,}" % HOLE)
MAGIC = {
    b"\x1f\x8b": "gzip",
    b"BZh": "bzip2",
    b"\xfd7zXZ\x00": "xz",
    b"\x28\xb5\x2f\xfd": "zstd",
}
COMPRESSED_SUFFIXES = (".gz", ".bz2", ".xz", ".zst", ".zstd")
# (mark, name shown, codec that reads the mark and drops it); UTF-32LE's mark begins with UTF-16LE's.
BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF32_LE, "UTF-32LE", "utf-32"),
    (codecs.BOM_UTF32_BE, "UTF-32BE", "utf-32"),
    (codecs.BOM_UTF16_LE, "UTF-16LE", "utf-16"),
    (codecs.BOM_UTF16_BE, "UTF-16BE", "utf-16"),
)
MARK_STARTS = frozenset(mark[0] for mark, _, _ in BYTE_ORDER_MARKS)
_LONE_CR = re.compile(rb"\r(?!\n)")
UTF8_MARK = codecs.BOM_UTF8  # names no encoding to read: dropped, as a UTF-8 reading drops it
LONGEST_MARK = 4


class LogReadError(Exception):
    """A compressed stream that is corrupt or ends early; `lines` were read before it."""


def compression_of(head: bytes) -> str | None:
    return next((name for magic, name in MAGIC.items() if head.startswith(magic)), None)


def decompressed(raw: BinaryIO, compression: str | None) -> BinaryIO:
    """A stream of the log's own bytes; the caller closes `raw`. Read it with `read1`: a
    `read` that meets the damage loses what it decoded before it."""
    if compression is None:
        return raw
    fed = _SmallPieces(raw)
    # The decompressors' stubs ask for a whole file object; reading forward they call only
    # `read`, all `_SmallPieces` offers (it must not seek: the input may be a pipe).
    if compression == "gzip":
        return gzip.GzipFile(fileobj=fed, mode="rb")  # type: ignore[call-overload]
    if compression == "bzip2":
        return bz2.BZ2File(fed, mode="rb")  # type: ignore[call-overload]
    if compression == "xz":
        return lzma.LZMAFile(fed, mode="rb")  # type: ignore[arg-type, return-value]  # IO[bytes], read as one
    return _ZstdStream(fed)  # type: ignore[return-value]


class _SmallPieces:
    """The compressed input handed over at most COMPRESSED_PIECE bytes a read. A decompressor
    that raises on damage drops what it decoded in that call: what one small piece decodes to.
    Reads what has arrived (`read1`), so a compressed pipe is not waited on for a full piece."""

    def __init__(self, raw: BinaryIO) -> None:
        self._read = getattr(raw, "read1", raw.read)

    def read(self, size: int = -1) -> bytes:
        return self._read(COMPRESSED_PIECE if size < 0 else min(size, COMPRESSED_PIECE))


class _ZstdStream:
    """zstd frames one after another, decompressed as read. Unlike zstandard's own reader it
    says when the input ends inside a frame: a truncated file is an error, not a short log."""

    def __init__(self, raw: _SmallPieces) -> None:
        import zstandard

        self._zstandard = zstandard
        self._raw = raw
        self._decompressor = zstandard.ZstdDecompressor().decompressobj()
        self._pending = b""
        self._in_frame = False
        self._damage: Exception | None = None  # raised once what was decoded before it is read

    def read(self, size: int) -> bytes:
        return self._read(size, whole=True)

    def read1(self, size: int) -> bytes:
        return self._read(size, whole=False)

    def peek(self, size: int = 1) -> bytes:
        """What the next `read1` starts with (some bytes, unless the stream ends), left unread."""
        data = self._read(max(size, 1), whole=False)
        self._pending = data + self._pending
        return data

    def _read(self, size: int, whole: bool) -> bytes:
        """Up to `size` bytes: as many as there are (`whole`) or at least one piece's worth."""
        while self._damage is None and (len(self._pending) < size if whole else not self._pending):
            try:
                compressed = self._raw.read(PIECE)
                if not compressed:
                    if self._in_frame:
                        raise EOFError("the zstd stream ends inside a frame")
                    break
                self._feed(compressed)
            except _READ_ERRORS as error:
                self._damage = error
        if self._damage is not None and not self._pending:
            raise self._damage
        data, self._pending = self._pending[:size], self._pending[size:]
        return data

    def _feed(self, compressed: bytes) -> None:
        while compressed:
            self._in_frame = True
            self._pending += self._decompressor.decompress(compressed)
            if not self._decompressor.eof:
                return
            self._in_frame = False
            compressed = self._decompressor.unused_data
            self._decompressor = self._zstandard.ZstdDecompressor().decompressobj()


def encoding_of(head: bytes) -> str | None:
    """The encoding a byte-order mark at the start names (UTF-16LE…); None for UTF-8 and the
    rest, which are read as they are."""
    return next((name for mark, name, _ in BYTE_ORDER_MARKS if head.startswith(mark)), None)


def transcoded_head(head: bytes) -> bytes:
    """The first bytes of a log with a byte-order mark, as UTF-8 (a character cut at the end is
    left out), for the checks and format detection made on a log's head."""
    codec = next(codec for mark, _, codec in BYTE_ORDER_MARKS if head.startswith(mark))
    return codecs.getincrementaldecoder(codec)("replace").decode(head).encode()


def text_stream(stream: BinaryIO) -> tuple[BinaryIO, str | None]:
    """The log as UTF-8, and the encoding it was read from when its byte-order mark names one;
    the stream must be at the log's start. Reads up to LONGEST_MARK bytes first, and only as
    many as a mark could need (a pipe is not waited on when its first byte starts none). A
    stream that can peek and starts no mark is handed on untouched: the bytes read ahead would
    otherwise be its first read alone, and standard input's format is told from its first
    read (a blank first line was all it was told from). A UTF-8 mark is dropped: left in, the
    first line (`#Fields:` of a W3C log Notepad saved) would start with it."""
    head = b""
    read = getattr(stream, "read1", stream.read)
    try:
        peek = getattr(stream, "peek", None)
        ahead = peek(len(UTF8_MARK))[: len(UTF8_MARK)] if peek is not None else b""
        if ahead == UTF8_MARK:
            read(len(UTF8_MARK))
            return stream, None
        if ahead and ahead[0] not in MARK_STARTS:
            return stream, None
        while len(head) < LONGEST_MARK and (not head or head[0] in MARK_STARTS):
            more = read(LONGEST_MARK - len(head))
            if not more:
                break
            head += more
    except _READ_ERRORS as error:
        raise LogReadError(str(error) or type(error).__name__) from None
    for mark, name, codec in BYTE_ORDER_MARKS:
        if head.startswith(mark):
            return Transcoded(stream, codec, head), name  # type: ignore[return-value]
    return _ReadAhead(stream, head.removeprefix(UTF8_MARK)), None  # type: ignore[return-value]


class Transcoded:
    """UTF-16 or UTF-32 text read as UTF-8, decoded a PIECE at a time: memory holds what one
    read asks for. Bytes that are not text in that encoding (a lone surrogate, an odd last
    byte) become U+FFFD. A read error is raised once what was decoded before it is read.
    `bytes_read`: the log's own bytes consumed, for the summary."""

    def __init__(self, stream: BinaryIO, codec: str, head: bytes) -> None:
        self._read = getattr(stream, "read1", stream.read)
        self._decoder = codecs.getincrementaldecoder(codec)("replace")
        self._pending = bytearray(self._decoder.decode(head).encode())
        self._ended = False
        self._damage: Exception | None = None
        self.bytes_read = len(head)

    def read(self, size: int = -1) -> bytes:
        return self._take(size, whole=True)

    def read1(self, size: int = -1) -> bytes:
        return self._take(size, whole=False)

    def _take(self, size: int, whole: bool) -> bytes:
        """Up to `size` bytes (all, when negative): as many as there are (`whole`) or what one
        piece decodes to."""
        enough = (size if size >= 0 else sys.maxsize) if whole else 1
        while len(self._pending) < enough and not self._ended and self._damage is None:
            try:
                raw = self._read(PIECE)
            except _READ_ERRORS as error:
                self._damage = error
                break
            self.bytes_read += len(raw)
            self._ended = not raw
            self._pending += self._decoder.decode(raw, final=self._ended).encode()
        if self._damage is not None and not self._pending:
            raise self._damage
        taken = len(self._pending) if size < 0 else size
        data = bytes(self._pending[:taken])
        del self._pending[:taken]
        return data


def lone_carriage_returns(head: bytes) -> bool:
    """Whether a log's first HEAD bytes end their lines with lone CRs: a CR and no LF in them."""
    head = head[:HEAD]
    return b"\r" in head and b"\n" not in head


def line_feeds(stream: BinaryIO) -> BinaryIO:
    """The log from its start, each lone CR read as an LF when its head says its lines end so
    (`lone_carriage_returns`). The head is read up to its first LF (so a stream with LF line
    ends is held no longer than a block would hold it) or HEAD bytes, and handed on first, in
    one read when it can be (standard input's format is told from its first read)."""
    read = getattr(stream, "read1", stream.read)
    head = b""
    damage: Exception | None = None
    try:
        while b"\n" not in head and len(head) < HEAD:
            more = read(HEAD - len(head))
            if not more:
                break
            head += more
    except _READ_ERRORS as error:
        damage = error  # raised once the lines before it are read
    return _ReadAhead(stream, head, lone_carriage_returns(head), damage)  # type: ignore[return-value]


class _ReadAhead:
    """A stream whose `head` was read ahead (to look for a byte-order mark, or at its line
    ends), handed back first; with `lone_crs`, every CR not followed by an LF becomes an LF (a
    CR last in a read waits for the byte after it); `damage`, an error met reading ahead, is
    raised once the head is read."""

    def __init__(self, stream: BinaryIO, head: bytes, lone_crs: bool = False, damage: Exception | None = None) -> None:
        self._stream = stream
        self._pending = head
        self._lone_crs = lone_crs
        self._damage = damage

    def read(self, size: int = -1) -> bytes:
        return self._take(self._stream.read, size)

    def read1(self, size: int = -1) -> bytes:
        return self._take(getattr(self._stream, "read1", self._stream.read), size)

    def _take(self, read: Callable[[int], bytes], size: int) -> bytes:
        if self._pending:
            taken = len(self._pending) if size < 0 else size
            data, self._pending = self._pending[:taken], self._pending[taken:]
        elif self._damage is not None:
            damage, self._damage = self._damage, None
            raise damage
        else:
            data = read(size)
        if not self._lone_crs or b"\r" not in data:
            return data
        if not data.endswith(b"\r"):
            return _LONE_CR.sub(b"\n", data)
        if not self._pending and self._damage is None:
            try:
                self._pending = read(1)
            except _READ_ERRORS as error:
                self._damage = error
        last = b"\r" if self._pending.startswith(b"\n") else b"\n"
        return _LONE_CR.sub(b"\n", data[:-1]) + last


def peek(raw: BinaryIO, size: int = SNIFF) -> bytes:
    """The first bytes of a stream without consuming them (standard input included)."""
    if isinstance(raw, io.BufferedReader):
        return raw.peek(size)[:size]
    position = raw.tell()
    head = raw.read(size)
    raw.seek(position)
    return head


def is_binary(head: bytes) -> bool:
    """NUL bytes, or mostly bytes no text encoding uses, in the first SNIFF bytes of text: not
    a log pdscan can read. Runs of NUL bytes (HOLE or more) are not counted: a log that
    logrotate's `copytruncate` cut while its writer kept writing holds a hole of zeros, at its
    start or after the lines written before the cut, then goes on as text. Binary formats and
    UTF-16 text have NUL bytes alone or in short runs, among other bytes."""
    text = _HOLES.sub(b"", head)[:SNIFF]
    if not text:
        return False
    if b"\x00" in text:
        return True
    control = sum(1 for byte in text if byte < 9 or 13 < byte < 32)
    return control / len(text) > 0.1


def looks_like_utf16(head: bytes) -> bool:
    """Every other byte NUL and none of the others: UTF-16 of mostly ASCII text without a
    byte-order mark, which cannot be told from binary data in general (a cheap hint only)."""
    sample = head[: SNIFF - SNIFF % 2]
    if len(sample) < 2 * HOLE:
        return False
    for zeros, text in ((sample[1::2], sample[0::2]), (sample[0::2], sample[1::2])):
        if zeros.count(0) == len(zeros) and 0 not in text:
            return True
    return False


def binary_reason(head: bytes, what: str) -> str:
    """Why a log is not read: `what` ("file", "data") is binary, and what it looks like."""
    reason = f"binary {what} (NUL or control bytes), not a text log"
    if looks_like_utf16(head):
        reason += " (UTF-16 without a byte-order mark, which pdscan needs to read UTF-16)"
    return reason


class BinaryData(Exception):
    """Standard input turned out to be binary: told by its first block, as a file by its head."""


def head_of(stream: BinaryIO) -> bytes:
    """The first HEAD bytes of a log; of a damaged stream, those decoded before the damage (its
    unit reports the damage, with the line where it is)."""
    chunks: list[bytes] = []
    with contextlib.suppress(Exception):  # any decompressor's error, whatever its type
        _read_into(stream, chunks, HEAD, PIECE // 4, eager=False)
    return b"".join(chunks)


def head_lines(head: bytes, cut: bool) -> list[str]:
    """Whole lines of a log's first bytes, for format detection, cut where its reader cuts them
    (at LF, or at lone CRs when they end its lines; not at U+2028 or a form feed, which a JSON
    string or a user agent may hold); the last is left out when `cut` (the head ends inside a
    line, or may)."""
    head = head.removeprefix(UTF8_MARK)
    if lone_carriage_returns(head):
        head = _LONE_CR.sub(b"\n", head)
    lines = [line.removesuffix("\r") for line in head.decode("utf-8", "replace").split("\n")]
    if lines[-1] == "":
        lines.pop()  # after the last line break
    if cut and lines:
        lines.pop()
    return lines


def blocks(
    stream: BinaryIO,
    limit: int | None = None,
    block_size: int = BLOCK,
    piece: int | None = None,
    eager: bool = False,
) -> Iterator[bytes]:
    """Blocks that end at a line break (or are a piece of an over-long line); at most `limit`
    bytes are read when given. A decompressor is read in small `piece`s, so when its stream
    turns out corrupt or truncated, every whole line before the damage is still yielded.
    `eager` yields what has arrived rather than waiting for a full block (a pipe that a
    `kubectl logs -f` keeps open)."""
    carry = b""
    remaining = limit
    while True:
        size = block_size if remaining is None else min(block_size, remaining)
        chunks: list[bytes] = []
        try:
            _read_into(stream, chunks, size, piece or size, eager)
        except _READ_ERRORS as error:
            data = carry + b"".join(chunks)
            cut = data.rfind(b"\n") + 1
            if cut:
                yield data[:cut]
            raise LogReadError(str(error) or type(error).__name__) from None
        chunk = b"".join(chunks)
        if remaining is not None:
            remaining -= len(chunk)
        if not chunk:
            if carry:
                yield carry
            return
        data = carry + chunk if carry else chunk
        cut = data.rfind(b"\n") + 1
        if cut == 0:
            if len(data) < MAX_LINE:
                carry = data
                continue
            cut = _after_white_space(data)
        yield data[:cut]
        carry = data[cut:]


def _after_white_space(data: bytes) -> int:
    """Where to cut a piece of an over-long line: after its last space or tab near the end, or
    at the end when there is none there."""
    floor = max(0, len(data) - BREAK_SEARCH)
    space = max(data.rfind(b" ", floor), data.rfind(b"\t", floor))
    return space + 1 if space >= 0 else len(data)


def _read_into(stream: BinaryIO, chunks: list[bytes], size: int, piece: int, eager: bool) -> None:
    """Read up to `size` bytes in `piece`s (or what one read gives, when `eager`); what was
    read stays in `chunks` if a read fails. Pieces are read with `read1`: a decompressor's
    `read` collects several and loses them all when the last one fails."""
    wanted = size
    read = getattr(stream, "read1", stream.read) if eager or piece < size else stream.read
    while wanted > 0:
        chunk = read(min(piece, wanted))
        if not chunk:
            return
        chunks.append(chunk)
        wanted -= len(chunk)
        if eager:
            return


def _zstd_error() -> type[Exception]:
    try:
        import zstandard
    except ImportError:
        return OSError
    return zstandard.ZstdError


_READ_ERRORS = (EOFError, OSError, lzma.LZMAError, zlib.error, _zstd_error())
