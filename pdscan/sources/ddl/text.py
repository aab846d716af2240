"""Bytes of a SQL file -> text, or the reason it is not text.

Schemas written on Windows or in Japan and Russia arrive as cp1251, Shift-JIS or latin-1 as
often as UTF-8; they must still scan, with identifiers and comments decoded correctly.
"""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes

from pdscan.model import SentenceValue, Skipped
from pdscan.sentences import skipped_because

BINARY_PROBE = 8192
CONTROL_BYTES = frozenset(set(range(32)) - {9, 10, 12, 13, 27})
CONTROL_SHARE = 0.05
LEGACY_ENCODINGS = ("cp1251", "shift_jis", "euc_jp", "cp932", "cp1252", "latin_1", "koi8_r")
BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class NotText(Exception):
    """The bytes are not a text file (binary, or no encoding fits): why, as a sentence's key."""

    def __init__(self, message: str, values: tuple[tuple[str, SentenceValue], ...] = ()) -> None:
        self.message = message
        self.values = values
        super().__init__(message)

    def skipped(self, source: str) -> Skipped:
        """The file, skipped for this reason."""
        return skipped_because(source, self.message, self.values)


def decode_sql_bytes(raw: bytes) -> str:
    """Decode by BOM, then strict UTF-8, then the most plausible legacy encoding."""
    for bom, encoding in BOMS:
        if raw.startswith(bom):
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError as error:
                raise NotText("skipped.not_text_encoding", (("encoding", encoding), ("byte", error.start))) from None
    probe = raw[:BINARY_PROBE]
    if b"\x00" in probe:
        raise NotText("skipped.not_text_nul")
    if probe and sum(byte in CONTROL_BYTES for byte in probe) > len(probe) * CONTROL_SHARE:
        raise NotText("skipped.not_text_control")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    best = from_bytes(raw[: 1 << 20], cp_isolation=list(LEGACY_ENCODINGS)).best()
    encoding = best.encoding if best is not None else "latin_1"
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError:
        return raw.decode("latin_1")
