"""`--log-sample SIZE`: an inventory of huge logs in seconds. A plain log larger than SIZE is
read in evenly spaced pieces cut at line starts, a compressed one for its first SIZE bytes;
what is found is exactly what a full scan finds in those bytes, and every report says what
share was read and that its counts are estimates."""

from __future__ import annotations

import bz2
import gzip
import itertools
import json
import lzma
from pathlib import Path

import pytest
import zstandard
from support.command import run_pdscan
from support.json_reports import report_schema
from support.log_helpers import scan_paths

from pdscan.cli.byte_size import parse_size
from pdscan.model import LogSample
from pdscan.sources.discovery import LogInput
from pdscan.sources.logs import sampling
from pdscan.sources.logs.source import LogField, LogRecord, LogScan, LogScanOptions, scan_logs

SAMPLE = 256 << 10
COMPRESSORS = {
    "gz": gzip.compress,
    "bz2": bz2.compress,
    "xz": lzma.compress,
    "zst": lambda data: zstandard.ZstdCompressor().compress(data),
}


def app_log(lines: int = 30_000) -> bytes:
    """A log of known content: every line numbered, most with an address or an e-mail, lines
    of different lengths so pieces never fall at regular places within lines."""
    out = []
    for number in range(1, lines + 1):
        if number % 7 == 0:
            out.append(f"2026-11-25T06:00:00Z DEBUG n={number} cache warm{'.' * (number % 13)}\n")
        else:
            out.append(
                f"2026-11-25T06:00:00Z INFO n={number} email=user{number}@example.com "
                f"ip=192.0.2.{number % 250 + 1}{' pad' * (number % 5)}\n"
            )
    return "".join(out).encode()


def w3c_log(lines: int = 12_000) -> bytes:
    head = [
        "#Software: Microsoft Internet Information Services 10.0",
        "#Version: 1.0",
        "#Fields: date time s-ip cs-method cs-uri-stem c-ip cs(User-Agent) sc-status",
    ]
    body = [
        f"2026-11-24 10:00:{number % 60:02d} 10.0.0.1 GET /page/{number} 198.51.100.{number % 250 + 1} "
        f"Mozilla/5.0+(X11;+Linux+x86_64) 200"
        for number in range(lines)
    ]
    return ("\n".join(head + body) + "\n").encode()


def zeek_log(lines: int = 12_000) -> bytes:
    head = [
        "#separator \\x09",
        "#path\thttp",
        "#fields\tts\tuid\tid.orig_h\tid.resp_h\tmethod\thost\turi\tuser_agent",
        "#types\ttime\tstring\taddr\taddr\tstring\tstring\tstring\tstring",
    ]
    body = [
        f"1764000000.{number:06d}\tC{number:08d}\t198.51.100.{number % 250 + 1}\t10.0.0.1\tGET\texample.com"
        f"\t/p/{number}\tMozilla/5.0 (X11; Linux x86_64)"
        for number in range(lines)
    ]
    return ("\n".join(head + body) + "\n").encode()


def found(scan: LogScan, records: list[LogRecord]) -> tuple[object, ...]:
    """Everything a scan found, without the file's name: records, fields, lines and bytes read."""
    return (
        [(r.line, r.start, r.end, r.field, r.data_type, r.value) for r in records],
        [_field(f) for f in scan.fields],
        [(s.status, s.lines, s.bytes, s.log_format) for s in scan.summaries],
    )


def _field(found_field: LogField) -> tuple[object, ...]:
    line_of = lambda where: int(where.rsplit(":", 1)[1])  # noqa: E731
    return (
        found_field.field,
        found_field.data_type,
        found_field.count,
        line_of(found_field.first),
        line_of(found_field.last),
        found_field.samples,
        found_field.detectors,
    )


def pieces_of(path: Path, sample: int) -> list[tuple[int, int]]:
    with path.open("rb") as handle:
        return sampling.sample_pieces(handle, path.stat().st_size, sample)


def scan_of_pieces(tmp_path: Path, path: Path, sample: int) -> tuple[object, ...]:
    """A full scan of a file holding exactly the sampled pieces, one after another."""
    data = path.read_bytes()
    joined = tmp_path / f"pieces-of-{path.name}"
    joined.write_bytes(b"".join(data[start:end] for start, end in pieces_of(path, sample)))
    return found(*scan_paths(joined, jobs=1))


