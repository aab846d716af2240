"""Logs that Windows tools write in UTF-16 or UTF-32 with a byte-order mark: read as their UTF-8
twin would be (the same lines, offsets and values), from files, compressed files and standard
input, in byte ranges too, and the report says which encoding was read. Without a mark,
UTF-16 stays binary."""

from __future__ import annotations

import codecs
import gzip
import json
from pathlib import Path

import pytest
from support.command import run_pdscan
from support.log_helpers import scan_paths

from pdscan.sources.logs import source as logs

BOMS = {
    "UTF-16LE": codecs.BOM_UTF16_LE,
    "UTF-16BE": codecs.BOM_UTF16_BE,
    "UTF-32LE": codecs.BOM_UTF32_LE,
    "UTF-32BE": codecs.BOM_UTF32_BE,
}
# Windows line breaks, kana (two bytes in UTF-16, three in UTF-8) and an emoji (a surrogate
# pair in UTF-16) before the values, so that offsets and piece boundaries fall inside characters.
WINDOWS_LOG = "".join(
    f"2026-11-25 06:{number % 60:02d}:00 サインイン 🙂 user{number}@example.com から 192.0.2.{number % 250 + 1} "
    f"card=4111 1111 1111 1111 seq={number}\r\n"
    for number in range(3000)
)


def encoded(text: str, encoding: str) -> bytes:
    return BOMS[encoding] + text.encode(encoding.replace("LE", "-le").replace("BE", "-be"))


def as_tuples(records: list[logs.LogRecord]) -> list[tuple]:
    return [(r.line, r.start, r.end, r.field, r.data_type, r.value) for r in records]


@pytest.mark.parametrize("compressed", [False, True], ids=["plain", "gz"])
@pytest.mark.parametrize("encoding", sorted(BOMS))
def test_a_file_with_a_byte_order_mark_is_read_as_its_utf8_twin(
    encoding: str, compressed: bool, tmp_path: Path
) -> None:
    twin = tmp_path / "twin.log"
    twin.write_bytes(WINDOWS_LOG.encode())
    path = tmp_path / ("windows.log.1.gz" if compressed else "windows.log")
    data = encoded(WINDOWS_LOG, encoding)
    path.write_bytes(gzip.compress(data) if compressed else data)

    twin_scan, expected = scan_paths(twin)
    scan, records = scan_paths(path)

    assert scan.skipped == ()
    assert as_tuples(records) == as_tuples(expected)
    assert len(records) == 3 * 3000 and records[-1].line == 3000
    (summary,) = scan.summaries
    assert (summary.status, summary.lines, summary.log_format) == ("scanned", 3000, twin_scan.summaries[0].log_format)
    assert summary.encoding == encoding and twin_scan.summaries[0].encoding is None
    assert summary.bytes == len(data), "the bytes of the log as written"


