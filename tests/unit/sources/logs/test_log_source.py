"""The log source as users meet it: compressed and rotated files, standard input, processes,
and values that must stay masked. Bad input that must be skipped with a clear reason is in
test_hostile_inputs.py."""

from __future__ import annotations

import contextlib
import gzip
import itertools
import json
import os
from pathlib import Path

import pytest
from support.command import PDSCAN, run_pdscan
from support.log_helpers import COMPRESSORS, scan_paths
from support.stop_between_forks import Moment, Receiver, stop_between_forks

from pdscan.sources.discovery import LogInput, log_identity
from pdscan.sources.logs import source as logs

APP_LOG = "".join(
    f"2026-11-25T06:{minute:02d}:00Z INFO signup email=user{minute}@example.com ip=192.0.2.{minute + 1} "
    f"card=4111 1111 1111 1111 order={1700000000000 + minute}\n"
    for minute in range(40)
)


def records_as_tuples(records: list[logs.LogRecord]) -> list[tuple[int, int, int, str | None, str, str]]:
    return [(r.line, r.start, r.end, r.field, r.data_type, r.value) for r in records]


@pytest.mark.parametrize("suffix", sorted(COMPRESSORS))
def test_compressed_logs_are_read_as_streams_with_the_same_lines(tmp_path: Path, suffix: str) -> None:
    plain = tmp_path / "app.log"
    plain.write_text(APP_LOG)
    packed = tmp_path / f"app.log.1.{suffix}"
    packed.write_bytes(COMPRESSORS[suffix](APP_LOG.encode()))
    _, expected = scan_paths(plain)
    scan, records = scan_paths(packed)
    assert records_as_tuples(records) == records_as_tuples(expected)
    assert len(records) == 120  # 40 lines x (e-mail, address, card)
    assert [s.lines for s in scan.summaries] == [40]
    assert not list(tmp_path.glob("*.tmp")) and sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["app.log", f"app.log.1.{suffix}"]
    ), "nothing is inflated to disk"


