"""How a log's stream is read where it starts and where a line is too long to hold: standard
input with a short first line, a UTF-8 byte-order mark, and offsets after the cut of an
over-long line read as every other reading would have them."""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import pytest
from support.command import run_pdscan
from support.log_helpers import COMPRESSORS, scan_paths

from pdscan.sources.logs import reader


@pytest.mark.parametrize("first_line", ["", "ok"], ids=["blank first line", "short first line"])
@pytest.mark.parametrize("suffix", ["", "gz", "zst"])
def test_standard_input_whose_first_line_is_short_is_read_in_its_format(
    tmp_path: Path, first_line: str, suffix: str
) -> None:
    """`pdscan scan - < access.log` reads what `pdscan scan access.log` reads: the bytes looked at
    for a byte-order mark were once handed on alone, so a first line under four bytes was all
    the format was told from, and the log was read as plain text (remote_host, remote_user lost)."""
    lines = [
        f'192.0.2.{n} - user{n} [07/Dec/2026:10:00:0{n} +0000] "GET /?email=u{n}@example.com HTTP/1.1" 200 1'
        for n in range(1, 4)
    ]
    data = "\n".join([first_line, *lines, ""]).encode()
    (tmp_path / "access.log").write_bytes(data)
    from_file = run_pdscan("scan", "access.log", "--format", "ndjson", "-q", cwd=tmp_path).stdout
    piped_bytes = COMPRESSORS[suffix](data) if suffix else data
    piped = run_pdscan("scan", "-", "--format", "ndjson", "-q", cwd=tmp_path, stdin=piped_bytes, text=False)
    assert "remote_user" in {record["field"] for record in map(json.loads, piped.stdout.splitlines())}
    assert piped.stdout.decode() == from_file.replace('"access.log"', '"<stdin>"')


@pytest.mark.parametrize("from_stdin", [False, True], ids=["file", "stdin"])
def test_a_utf8_byte_order_mark_is_dropped_so_the_header_it_stands_before_still_names_the_columns(
    tmp_path: Path, from_stdin: bool
) -> None:
    """Notepad and PowerShell 5 write UTF-8 with a mark: `\\ufeff#Fields:` was no header, so a W3C
    log was read as plain text (cs-username lost) and the mark's line as values."""
    text = (
        "#Fields: date time c-ip cs-username cs-uri-query\n"
        "2026-12-07 10:00:00 192.0.2.7 alice email=a@example.com\n"
        "2026-12-07 10:00:01 192.0.2.8 bob -\n"
    )
    (tmp_path / "u_ex.log").write_bytes(text.encode())
    (tmp_path / "marked.log").write_bytes(codecs.BOM_UTF8 + text.encode())
    target, stdin = ("-", (tmp_path / "marked.log").read_bytes()) if from_stdin else ("marked.log", b"")
    marked = run_pdscan("scan", target, "--format", "ndjson", "-q", cwd=tmp_path, stdin=stdin, text=False)
    plain = run_pdscan("scan", "u_ex.log", "--format", "ndjson", "-q", cwd=tmp_path)
    fields = [(record["line"], record["field"]) for record in map(json.loads, marked.stdout.splitlines())]
    assert fields == [(json.loads(line)["line"], json.loads(line)["field"]) for line in plain.stdout.splitlines()]
    assert (2, "cs-username") in fields


def test_offsets_after_the_cut_of_an_over_long_non_ascii_line_count_characters(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A line longer than the reader holds is read in pieces; a value in a later piece is placed
    by the characters before it in the line, as everywhere else (once the earlier pieces were
    counted in bytes: two per `é`)."""
    monkeypatch.setattr(reader, "MAX_LINE", 1 << 16)  # cut where a block of the line is read
    line = "é " * (3 << 20) + "email=late@example.com\n"
    path = tmp_path / "app.log"
    path.write_text(line, encoding="utf-8")
    _, records = scan_paths(path)
    assert [(r.start, r.end, r.value) for r in records] == [
        (line.index("late@"), line.index("late@") + len("late@example.com"), "late@example.com")
    ]
