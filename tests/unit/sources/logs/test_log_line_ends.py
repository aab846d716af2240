"""Logs whose lines end with a lone CR (classic Mac OS, some Windows tools' exports) are read
line by line as the same log with LF line ends is: the same lines, line numbers, fields and
values, by either path, compressed or piped, sampled or cut among processes. They were read as
one line: every value on line 1, positional fields lost after the first line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.command import run_pdscan
from support.log_helpers import COMPRESSORS, scan_paths

from pdscan.sources.logs import reader
from pdscan.sources.logs.paths import LOG_PATH_VARIABLE

ACCESS = [
    f'192.0.2.{n} - user{n} [07/Dec/2026:10:00:{n:02} +0000] "GET /?email=u{n}@example.com HTTP/1.1" 200 1 "-" "curl/8"'
    for n in range(1, 40)
]
W3C = [
    "#Fields: date time c-ip cs-username cs-uri-query",
    *(f"2026-12-07 10:00:{n:02} 192.0.2.{n} user{n} email=u{n}@example.com" for n in range(1, 20)),
    "#Fields: date time cs-username c-ip",
    *(f"2026-12-07 10:01:{n:02} carol{n} 198.51.100.{n}" for n in range(1, 20)),
]
JSON_LINES = [json.dumps({"user": {"email": f"u{n}@example.com", "ip": f"192.0.2.{n}"}}) for n in range(1, 40)]
LOGS = {"access.log": ACCESS, "u_ex.log": W3C, "app.jsonl": JSON_LINES}


def found(path: Path) -> list[tuple[int, int, int, str | None, str, str]]:
    scan, records = scan_paths(path)
    assert not scan.skipped
    return [(r.line, r.start, r.end, r.field, r.data_type, r.value) for r in records]


@pytest.mark.parametrize("name", sorted(LOGS))
@pytest.mark.parametrize("path", ["", "lines"], ids=["fast path", "line by line"])
@pytest.mark.parametrize("compression", ["", "gz", "xz"])
def test_a_log_with_lone_cr_line_ends_is_read_as_with_lf_line_ends(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, path: str, compression: str
) -> None:
    monkeypatch.setenv(LOG_PATH_VARIABLE, path)
    lf, cr = tmp_path / "lf", tmp_path / "cr"
    lf.mkdir()
    cr.mkdir()
    for folder, end in ((lf, "\n"), (cr, "\r")):
        data = end.join(LOGS[name]).encode() + end.encode()
        suffix = f".{compression}" if compression else ""
        (folder / (name + suffix)).write_bytes(COMPRESSORS[compression](data) if compression else data)
    with_lf = found(lf / (name + suffix))
    assert with_lf and max(record[0] for record in with_lf) > 30
    assert found(cr / (name + suffix)) == with_lf


def test_a_lone_cr_log_piped_is_read_as_the_file_is(tmp_path: Path) -> None:
    data = "\r".join(ACCESS).encode()
    (tmp_path / "access.log").write_bytes(data)
    from_file = run_pdscan("scan", "access.log", "--format", "ndjson", "-q", cwd=tmp_path).stdout
    piped = run_pdscan("scan", "-", "--format", "ndjson", "-q", cwd=tmp_path, stdin=data, text=False)
    assert piped.stdout.decode() == from_file.replace('"access.log"', '"<stdin>"')
    assert {json.loads(line)["line"] for line in from_file.splitlines()} == set(range(1, len(ACCESS) + 1))


def test_a_large_lone_cr_log_is_read_whole_not_cut_at_line_feeds_it_lacks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ranges and sample pieces are cut at LF bytes: a log without any is read by one unit, and
    sampled for its first bytes, to the end of a line."""
    lines = ACCESS * 2000
    (tmp_path / "access.log").write_bytes("\r".join(lines).encode() + b"\r")
    scan, _ = scan_paths(tmp_path / "access.log", jobs=2)
    assert scan.summaries[0].lines == len(lines)
    sampled, records = scan_paths(tmp_path / "access.log", sample=1 << 16)
    sample = sampled.summaries[0].sample
    assert sample is not None and sample.first and (1 << 16) <= sample.read_bytes < (1 << 16) + 200
    assert max(record.line for record in records) == sampled.summaries[0].lines < len(lines)


def test_a_lone_cr_inside_a_line_of_a_log_with_line_feeds_does_not_break_it(tmp_path: Path) -> None:
    """The head decides: a log with LF line ends keeps a CR inside a value (a progress bar's
    output, a pasted message) within its line, as `wc -l` and a range cut at LF count it."""
    (tmp_path / "app.log").write_bytes(b"step 1\rstep 2 mail a@example.com\nnext b@example.com\r\n")
    scan, records = scan_paths(tmp_path / "app.log")
    assert scan.summaries[0].lines == 2
    assert [record.line for record in records] == [1, 2]


@pytest.mark.parametrize(
    ("head", "lone"),
    [(b"a\rb\r", True), (b"a\r\nb\r\n", False), (b"a\nb\rc", False), (b"abc", False), (b"", False)],
)
def test_which_logs_end_their_lines_with_lone_crs(head: bytes, lone: bool) -> None:
    assert reader.lone_carriage_returns(head) is lone


def test_a_cr_line_end_split_between_two_reads_is_one_line_break() -> None:
    """A CR last in one read is a break of its own only when the next byte is no LF."""

    class TwoBytes:
        def __init__(self, data: bytes) -> None:
            self.data = data

        def read(self, size: int = -1) -> bytes:
            piece, self.data = self.data[:2], self.data[2:]
            return piece

    head = b"a\r" * (reader.HEAD // 2)  # no LF in the head: lone CRs end its lines
    stream = reader.line_feeds(TwoBytes(head + b"b\r\nc\r\r\rd\r"))  # type: ignore[arg-type]
    read = b"".join(iter(lambda: stream.read(2), b""))
    assert read == head.replace(b"\r", b"\n") + b"b\r\nc\n\n\nd\n"
