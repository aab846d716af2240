"""Bytes of a log, whatever it is stored in: plain, gz, bz2, xz, zst, or standard input.

Compression is known by its magic bytes, not the file name, and decompressed as a stream:
nothing is inflated to disk and memory holds one block. Blocks end at a line break so no
line is cut, except a line longer than MAX_LINE, which is read in pieces.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import zlib
from collections.abc import Iterator
from typing import BinaryIO

BLOCK = 1 << 22  # 4 MiB: large enough for the engine, small enough to keep memory flat
MAX_LINE = 1 << 24  # a longer line is scanned in 16 MiB pieces
SNIFF = 8192
MAGIC = {
    b"\x1f\x8b": "gzip",
    b"BZh": "bzip2",
    b"\xfd7zXZ\x00": "xz",
    b"\x28\xb5\x2f\xfd": "zstd",
}
COMPRESSED_SUFFIXES = (".gz", ".bz2", ".xz", ".zst", ".zstd")


class LogReadError(Exception):
    """A compressed stream that is corrupt or ends early; `lines` were read before it."""


def compression_of(head: bytes) -> str | None:
    return next((name for magic, name in MAGIC.items() if head.startswith(magic)), None)


def decompressed(raw: BinaryIO, compression: str | None) -> BinaryIO:
    """A stream of the log's own bytes; the caller closes `raw`."""
    if compression is None:
        return raw
    if compression == "gzip":
        return gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[return-value]
    if compression == "bzip2":
        return bz2.BZ2File(raw, mode="rb")  # type: ignore[return-value]
    if compression == "xz":
        return lzma.LZMAFile(raw, mode="rb")  # type: ignore[return-value]
    import zstandard

    return zstandard.ZstdDecompressor().stream_reader(raw, read_across_frames=True)  # type: ignore[return-value]


def peek(raw: BinaryIO, size: int = SNIFF) -> bytes:
    """The first bytes of a stream without consuming them (standard input included)."""
    if isinstance(raw, io.BufferedReader):
        return raw.peek(size)[:size]
    position = raw.tell()
    head = raw.read(size)
    raw.seek(position)
    return head


def is_binary(head: bytes) -> bool:
    """NUL bytes, or mostly bytes no text encoding uses: not a log pdscan can read."""
    if not head:
        return False
    if b"\x00" in head:
        return True
    control = sum(1 for byte in head if byte < 9 or 13 < byte < 32)
    return control / len(head) > 0.1


def blocks(stream: BinaryIO, limit: int | None = None, block_size: int = BLOCK) -> Iterator[bytes]:
    """Blocks that end at a line break (or are a piece of an over-long line); at most `limit`
    bytes are read when given."""
    carry = b""
    remaining = limit
    while True:
        size = block_size if remaining is None else min(block_size, remaining)
        try:
            chunk = stream.read(size) if size else b""
        except (EOFError, OSError, lzma.LZMAError, zlib.error) as error:
            if carry:
                yield carry
            raise LogReadError(str(error) or type(error).__name__) from None
        except Exception as error:  # zstandard raises its own ZstdError
            if type(error).__name__ != "ZstdError":
                raise
            if carry:
                yield carry
            raise LogReadError(str(error)) from None
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
            cut = len(data)
        yield data[:cut]
        carry = data[cut:]