def test_a_line_longer_than_a_block_is_read_in_pieces(tmp_path: Path) -> None:
    path = tmp_path / "huge.log"
    with path.open("wb") as handle:
        handle.write(b"x" * (logs.RANGE // 2) + b" first@example.com ")
        handle.write(b"y" * (20 << 20) + b" last@example.com\nnext line 192.0.2.7\n")
    _, records = scan_paths(path)
    assert [(r.line, r.value) for r in records] == [(1, "first@example.com"), (1, "last@example.com"), (2, "192.0.2.7")]
    assert records[1].start == path.read_bytes().index(b"last@example.com"), "offsets count from the line's start"


def test_processes_and_byte_ranges_give_what_one_process_gives(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(logs, "RANGE", 4096)  # many small ranges, cut inside lines
    path = tmp_path / "app.log"
    path.write_text(APP_LOG * 20)
    second = tmp_path / "app.log.1"
    second.write_text(APP_LOG)
    one_scan, one = scan_paths(second, path, jobs=1)
    many_scan, many = scan_paths(second, path, jobs=2)
    assert records_as_tuples(many) == records_as_tuples(one)
    assert [r.line for r in one if r.source == str(path)][-1] == 800
    assert many_scan.fields == one_scan.fields
    assert many_scan.summaries == one_scan.summaries


def _planned(*paths: Path, processes: int) -> list[list[logs.Unit]]:
    """Each file's units as a scan shared among `processes` would read them."""
    inputs = [LogInput(path, log_identity(str(path))) for path in paths]
    return [plan.units for _, plan in logs._plans(inputs, None, processes=processes)]  # type: ignore[union-attr]


def _assert_covers(units: list[logs.Unit], text: bytes) -> None:
    """The ranges follow one another over the whole file, each from a line's start."""
    assert units[0].start == 0 and sum(unit.length or 0 for unit in units) == len(text)
    for unit, after in itertools.pairwise(units):
        assert after.start == unit.start + (unit.length or 0) and text[after.start - 1 : after.start] == b"\n"


def test_a_large_file_ends_together_on_every_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file of 2.4 ranges was read as 8 + 8 + 2.4: two processes read two ranges side by side,
    then one read the last alone. Now it is cut into a multiple of the processes, of about
    equal lengths (one process: ranges of at most RANGE, as before)."""
    monkeypatch.setattr(logs, "RANGE", 4096)
    path = tmp_path / "app.log"
    path.write_text(APP_LOG * 2)  # 2.4 ranges of 4 KiB
    text = path.read_bytes()
    assert 2 * logs.RANGE < len(text) < 3 * logs.RANGE
    for processes, count in ((1, 3), (2, 4), (4, 4)):
        (units,) = _planned(path, processes=processes)
        assert len(units) == count, processes
        _assert_covers(units, text)
        lengths = [unit.length or 0 for unit in units]
        assert max(lengths) - min(lengths) <= 2 * len(APP_LOG.splitlines()[0]) + 2, "equal but for a line at each end"


def test_a_file_under_two_ranges_is_shared_when_it_is_most_of_the_scan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 12 MB log alone used to be one unit: `--jobs 2` read it in one process. It is cut among
    the processes when it is more than one process's share of the scan, into ranges no smaller
    than RANGE / SMALLEST_RANGE; beside a larger file, or with one process, it stays whole."""
    monkeypatch.setattr(logs, "RANGE", 4096)
    path = tmp_path / "app.log"
    path.write_text(APP_LOG)  # about 1.2 ranges
    bigger = tmp_path / "other.log"
    bigger.write_text(APP_LOG * 2)
    small = tmp_path / "small.log"
    small.write_text(APP_LOG[: logs.RANGE // logs.SMALLEST_RANGE + 100])
    (units,) = _planned(path, processes=2)
    assert len(units) == 2
    _assert_covers(units, path.read_bytes())
    assert [len(units) for units in _planned(path, processes=1)] == [1]
    assert [len(units) for units in _planned(path, small, processes=2)] == [2, 1], "a small file is not cut"
    assert [len(units) for units in _planned(path, bigger, processes=2)] == [1, 4], "its share: two files, two units"
    one_scan, one = scan_paths(path, jobs=1)
    shared_scan, shared = scan_paths(path, jobs=2)
    assert records_as_tuples(shared) == records_as_tuples(one) and len(one) == 120
    assert (shared_scan.fields, shared_scan.summaries) == (one_scan.fields, one_scan.summaries)


def _header_changing_log(log_format: str) -> str:
    """A W3C or Zeek log whose columns change order at each new header (a server restart, or
    logs appended together), each block long enough to span several 4 KiB ranges; one block's
    header is followed by more comment lines than a range is primed with."""
    if log_format == "w3c":
        blocks = [("c-ip", "cs(User-Agent)"), ("cs(User-Agent)", "c-ip"), ("c-ip", "cs(User-Agent)")]
        lines: list[str] = []
        for number, columns in enumerate(blocks):
            lines += ["#Software: Microsoft Internet Information Services 10.0", "#Version: 1.0"]
            lines.append("#Fields: date time " + " ".join(columns))
            lines += [f"#Remark: restart {number}.{remark}" for remark in range(40 if number == 1 else 0)]
            values = {"c-ip": f"198.51.100.{number + 1}", "cs(User-Agent)": "Mozilla/5.0"}
            lines += [f"2026-11-24 10:0{number}:00 " + " ".join(values[c] for c in columns)] * 300
        return "\n".join(lines) + "\n"
    blocks = [("id.orig_h", "user_agent"), ("user_agent", "id.orig_h"), ("id.orig_h", "user_agent")]
    lines = []
    for number, columns in enumerate(blocks):
        lines += ["#separator \\x09", "#path\thttp", "#fields\tts\t" + "\t".join(columns), "#types\ttime\taddr\tstring"]
        values = {"id.orig_h": f"198.51.100.{number + 1}", "user_agent": "Mozilla/5.0"}
        lines += [f"1764000000.{number}\t" + "\t".join(values[c] for c in columns)] * 300
        lines.append("#close\t2026-11-24-10-00-00")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("log_format", ["w3c", "zeek"])
def test_a_range_reads_its_columns_by_the_last_header_before_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, log_format: str
) -> None:
    """A range of a large file starts with the header lines in effect at its first byte, not
    those of the file's start: the same lines and values as the file read in one piece (a
    compressed file is one unit), whatever the processes. Read by the old header, addresses were
    reported as user agents and shown raw."""
    monkeypatch.setattr(logs, "RANGE", 4096)
    text = _header_changing_log(log_format)
    plain = tmp_path / "u_ex1.log"
    plain.write_text(text)
    packed = tmp_path / "u_ex1.log.1.gz"
    packed.write_bytes(gzip.compress(text.encode()))
    whole_scan, whole = scan_paths(packed, jobs=1)
    for jobs in (1, 2):
        scan, records = scan_paths(plain, jobs=jobs)
        assert records_as_tuples(records) == records_as_tuples(whole), f"--jobs {jobs}"
        assert [s.lines for s in scan.summaries] == [s.lines for s in whole_scan.summaries]
    address_field = "c-ip" if log_format == "w3c" else "id.orig_h"
    assert {(r.field, r.data_type) for r in whole} == {
        (address_field, "user.device.ip_address"),
        ("cs(User-Agent)" if log_format == "w3c" else "user_agent", "user.device.user_agent"),
    }
    assert len(whole) == 2 * 900


def test_findings_count_rotated_copies_as_one_log_oldest_first(tmp_path: Path) -> None:
    (tmp_path / "access.log").write_text(
        '192.0.2.1 - - [25/Nov/2026:06:00:00 +0000] "GET / HTTP/1.1" 200 1 "-" "curl/8"\n'
    )
    (tmp_path / "access.log.2.gz").write_bytes(
        gzip.compress(b'192.0.2.2 - - [23/Nov/2026:06:00:00 +0000] "GET / HTTP/1.1" 200 1 "-" "curl/8"\n')
    )
    result = run_pdscan("scan", ".", "--format", "json", "-q", cwd=tmp_path)
    report = json.loads(result.stdout)
    (addresses,) = [f for f in report["findings"] if f["category"] == "ip_address"]
    assert addresses["location"]["source"] == "access.log"
    assert addresses["occurrences"]["count"] == 2
    assert addresses["occurrences"]["first"] == "access.log.2.gz:1"
    assert addresses["occurrences"]["last"] == "access.log:1"

    table = run_pdscan("scan", ".", "--format", "table", cwd=tmp_path).stdout
    assert "2 · access.log.2.gz:1 → access.log:1" in " ".join(table.split()), "each end names its file"
    csv_rows = run_pdscan("scan", ".", "--format", "csv", "-q", cwd=tmp_path).stdout.splitlines()
    assert any(",remote_host,access.log.2.gz:1," in row for row in csv_rows), "a log place is where it first holds data"


def test_standard_input_is_a_log_when_it_is_not_sql(tmp_path: Path) -> None:
    result = run_pdscan("scan", "-", "--format", "ndjson", cwd=tmp_path, stdin="boot ok\nlogin from 203.0.113.5\n")
    assert result.returncode == 1
    (record,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert record == {
        "source": "<stdin>",
        "line": 2,
        "start": 11,
        "end": 22,
        "field": None,
        "data_type": "user.device.ip_address",
        "category": "ip_address",
        "value": "203.0.113.x",
    }


@pytest.mark.parametrize("ending", ["\n", ""], ids=["line break", "no line break"])
def test_a_single_line_on_standard_input_is_read_in_its_format(tmp_path: Path, ending: str) -> None:
    """`kubectl logs pod | pdscan scan -` with one JSON line: its format is known from that line
    (once it was left out as possibly cut, and the line was read as plain text: fields lost)."""
    line = (
        '{"user":{"email":"a.b@example.com"},"request":{"headers":{"user-agent":"Mozilla/5.0 (X11; Linux '
        'x86_64) Firefox/120.0"}},"device":{"idfa":"6D92078A-8246-4BA4-AE5B-76104861E7DC"}}'
    )
    result = run_pdscan("scan", "-", "--format", "ndjson", cwd=tmp_path, stdin=line + ending)
    assert result.returncode == 1, result.stderr
    fields = [(record["field"], record["category"]) for record in map(json.loads, result.stdout.splitlines())]
    assert fields == [("user.email", "email"), ("request.headers.user-agent", "device"), ("device.idfa", "device_id")]


def test_ndjson_streams_every_occurrence_masked_unless_show_data(tmp_path: Path) -> None:
    (tmp_path / "app.log").write_text(APP_LOG)
    masked = run_pdscan("scan", "app.log", "--format", "ndjson", "-q", cwd=tmp_path)
    shown = run_pdscan("scan", "app.log", "--format", "ndjson", "--show-data", cwd=tmp_path)
    masked_records = [json.loads(line) for line in masked.stdout.splitlines()]
    shown_records = [json.loads(line) for line in shown.stdout.splitlines()]
    assert len(masked_records) == len(shown_records) == 120
    assert {r["value"] for r in masked_records if r["category"] == "credit_card"} == {"4*** **** **** 1111"}
    assert {r["value"] for r in shown_records if r["category"] == "credit_card"} == {"4111 1111 1111 1111"}
    assert "user1@example.com" not in masked.stdout + masked.stderr
    assert "--show-data" in shown.stderr, "showing raw values is said out loud"
    lines = APP_LOG.splitlines()
    for record in shown_records:
        assert lines[record["line"] - 1][record["start"] : record["end"]] == record["value"]
    for line in masked.stdout.splitlines():
        assert line == json.dumps(json.loads(line), ensure_ascii=False), "one JSON object per line, as json.dumps"


def test_log_declarations_and_the_plaintext_warning(tmp_path: Path) -> None:
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "app.log").write_text(APP_LOG)
    (tmp_path / "pdscan.yml").write_text(
        "version: 1\nlogs:\n  'logs/app.log':\n    categories:\n      ip_address: [fraud_prevention]\n"
        "      email: [advertising]\n    fields:\n      card: [payment]\n"
    )
    result = run_pdscan("scan", "logs", "--format", "json", cwd=tmp_path)
    findings = {f["category"]: f for f in json.loads(result.stdout)["findings"]}
    assert findings["ip_address"]["verdict"] == "ok"
    assert findings["email"]["verdict"] == "purpose_not_permitted"
    assert findings["credit_card"]["verdict"] == "ok"
    assert findings["credit_card"]["warnings"] == ["plaintext_sensitive"]
    assert findings["ip_address"]["warnings"] == []
    assert result.returncode == 1


def run_on_terminal(tmp_path: Path, extra_env: dict[str, str]) -> str:
    """Run a scan with stderr on a pseudo-terminal; what the terminal showed."""
    from support.terminal import stderr_on_terminal

    command = [str(PDSCAN), "scan", "app.log", "--format", "json", "--output", "report.json"]
    return stderr_on_terminal(command, tmp_path, extra_env)


def test_the_progress_bar_shows_on_a_terminal_but_not_in_ci_or_pipes(tmp_path: Path) -> None:
    (tmp_path / "app.log").write_text(APP_LOG * 50)
    assert "reading logs" in run_on_terminal(tmp_path, {})
    assert "reading logs" not in run_on_terminal(tmp_path, {"CI": "true"})
    piped = run_pdscan("scan", "app.log", "--format", "json", "--output", "report.json", cwd=tmp_path)
    assert "reading logs" not in piped.stderr


def test_standard_input_streams_records_while_it_stays_open(tmp_path: Path) -> None:
    import subprocess
    import threading

    process = subprocess.Popen(
        [str(PDSCAN), "scan", "-", "--format", "ndjson", "-q"],
        cwd=tmp_path,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdin and process.stdout
    process.stdin.write("first request from 198.51.100.40\n")
    process.stdin.flush()
    first: list[str] = []
    reader = threading.Thread(target=lambda: first.append(process.stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout=30)
    try:
        assert first and json.loads(first[0])["value"] == "198.51.100.x", "a record before the input ends"
    finally:
        process.stdin.write("second from 198.51.100.41\n")
        process.stdin.close()
        rest = process.stdout.read()
        process.wait(timeout=30)
    assert [json.loads(line)["line"] for line in rest.splitlines()] == [2]


def test_batches_hold_about_eight_mib_of_log_to_read_compressed_or_not() -> None:
    """Many small files travel together; rotated .gz copies count by the log they hold, so one
    worker does not get sixty-four of them while the other waits."""
    from pdscan.sources.logs.execution.local import BATCH_UNITS, batches_of
    from pdscan.sources.logs.unit import Unit

    small = [Unit(0, f"tiny{n}.log", "plain", (), size=1000) for n in range(200)]
    assert [len(batch) for batch in batches_of(small)] == [BATCH_UNITS, BATCH_UNITS, BATCH_UNITS, 8]
    rotated = [Unit(0, f"app.log.{n}.gz", "plain", (), "gzip", size=300_000) for n in range(64)]
    assert max(len(batch) for batch in batches_of(rotated)) == 3  # 3 x 300 kB x 8 <= 8 MiB < 4 x ...
    ranges = [Unit(0, "big.log", "plain", (), None, n << 23, 1 << 23, 1 << 23) for n in range(4)]
    assert [len(batch) for batch in batches_of(ranges)] == [1, 1, 1, 1]


def test_a_forced_format_that_fits_no_line_is_said(tmp_path: Path) -> None:
    """`--log-format json` on an access log reads it as plain text, losing the fields known by
    position (`user_agent`, `remote_user`): the user is told, not left to wonder."""
    (tmp_path / "access.log").write_text(
        '192.0.2.1 - bob [24/Nov/2026:10:15:40 +0000] "GET / HTTP/1.1" 200 5 "-" "curl/8.5.0"\n'
    )
    misfit = run_pdscan("scan", "access.log", "--log-format", "json", "--format", "json", cwd=tmp_path)
    assert "access.log: --log-format json fits none of its first lines" in misfit.stderr
    assert "(they look like access)" in misfit.stderr
    fitting = run_pdscan("scan", "access.log", "--log-format", "access", "--format", "json", cwd=tmp_path)
    assert "fits none" not in fitting.stderr
    assert {f["location"]["column"] for f in json.loads(fitting.stdout)["findings"]} >= {"remote_user", "user_agent"}


def test_log_processes_are_at_most_one_per_core_and_a_lowered_jobs_is_said(tmp_path: Path) -> None:
    """`--jobs 150` on two cores started 150 workers taking turns on them, each with its own
    memory and engine: the pool holds one process per core this process may run on."""
    import multiprocessing

    from pdscan.sources.logs.execution.interface import ExecutionSettings
    from pdscan.sources.logs.execution.local import LocalExecutor
    from pdscan.sources.logs.unit import Unit

    cores = len(os.sched_getaffinity(0))
    units = [Unit(n, f"app{n}.log", "plain", (), size=1000) for n in range(cores + 3)]
    notes: list[str] = []
    before = len(multiprocessing.active_children())
    with LocalExecutor(ExecutionSettings(jobs=150, on_note=notes.append), units):
        started = len(multiprocessing.active_children()) - before
    assert started == (cores if cores > 1 else 0)  # one core: this process reads alone
    assert notes == [f"--jobs 150 lowered to {cores}: one log process per core this process may run on"]

    for n in range(cores + 3):
        (tmp_path / f"app{n}.log").write_text(APP_LOG)
    lowered = run_pdscan("scan", ".", "--jobs", "150", "--format", "json", cwd=tmp_path)
    assert lowered.stderr.count("lowered") == 1 and "--jobs 150 lowered to" in lowered.stderr
    assert "lowered" not in run_pdscan("scan", ".", "--format", "json", cwd=tmp_path).stderr, (
        "the default is one per core"
    )


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="one core: no pool is started")
@pytest.mark.parametrize("stopped", [False, True], ids=["finished", "stopped"])
def test_the_heap_workers_inherit_is_frozen_only_while_the_pool_lives(stopped: bool) -> None:
    """Workers are forked with this process's objects frozen out of the garbage collector (their
    collections walked them and copied the pages they touched); once the pool has ended, finished
    or stopped, those objects are collected again as before."""
    import gc

    from pdscan.sources.logs.execution.interface import ExecutionSettings
    from pdscan.sources.logs.execution.local import LocalExecutor
    from pdscan.sources.logs.unit import Unit

    units = [Unit(n, f"app{n}.log", "plain", (), size=1000) for n in range(2)]
    assert gc.get_freeze_count() == 0
    raised = pytest.raises(RuntimeError) if stopped else contextlib.nullcontext()
    with raised, LocalExecutor(ExecutionSettings(jobs=2), units) as executor:
        assert executor.pool is not None and gc.get_freeze_count() > 0
        if stopped:
            raise RuntimeError("stopped")
    assert gc.get_freeze_count() == 0


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="one core: no pool is started")
@pytest.mark.parametrize("moment", ["after_fork", "in_fork_callbacks"])
@pytest.mark.parametrize("receiver", ["process", "bystander"])
def test_a_stop_between_the_forks_of_the_pool_ends_every_worker(receiver: Receiver, moment: Moment) -> None:
    """A stop raised between two forks escaped the pool's start (which cleans up after an
    `Exception` only), and the worker already forked ran on unknown to anyone; raised in Python's
    after-fork callbacks, it was printed and lost, and the scan went on. Held in the forking
    thread alone, a stop sent to the process still reached a thread that let it through (the
    bystander), and Python raised it at once in the main thread. Now it waits until every worker
    is in the pool, and all of them are ended."""
    import signal

    from pdscan.interruption import Interrupted, stop_signals_raise
    from pdscan.sources.logs.execution.interface import ExecutionSettings
    from pdscan.sources.logs.execution.local import LocalExecutor
    from pdscan.sources.logs.unit import Unit

    executor = LocalExecutor(
        ExecutionSettings(jobs=2), [Unit(n, f"app{n}.log", "plain", (), size=1000) for n in range(2)]
    )
    forked: list[int] = []
    try:
        with (
            pytest.raises(Interrupted) as stopped,
            stop_signals_raise(),
            stop_between_forks(signal.SIGTERM, receiver, moment) as forked,
            executor,
        ):
            pytest.fail("the stop was lost")  # pragma: no cover
        assert stopped.value.signal_name == "SIGTERM"
        assert not _running_children(forked), "a worker outlived the stop"  # the pool reaped them all
        assert len(forked) == 2, "the stop was raised before every worker was forked"
    finally:
        for pid in forked:  # a worker left behind would keep this test run from ending
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def _running_children(pids: list[int]) -> list[str]:
    """Those of `pids` that are this process's children and still run (neither gone nor a zombie
    awaiting its reaper), as `/proc` shows them: process numbers wrap, and one taken again by
    another process is not a survivor."""
    running = []
    for pid in pids:
        with contextlib.suppress(OSError):
            name, _, rest = Path(f"/proc/{pid}/stat").read_text().rpartition(")")
            state, parent = rest.split()[:2]
            if state != "Z" and int(parent) == os.getpid():
                running.append(f"{pid} {name.partition('(')[2]} state {state}")
    return running