def test_a_utf16_file_larger_than_a_range_is_read_whole_by_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large plain file is cut into byte ranges for the processes; a range of UTF-16 cut at a
    0x0A byte is not a line. The file is one unit, whatever --jobs."""
    monkeypatch.setattr(logs, "RANGE", 4096)
    twin = tmp_path / "twin.log"
    twin.write_bytes(WINDOWS_LOG.encode())
    path = tmp_path / "windows.log"
    path.write_bytes(encoded(WINDOWS_LOG, "UTF-16LE"))
    assert path.stat().st_size > 2 * logs.RANGE
    _, expected = scan_paths(twin, jobs=1)
    for jobs in (1, 2):
        scan, records = scan_paths(path, jobs=jobs)
        assert as_tuples(records) == as_tuples(expected), f"--jobs {jobs}"
        assert [(s.lines, s.encoding) for s in scan.summaries] == [(3000, "UTF-16LE")]


@pytest.mark.parametrize("compressed", [False, True], ids=["plain", "gz"])
@pytest.mark.parametrize("encoding", ["UTF-16LE", "UTF-32BE"])
def test_standard_input_with_a_byte_order_mark_is_read_as_its_utf8_twin(
    encoding: str, compressed: bool, tmp_path: Path
) -> None:
    text = "".join(WINDOWS_LOG.splitlines(keepends=True)[:200])
    data = encoded(text, encoding)
    twin = run_pdscan("scan", "-", "--format", "ndjson", "--show-data", cwd=tmp_path, stdin=text.encode(), text=False)
    run = run_pdscan(
        "scan",
        "-",
        "--format",
        "ndjson",
        "--show-data",
        cwd=tmp_path,
        stdin=gzip.compress(data) if compressed else data,
        text=False,
    )
    assert run.returncode == 1, run.stderr.decode()
    assert twin.stdout.splitlines() and run.stdout.splitlines() == twin.stdout.splitlines()
    report = run_pdscan("scan", "-", "--format", "json", cwd=tmp_path, stdin=data, text=False)
    (source,) = json.loads(report.stdout)["sources"]
    assert (source["encoding"], source["status"], source["lines"]) == (encoding, "scanned", text.count("\n"))


def test_the_report_names_the_encoding_read(tmp_path: Path) -> None:
    (tmp_path / "windows.log").write_bytes(encoded(WINDOWS_LOG[:5000], "UTF-16LE"))
    (tmp_path / "app.log").write_text("login from 192.0.2.9\n")
    report = json.loads(run_pdscan("scan", ".", "--format", "json", cwd=tmp_path, text=False).stdout)
    assert {s["source"]: s["encoding"] for s in report["sources"]} == {"app.log": None, "windows.log": "UTF-16LE"}
    markdown = run_pdscan("scan", ".", "--format", "markdown", cwd=tmp_path, text=False).stdout.decode()
    assert "(plain, UTF-16LE)" in markdown and "1 lines (plain)" in markdown


def test_utf16_without_a_byte_order_mark_stays_binary_and_the_skip_says_what_it_looks_like(tmp_path: Path) -> None:
    """Told by every other byte being NUL, so only for ASCII text; a hint, the file stays unread."""
    data = "login user@example.com from 192.0.2.1\r\n".encode("utf-16-le") * 50
    (tmp_path / "nobom.log").write_bytes(data)
    for target, stdin, what in (("nobom.log", b"", "file"), ("-", data, "data")):
        run = run_pdscan("scan", target, "--format", "json", cwd=tmp_path, stdin=stdin, text=False)
        assert run.returncode == 2
        (skipped,) = json.loads(run.stdout)["skipped"]
        assert f"binary {what} (NUL or control bytes), not a text log" in skipped["reason"]
        assert "UTF-16 without a byte-order mark" in skipped["reason"]


def test_broken_utf16_is_read_with_replacement_characters(tmp_path: Path) -> None:
    """A lone surrogate and a last odd byte (a log cut mid-write) do not stop the reading."""
    lone = "\ud800".encode("utf-16-le", "surrogatepass")
    data = codecs.BOM_UTF16_LE + "ok 192.0.2.1\n".encode("utf-16-le") + lone + "x 192.0.2.2\n".encode("utf-16-le")
    (tmp_path / "cut.log").write_bytes(data + b"\x41")
    scan, records = scan_paths(tmp_path / "cut.log")
    assert [(r.line, r.value) for r in records] == [(1, "192.0.2.1"), (2, "192.0.2.2")]
    assert [(s.status, s.lines) for s in scan.summaries] == [("scanned", 3)]


def test_a_truncated_compressed_utf16_log_keeps_the_lines_before_the_end(tmp_path: Path) -> None:
    packed = gzip.compress(encoded(WINDOWS_LOG, "UTF-16LE"))
    (tmp_path / "windows.log.1.gz").write_bytes(packed[: len(packed) // 2])
    scan, records = scan_paths(tmp_path / "windows.log.1.gz")
    (summary,) = scan.summaries
    assert summary.status == "partial" and 0 < summary.lines < 3000
    (skipped,) = scan.skipped
    assert f"corrupt or truncated gzip data after line {summary.lines:,}" in skipped.reason
    (tmp_path / "twin.log").write_bytes(WINDOWS_LOG.encode())
    _, expected = scan_paths(tmp_path / "twin.log")
    assert as_tuples(records) == [record for record in as_tuples(expected) if record[0] <= summary.lines]
