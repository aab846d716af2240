"""`--log-sample SIZE`: which bytes of a huge log are read for an inventory in seconds.

A plain log larger than SIZE is read in evenly spaced pieces totalling about SIZE, each cut at
line starts: a piece starts at the first line start at or after its place and ends at the end
of the line where its share runs out. The first piece starts at byte 0, so it holds the header
lines (W3C `#Fields:`, Zeek `#fields`) the pieces are read by, with those met in earlier pieces
(pdscan.sources.logs.source plans the units). A log that cannot be cut
at line breaks (compressed, UTF-16) is read for its first SIZE bytes, to a line end. Reading
exactly these pieces is all a sample changes: each is judged as a full scan judges its lines.
"""

from __future__ import annotations

from typing import BinaryIO

from pdscan.sources.logs.reader import MAX_LINE

SAMPLE_PIECE = 1 << 20  # 1 MiB per piece of a large sample: 64 places in a file for 64M
MIN_PIECE = 1 << 16  # a piece holds whole lines of a usual log
MIN_PIECES = 16  # places in the file a smaller sample is spread over, pieces allowing
LINE_SEARCH = 1 << 13  # read at a time when looking for a line break (a remote read fetches as much again)
LONGEST_LINE = MAX_LINE  # a line start further than this from a piece's place: the piece is dropped


def piece_count(sample: int) -> int:
    """How many places a sample of `sample` bytes is spread over."""
    return max(1, min(sample // MIN_PIECE, max(MIN_PIECES, sample // SAMPLE_PIECE)))


def sample_pieces(handle: BinaryIO, size: int, sample: int) -> list[tuple[int, int]]:
    """(start, end) byte pieces of a plain log of `size` bytes, in file order, not overlapping,
    each from a line start to a line end (or the file's end). A place inside a line longer
    than LONGEST_LINE has no line start near it and gives no piece; a piece whose share ends
    inside such a line ends LONGEST_LINE bytes on, where the reader cuts long lines anyway."""
    count = piece_count(sample)
    share = sample // count
    pieces: list[tuple[int, int]] = []
    for index in range(count):
        place = index * size // count
        start = 0 if index == 0 else _line_start_at_or_after(handle, place, size)
        if pieces:
            start = max(start, pieces[-1][1]) if start is not None else None
        if start is None or start >= size:
            continue
        end = _line_start_at_or_after(handle, start + share, size)
        end = min(size, start + share + LONGEST_LINE) if end is None else end
        pieces.append((start, end))
    return pieces


def _line_start_at_or_after(handle: BinaryIO, offset: int, size: int) -> int | None:
    """The first line start at or after `offset` (the file's end counts as one), or None when
    none is within LONGEST_LINE bytes; read LINE_SEARCH bytes at a time."""
    if offset >= size:
        return size
    if offset == 0:
        return 0
    handle.seek(offset - 1)
    searched = 0
    while searched <= LONGEST_LINE:
        piece = handle.read(LINE_SEARCH)
        if not piece:
            return size
        newline = piece.find(b"\n")
        if newline >= 0:
            return offset + searched + newline
        searched += len(piece)
    return None


class FirstBytes:
    """The first `limit` bytes of a stream and the rest of the line they end in (at most
    LONGEST_LINE more): what a sample reads of a log it cannot cut into pieces. `cut_short`:
    the stream went on after them, so the log was sampled rather than read whole."""

    def __init__(self, stream: BinaryIO, limit: int) -> None:
        self._read = getattr(stream, "read1", stream.read)
        self._left = limit  # bytes to read before the line end is looked for
        self._to_line_end = LONGEST_LINE
        self._at_line_start = True  # the last byte handed on was a line break
        self._ended = False
        self.cut_short = False

    def read(self, size: int = -1) -> bytes:
        return self._take(size)

    def read1(self, size: int = -1) -> bytes:
        return self._take(size)

    def _take(self, size: int) -> bytes:
        if self._ended:
            return b""
        wanted = LINE_SEARCH if size < 0 else size
        if self._left > 0:
            data = self._read(min(wanted, self._left))
            self._left -= len(data)
            self._ended = not data
            if data:
                self._at_line_start = data.endswith(b"\n")
            return data
        if self._at_line_start:
            return self._end(self._more())
        data = self._read(min(wanted, self._to_line_end))
        newline = data.find(b"\n")
        if newline >= 0:
            return self._end(newline + 1 < len(data) or self._more(), data[: newline + 1])
        if not data or len(data) >= self._to_line_end:
            return self._end(bool(data), data)
        self._to_line_end -= len(data)
        return data

    def _end(self, cut_short: bool, data: bytes = b"") -> bytes:
        self._ended = True
        self.cut_short = cut_short
        return data

    def _more(self) -> bool:
        """Whether the stream holds anything after the line the sample ended with."""
        try:
            return bool(self._read(1))
        except Exception:  # any decompressor's damage: the stream goes on, if unreadably
            return True