def test_sizes_are_read_as_a_command_line_writes_them() -> None:
    assert parse_size("64M") == 64 << 20
    assert parse_size("64MiB") == parse_size("64mb") == 64 << 20
    assert parse_size("512k") == 512 << 10
    assert parse_size("1G") == 1 << 30
    assert parse_size("1048576") == 1 << 20
    for bad in ("0", "0M", "", "M", "-5M", "1.5M", "64 megabytes", "abc"):
        assert parse_size(bad) is None, bad


def test_pieces_are_evenly_spaced_whole_lines_totalling_about_the_sample(tmp_path: Path) -> None:
    path = tmp_path / "app.log"
    data = app_log()
    path.write_bytes(data)
    pieces = pieces_of(path, SAMPLE)
    assert len(pieces) == sampling.piece_count(SAMPLE) == 4
    assert pieces[0][0] == 0, "the first piece holds the file's first lines (and any header)"
    for start, end in pieces:
        assert start == 0 or data[start - 1 : start] == b"\n", "a piece starts at a line start"
        assert data[end - 1 : end] == b"\n", "a piece ends at a line end"
    assert all(end <= next_start for (_, end), (next_start, _) in itertools.pairwise(pieces))
    longest_line = max(len(line) for line in data.splitlines(keepends=True))
    read = sum(end - start for start, end in pieces)
    assert SAMPLE <= read <= SAMPLE + len(pieces) * longest_line
    stride = len(data) // len(pieces)
    for index, (start, _) in enumerate(pieces):
        assert index * stride <= start < index * stride + longest_line, "spread over the whole file"


@pytest.mark.parametrize("share", [0.3, 0.9, 0.999])
def test_a_sample_near_the_file_size_gives_pieces_that_never_overlap(tmp_path: Path, share: float) -> None:
    path = tmp_path / "app.log"
    data = app_log(20_000)
    path.write_bytes(data)
    pieces = pieces_of(path, int(len(data) * share))
    assert all(end <= next_start for (_, end), (next_start, _) in itertools.pairwise(pieces))
    assert all(start < end <= len(data) for start, end in pieces)
    assert all(start == 0 or data[start - 1 : start] == b"\n" for start, _ in pieces)


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_sampled_log_finds_what_a_full_scan_of_its_pieces_finds(tmp_path: Path, jobs: int) -> None:
    path = tmp_path / "app.log"
    path.write_bytes(app_log())
    scan, records = scan_paths(path, jobs=jobs, sample=SAMPLE)
    assert found(scan, records) == scan_of_pieces(tmp_path, path, SAMPLE)
    assert {(r.field, r.data_type) for r in records} == {
        ("email", "user.contact.email"),
        ("ip", "user.device.ip_address"),
    }
    read = sum(end - start for start, end in pieces_of(path, SAMPLE))
    (summary,) = scan.summaries
    assert summary.sample == LogSample(read_bytes=read, file_bytes=path.stat().st_size)
    assert summary.sample.share == pytest.approx(read / path.stat().st_size)
    assert summary.bytes == read


@pytest.mark.parametrize("maker", [w3c_log, zeek_log], ids=["w3c", "zeek"])
def test_every_piece_of_a_headed_log_is_read_by_the_file_header(tmp_path: Path, maker: object) -> None:
    """Pieces after the first start among data lines: they are read with the columns the
    file's header names, as a full scan of the pieces (header first) reads them."""
    path = tmp_path / "access.log"
    path.write_bytes(maker())  # type: ignore[operator]
    scan, records = scan_paths(path, jobs=2, sample=SAMPLE)
    assert found(scan, records) == scan_of_pieces(tmp_path, path, SAMPLE)
    first_piece_lines = path.read_bytes()[: pieces_of(path, SAMPLE)[0][1]].count(b"\n")
    assert max(r.line for r in records) > first_piece_lines, "later pieces were read"
    names = ("c-ip", "s-ip", "cs(User-Agent)") if maker is w3c_log else ("id.orig_h", "id.resp_h", "user_agent")
    assert {(r.field, r.data_type) for r in records} == {
        (names[0], "user.device.ip_address"),
        (names[1], "user.device.ip_address"),
        (names[2], "user.device.user_agent"),
    }, "every value read in the columns the header names"


def full_scan_in_pieces(path: Path, sample: int) -> list[tuple[object, ...]]:
    """What a full scan of the file finds on the lines of the sampled pieces, in order."""
    data = path.read_bytes()
    lines = [(data.count(b"\n", 0, start) + 1, data.count(b"\n", 0, end)) for start, end in pieces_of(path, sample)]
    _, records = scan_paths(path, jobs=1)
    return [placed(r) for r in records if any(first <= r.line <= last for first, last in lines)]


def placed(record: LogRecord) -> tuple[object, ...]:
    return record.start, record.end, record.field, record.data_type, record.value


def w3c_log_with_columns_swapped_once(lines: int = 24_000) -> bytes:
    """A W3C log whose two columns swap once, three eighths into the file: after a restart with a
    new configuration, in a part between the pieces a sample reads (they start at each quarter)."""
    out = ["#Software: Microsoft Internet Information Services 10.0", "#Fields: date time c-ip cs(User-Agent)"]
    for number in range(lines):
        if number == lines * 3 // 8:
            out += ["#Software: Microsoft Internet Information Services 10.0", "#Fields: date time cs(User-Agent) c-ip"]
        values = [f"198.51.100.{number % 250 + 1}", "Mozilla/5.0+(X11;+Linux)"]
        out.append(f"2026-11-24 10:00:{number % 60:02d} " + " ".join(values[:: 1 if number < lines * 3 // 8 else -1]))
    return ("\n".join(out) + "\n").encode()


def test_a_piece_is_read_by_the_header_in_force_where_it_starts_in_the_file(tmp_path: Path) -> None:
    """Columns that change between the pieces a sample reads name each piece's values as a full
    scan names them there, not as the header of the piece before does."""
    path = tmp_path / "u_ex1.log"
    path.write_bytes(w3c_log_with_columns_swapped_once())
    pieces = pieces_of(path, SAMPLE)
    data = path.read_bytes()
    gaps = [data[end:start] for (_, end), (start, _) in itertools.pairwise(pieces)]
    assert not any(b"#Fields:" in data[start:end] for start, end in pieces[1:]), "no piece holds the change"
    assert any(b"#Fields:" in gap for gap in gaps), "the columns change between two pieces"
    expected = full_scan_in_pieces(path, SAMPLE)
    assert {(record[2], record[3]) for record in expected} == {
        ("c-ip", "user.device.ip_address"),
        ("cs(User-Agent)", "user.device.user_agent"),
    }
    for jobs in (1, 2):
        _, records = scan_paths(path, jobs=jobs, sample=SAMPLE)
        assert [placed(r) for r in records] == expected


def test_an_object_in_storage_is_sampled_by_ranged_reads_as_the_file_is(tmp_path: Path) -> None:
    """A `file://` URL goes through the storage layer (fsspec) as an s3:// object does."""
    pytest.importorskip("fsspec")
    path = tmp_path / "app.log"
    path.write_bytes(app_log())
    local = scan_paths(path, jobs=1, sample=SAMPLE)
    records: list[LogRecord] = []
    remote = scan_logs(
        [LogInput(f"file://{path}", "app")], LogScanOptions(jobs=1, show_data=True, sample=SAMPLE), records.append
    )
    assert found(remote, records) == found(*local)
    assert remote.summaries[0].sample == local[0].summaries[0].sample


def test_a_log_no_larger_than_the_sample_is_read_whole_and_not_called_sampled(tmp_path: Path) -> None:
    path = tmp_path / "app.log"
    path.write_bytes(app_log(2_000))
    assert path.stat().st_size < SAMPLE
    whole = scan_paths(path, jobs=1)
    sampled = scan_paths(path, jobs=1, sample=SAMPLE)
    assert sampled == whole
    assert sampled[0].summaries[0].sample is None
    exact = scan_paths(path, jobs=1, sample=path.stat().st_size)
    assert exact == whole


@pytest.mark.parametrize("suffix", sorted(COMPRESSORS))
def test_a_compressed_log_is_read_for_its_first_size_to_a_line_end(tmp_path: Path, suffix: str) -> None:
    text = app_log(8_000)
    path = tmp_path / f"app.log.1.{suffix}"
    path.write_bytes(COMPRESSORS[suffix](text))
    scan, records = scan_paths(path, jobs=1, sample=64 << 10)
    cut = text.index(b"\n", (64 << 10) - 1) + 1
    first = tmp_path / "first.log"
    first.write_bytes(text[:cut])
    assert found(scan, records) == found(*scan_paths(first, jobs=1))
    assert scan.summaries[0].sample == LogSample(read_bytes=cut, file_bytes=path.stat().st_size, first=True)
    assert scan.summaries[0].sample.share is None

    whole = scan_paths(path, jobs=1)
    assert scan_paths(path, jobs=1, sample=len(text)) == whole, "a stream that ends within SIZE is read whole"
    assert scan_paths(path, jobs=1, sample=len(text))[0].summaries[0].sample is None


def test_a_utf16_log_cannot_be_cut_at_line_breaks_and_is_read_for_its_first_size(tmp_path: Path) -> None:
    text = app_log(3_000)
    path = tmp_path / "app.log"
    path.write_bytes(text.decode().encode("utf-16"))  # with its byte-order mark
    scan, records = scan_paths(path, jobs=1, sample=16 << 10)
    cut = text.index(b"\n", (16 << 10) - 1) + 1
    first = tmp_path / "first.log"
    first.write_bytes(text[:cut])
    assert found(scan, records)[:2] == found(*scan_paths(first, jobs=1))[:2]
    assert scan.summaries[0].lines == text[:cut].count(b"\n")
    assert scan.summaries[0].sample is not None and scan.summaries[0].sample.first


def test_a_sample_ending_exactly_at_a_line_end_reads_no_more(tmp_path: Path) -> None:
    text = app_log(3_000)
    cut = text.index(b"\n", 10_000) + 1
    path = tmp_path / "app.log.gz"
    path.write_bytes(gzip.compress(text))
    scan, _ = scan_paths(path, jobs=1, sample=cut)
    assert scan.summaries[0].sample == LogSample(cut, path.stat().st_size, first=True)
    assert scan.summaries[0].lines == text[:cut].count(b"\n")


def test_a_truncated_gzip_is_partial_as_in_a_full_scan_or_sampled_before_the_damage(tmp_path: Path) -> None:
    text = app_log(8_000)
    packed = gzip.compress(text)
    path = tmp_path / "app.log.gz"
    path.write_bytes(packed[: len(packed) // 2])
    whole = scan_paths(path, jobs=1)
    assert whole[0].summaries[0].status == "partial"
    assert scan_paths(path, jobs=1, sample=len(text)) == whole, "the damage comes before SIZE: as a full scan"
    scan, _ = scan_paths(path, jobs=1, sample=16 << 10)
    assert scan.summaries[0].status == "scanned", "the damage lies past what the sample reads"
    assert scan.summaries[0].sample is not None
    assert not scan.skipped


def test_a_piece_landing_inside_a_very_long_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No piece starts inside a line longer than the reader's longest: a place within it gives
    no piece; a piece whose share ends in it ends that far on."""
    monkeypatch.setattr(sampling, "LONGEST_LINE", 64 << 10)
    head, tail = app_log(6_000), app_log(6_000)
    long_line = b"x" * (1 << 20) + b" user@example.com\n"
    data = head + long_line + tail
    path = tmp_path / "app.log"
    path.write_bytes(data)
    pieces = pieces_of(path, SAMPLE)
    inside = range(len(head) + 1, len(head) + len(long_line))
    assert not any(start in inside for start, _ in pieces)
    assert all(end <= len(head) + (64 << 10) + SAMPLE or end not in inside for _, end in pieces)
    scan, records = scan_paths(path, jobs=1, sample=SAMPLE)
    assert scan.summaries[0].status == "scanned"
    assert records and scan.summaries[0].sample is not None


def test_standard_input_is_read_for_its_first_size(tmp_path: Path) -> None:
    text = app_log(4_000).decode()
    result = run_pdscan("scan", "-", "--log-sample", "16K", "--format", "json", "--fail-on", "never", "-q", stdin=text)
    assert result.returncode == 0, result.stderr
    (source,) = json.loads(result.stdout)["sources"]
    assert source["sample"]["part"] == "first"
    assert source["lines"] == text[: text.index("\n", (16 << 10) - 1) + 1].count("\n")


@pytest.mark.parametrize("bad", ["0", "garbage", "-1M", "1.5G"])
def test_a_size_that_is_not_one_is_a_usage_error(tmp_path: Path, bad: str) -> None:
    (tmp_path / "app.log").write_bytes(app_log(10))
    result = run_pdscan("scan", str(tmp_path / "app.log"), "--log-sample", bad)
    assert result.returncode == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error")]
    assert len(errors) == 1 and "--log-sample" in errors[0] and "not a size" in errors[0], result.stderr
    assert "Traceback" not in result.stderr


@pytest.fixture(scope="module")
def sampled_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("sampled")
    (folder / "app.log").write_bytes(app_log())
    (folder / "old.log.1.gz").write_bytes(gzip.compress(app_log(8_000)))
    (folder / "small.log").write_bytes(app_log(100))
    return folder


def report(folder: Path, fmt: str, *extra: str) -> str:
    result = run_pdscan(
        "scan", str(folder), "--log-sample", "256K", "--format", fmt, "--fail-on", "never", "-q", *extra
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_json_report_says_per_log_what_was_read(sampled_folder: Path) -> None:
    import jsonschema

    document = json.loads(report(sampled_folder, "json"))
    jsonschema.validate(document, report_schema())
    assert document["schema_version"] == "1.8.0"
    by_name = {Path(source["source"]).name: source for source in document["sources"]}
    plain = by_name["app.log"]["sample"]
    assert plain["part"] == "pieces"
    assert plain["file_bytes"] == (sampled_folder / "app.log").stat().st_size
    assert plain["read_bytes"] == by_name["app.log"]["bytes"]
    assert plain["share"] == pytest.approx(plain["read_bytes"] / plain["file_bytes"])
    packed = by_name["old.log.1.gz"]["sample"]
    assert packed["part"] == "first" and packed["share"] is None and packed["read_bytes"] >= 256 << 10
    assert by_name["small.log"]["sample"] is None


@pytest.mark.parametrize("fmt", ["table", "markdown", "html"])
def test_every_report_for_people_says_the_share_read_and_that_counts_are_estimates(
    sampled_folder: Path, fmt: str
) -> None:
    text = report(sampled_folder, fmt)
    share = json.loads(report(sampled_folder, "json"))["sources"]
    percent = next(s for s in share if s["source"].endswith("app.log"))["sample"]["share"] * 100
    assert f"sampled: {percent:.1f} % read, counts are estimates" in text
    assert "sampled: first 256.1 KiB read, counts are estimates" in text
    assert text.count("counts are estimates") == 2, "small.log was read whole"


@pytest.mark.parametrize("fmt", ["table", "markdown", "html"])
def test_a_russian_report_says_it_in_russian(sampled_folder: Path, fmt: str) -> None:
    text = report(sampled_folder, fmt, "--lang", "ru")
    assert "counts are estimates" not in text
    assert text.count("числа приблизительные") == 2


def test_stderr_says_it_for_outputs_without_source_summaries(sampled_folder: Path) -> None:
    result = run_pdscan("scan", str(sampled_folder), "--log-sample", "256K", "--format", "ndjson", "--fail-on", "never")
    assert "2 of 3 log(s) sampled (--log-sample): their counts are estimates" in result.stderr
    quiet = run_pdscan("scan", str(sampled_folder), "--format", "ndjson", "--fail-on", "never")
    assert "sampled" not in quiet.stderr, "nothing said without --log-sample"


def test_the_inventory_says_it_too(sampled_folder: Path) -> None:
    result = run_pdscan("inventory", str(sampled_folder), "--log-sample", "256K", "-q")
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("counts are estimates") == 2
    document = json.loads(
        run_pdscan("inventory", str(sampled_folder), "--log-sample", "256K", "--format", "json").stdout
    )
    assert [s["sample"]["part"] for s in document["sources"] if s["sample"]] == ["pieces", "first"]


class _Counted:
    """An object store in memory that counts the bytes each ranged read fetches, with the
    50 MiB read-ahead block s3fs uses by default."""

    def __init__(self, data: bytes) -> None:
        import fsspec.spec

        self.data = data
        self.fetched: list[int] = []
        store = self

        class File(fsspec.spec.AbstractBufferedFile):
            def _fetch_range(self, start: int, end: int) -> bytes:
                store.fetched.append(end - start)
                return store.data[start:end]

        class Filesystem(fsspec.AbstractFileSystem):
            def _open(self, path: str, mode: str = "rb", block_size: int | None = None, **options: object) -> File:
                return File(self, path, mode, block_size or 50 << 20, cache_type="readahead", size=len(store.data))

            def size(self, path: str) -> int:
                return len(store.data)

        self.filesystem = Filesystem(skip_instance_cache=True)


def test_a_sampled_object_fetches_about_what_is_read_not_a_storage_block_per_piece(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pdscan.sources.logs import storage

    data = app_log(60_000)
    store = _Counted(data)
    monkeypatch.setattr(storage, "_filesystem", lambda url: (store.filesystem, "bucket/app.log"))
    path = tmp_path / "app.log"
    path.write_bytes(data)
    local = scan_paths(path, jobs=1, sample=SAMPLE)
    records: list[LogRecord] = []
    options = LogScanOptions(jobs=1, show_data=True, sample=SAMPLE)
    remote = scan_logs([LogInput("s3://bucket/app.log", "app")], options, records.append)
    assert found(remote, records) == found(*local)
    read = remote.summaries[0].bytes
    fetched = sum(store.fetched)
    assert fetched < 2 * read, f"fetched {fetched:,} in {len(store.fetched)} reads for {read:,} read"
