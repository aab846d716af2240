"""Hostile inputs, each through the real `pdscan` command: it never crashes on what it reads,
never hangs, never changes what it scans.

Two tables. What a scan reads (`HOSTILE_INPUTS`): each case is built in a folder beside two
normal files (`users.sql` with an e-mail column, `app.log` with an e-mail address) and scanned
with `--strict --format json`; every failure is one line on stderr naming the file and the
reason, an entry of the report's `skipped`, and exit 2 (1 when nothing was skipped: the normal
files' findings), and the normal files are still found. What configures a scan
(`HOSTILE_SETTINGS`: policy, data map, baseline): exit 2 before anything is scanned, each
problem one line naming file:line:column (a baseline: the file). Every run is measured: its
peak resident memory must stay under a bound, and a watchdog turns a hang into a failure.
"""

from __future__ import annotations

import ctypes
import gzip
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

import jsonschema
import pytest
from support.command import PDSCAN, pdscan_environment, run_pdscan
from support.json_reports import report_schema
from support.log_helpers import COMPRESSORS

HANG_LIMIT = 600  # seconds: a watchdog against hangs, not a speed requirement
RSS_LIMIT_MIB = 250  # the README's bound for scanning logs
SQL_RSS_LIMIT_MIB = 640  # a 100 MB statement: the SQL reader holds the file, its text and the statement
MANY_FILES_RSS_LIMIT_MIB = 512  # 100,000 sources in one report
FD_LIMIT = 64  # descriptors open at once in pdscan and its two workers
ADDRESS_SPACE_LIMIT = 2 << 30  # bytes of address space a pdscan run may take
COMPRESSION_NAMES = {"gz": "gzip", "bz2": "bzip2", "xz": "xz", "zst": "zstd"}
COMPRESSED_PIECE = 1 << 12  # what the log reader feeds a decompressor at a time (pdscan.sources.logs.reader)
MAX_LINE = 1 << 24  # where the log reader cuts an over-long line (pdscan.sources.logs.reader)
DEEP_FIELD = ".".join(["a"] * 32 + ["…", "email"])  # a value 10,000 objects deep, as it is named
# Linux capabilities that let root read any file (linux/capability.h, linux/prctl.h).
CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_SETPCAP = 1, 2, 8
PR_CAPBSET_DROP = 24


# Forks the command and writes its peak RSS (KiB, from wait4) to argv[1]. A forked child's peak
# RSS starts at its parent's size and survives exec: forked from pytest, which grows to hundreds
# of MB with the large cases, every pdscan would look that large. This launcher is a few MB.
# The command's address space is capped (a normal scan peaks near 530 MiB): reading /dev/zero
# into memory, as pdscan once did, then fails at once instead of sending the machine into OOM.
LAUNCHER = f"""\
import os, resource, sys
pid = os.fork()
if pid == 0:
    resource.setrlimit(resource.RLIMIT_AS, ({ADDRESS_SPACE_LIMIT}, {ADDRESS_SPACE_LIMIT}))
    os.execvp(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as peak:
    peak.write(str(usage.ru_maxrss))
code = os.waitstatus_to_exitcode(status)
if code < 0:
    os.kill(os.getpid(), -code)
sys.exit(code)
"""


class Run(NamedTuple):
    returncode: int
    stdout: str
    stderr: str
    peak_rss_mib: float  # the largest resident set of pdscan or any worker it waited for
    peak_fds: int  # most descriptors seen open at once in pdscan and its children (0: not sampled)


def run_watched(args: list[str], cwd: Path, count_fds: bool = False, preexec: Callable[[], None] | None = None) -> Run:
    """Run a command (the installed pdscan) through LAUNCHER, in its own process group, which a
    watchdog kills after HANG_LIMIT seconds."""
    env = pdscan_environment()
    with tempfile.TemporaryDirectory() as scratch:
        peak_file, out_file, err_file = (Path(scratch) / name for name in ("peak", "stdout", "stderr"))
        with out_file.open("wb") as out, err_file.open("wb") as err:
            process = subprocess.Popen(
                [sys.executable, "-c", LAUNCHER, str(peak_file), *args],
                cwd=cwd,
                env=env,
                stdout=out,
                stderr=err,
                preexec_fn=preexec,
                start_new_session=True,
            )
            sampler = _DescriptorSampler(process.pid) if count_fds else None
            hung = threading.Event()

            def stop_the_hang() -> None:
                hung.set()
                os.killpg(process.pid, signal.SIGKILL)

            watchdog = threading.Timer(HANG_LIMIT, stop_the_hang)
            watchdog.start()
            try:
                process.wait()
            finally:
                watchdog.cancel()
                if sampler is not None:
                    sampler.stop()
        assert not hung.is_set(), f"{' '.join(args)} did not finish within {HANG_LIMIT} s"
        return Run(
            process.returncode,
            out_file.read_text(encoding="utf-8"),
            err_file.read_text(encoding="utf-8"),
            int(peak_file.read_text()) / 1024,
            sampler.peak if sampler else 0,
        )


class _DescriptorSampler(threading.Thread):
    """Counts, every few milliseconds, the descriptors open in the descendants of a process."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0
        self._stopped = threading.Event()
        self.start()

    def run(self) -> None:
        while not self._stopped.wait(0.005):
            self.peak = max(self.peak, sum(_descriptors(pid) for pid in _process_tree(self.pid)[1:]))

    def stop(self) -> None:
        self._stopped.set()
        self.join()


def _process_tree(pid: int) -> list[int]:
    tree = [pid]
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            children = Path(f"/proc/{pid}/task/{task}/children").read_text().split()
            for child in children:
                tree.extend(_process_tree(int(child)))
    except OSError:  # the process ended meanwhile
        pass
    return tree


def _descriptors(pid: int) -> int:
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return 0


def _can_drop_file_capabilities() -> bool:
    """Whether this process may take capabilities away from its children (CAP_SETPCAP)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("CapEff:"):
            return bool(int(line.split()[1], 16) >> CAP_SETPCAP & 1)
    return False


def _without_file_capabilities() -> None:
    """In the child, before pdscan starts: root gives up what lets it read any file, so file
    permissions apply to it as to any user. (Running as `nobody` cannot work here: the
    interpreter may live where `nobody` may not go, such as /root, mode 700.)"""
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
        if libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


# ---------------------------------------------------------------------------------------------
# What a scan reads


class Skip(NamedTuple):
    """A skip the report must hold: its source as reported, words of its reason, its line."""

    source: str
    reason: str
    line: int | None = None


@dataclass(frozen=True)
class Hostile:
    """One hostile input: how it is written into the scanned folder, and what must hold."""

    name: str
    build: Callable[[Path], tuple[str, ...]]  # writes into the folder; returns more arguments for `scan`
    skips: Callable[[dict[str, Any]], tuple[Skip, ...]] = lambda report: ()
    check: Callable[[dict[str, Any]], None] = lambda report: None
    rss_limit_mib: float = RSS_LIMIT_MIB
    count_fds: bool = False
    unprivileged: bool = False  # run as a process that file permissions apply to


def write(path: Path, content: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def findings(report: dict[str, Any], source: str, category: str) -> dict[str | None, int]:
    """Field (or column) -> occurrences (1 for a column) of one category in one source."""
    return {
        finding["location"]["column"]: (finding.get("occurrences") or {}).get("count", 1)
        for finding in report["findings"]
        if finding["location"]["source"] == source and finding["category"] == category
    }


def sources(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {source["source"]: source for source in report["sources"]}


def tables_found(report: dict[str, Any]) -> set[str]:
    return {finding["location"]["table"] for finding in report["findings"] if finding["location"]["kind"] == "ddl"}


def fixed(*skips: Skip) -> Callable[[dict[str, Any]], tuple[Skip, ...]]:
    return lambda report: skips


def binary_files(folder: Path) -> tuple[str, ...]:
    write(folder / "core.log", b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 64)
    write(folder / "dump.sql", b"\x00\x01\x02\xff" * 100)
    write(folder / "control.sql", bytes(range(1, 32)) * 50)
    write(folder / "photo.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 8)
    write(folder.parent / "blob.bin", bytes(range(256)) * 16)
    return ("blob.bin",)


def invalid_utf8(folder: Path) -> tuple[str, ...]:
    write(
        folder / "latin.log",
        b"Kunde M\xfcller <mueller@example.com> angemeldet\n\xff\xfe\xc3( broken user=broken@example.com\n",
    )
    write(folder / "clientes.sql", "CREATE TABLE clientes (email text, teléfono text); -- ñandú\n".encode("latin-1"))
    return ()


def check_invalid_utf8(report: dict[str, Any]) -> None:
    assert sources(report)["scan/latin.log"]["lines"] == 2
    assert findings(report, "scan/latin.log", "email") == {None: 1, "user": 1}
    assert "clientes" in tables_found(report)


def nul_bytes(folder: Path) -> tuple[str, ...]:
    write(folder / "nul-head.log", b"started\x00\x00\x00 user=head@example.com\n")
    later = b"boot ok\n" * 2000 + b"before@example.com\n" + b"\x00" * 4096 + b"\npad\x00\x00 inline@example.com\n"
    write(folder / "nul-later.log", later + b"after@example.com\n")
    write(folder / "nul.sql", b"CREATE TABLE nul_table (email text);\x00\x00\n")
    return ()


def check_nul_bytes(report: dict[str, Any]) -> None:
    assert sources(report)["scan/nul-later.log"]["lines"] == 2004, "NUL bytes after the first 8 KiB are read"
    assert findings(report, "scan/nul-later.log", "email") == {None: 3}
    assert "nul_table" not in tables_found(report)


def empty_files(folder: Path) -> tuple[str, ...]:
    write(folder / "empty.log", b"")
    write(folder / "old.log.1.gz", gzip.compress(b""))
    write(folder / "blank.sql", b"  \n")
    write(folder / "zero.sql", b"")
    return ()


def check_empty_files(report: dict[str, Any]) -> None:
    read = sources(report)
    assert (read["scan/empty.log"]["status"], read["scan/empty.log"]["lines"]) == ("scanned", 0)
    assert (read["scan/old.log.1.gz"]["status"], read["scan/old.log.1.gz"]["lines"]) == ("scanned", 0)
    schema = next(source for source in report["sources"] if source["kind"] == "ddl")
    assert schema["status"] == "scanned", "empty migration files are kept for numbering: a note, not a skip"
    assert schema["notes"] == ["2 empty file(s), as migration tools keep for numbering: blank.sql, zero.sql"]


def long_log_line(folder: Path) -> tuple[str, ...]:
    """A 100 MB line: values at its start, middle and end, and one astride the 16 MiB cut."""
    filler = b"lorem ipsum dolor sit amet "
    head = b"start first@example.com "
    astride = b"straddle@example.com "  # the cut falls inside `example`
    mib_of_filler = filler * ((1 << 20) // len(filler))
    with (folder / "huge.log").open("wb") as handle:
        handle.write(head)
        while handle.tell() + len(mib_of_filler) < MAX_LINE - 13:
            handle.write(mib_of_filler)
        handle.write(b" " * (MAX_LINE - 13 - handle.tell()) + astride)
        for middle in (b"middle@example.com ", b""):
            for _ in range(50):
                handle.write(mib_of_filler)
            handle.write(middle)
        handle.write(b" last@example.com\nnext line from 192.0.2.7\n")
    return ()


def check_long_log_line(report: dict[str, Any]) -> None:
    huge = sources(report)["scan/huge.log"]
    assert (huge["lines"], huge["bytes"]) == (2, Path("scan/huge.log").stat().st_size)
    assert findings(report, "scan/huge.log", "email") == {None: 4}, "no value lost or cut in two"
    assert findings(report, "scan/huge.log", "ip_address") == {None: 1}


def long_statement(folder: Path) -> tuple[str, ...]:
    """A 100 MB INSERT between two tables, as a dump with large text values has."""
    row = "(%d,'" + "lorem ipsum dolor sit amet " * 38 + "')"
    with (folder / "huge.sql").open("w") as handle:
        handle.write("CREATE TABLE before_it (phone text);\nINSERT INTO notes VALUES " + row % 0)
        for number in range(1, 100_000):
            handle.write("," + row % number)
        handle.write(";\nCREATE TABLE after_it (first_name text);\n")
    return ()


def check_long_statement(report: dict[str, Any]) -> None:
    assert tables_found(report) == {"users", "before_it", "after_it"}


@cache
def log_text() -> bytes:
    """120,000 lines, one address each: bzip2 needs several 900 kB blocks before the damage."""
    return "".join(f"{n} GET /item/{n * 7919 % 100003} from 192.0.2.{n % 250 + 1}\n" for n in range(120_000)).encode()


@cache
def compressed(suffix: str) -> bytes:
    return COMPRESSORS[suffix](log_text())


def damaged(suffix: str, damage: str) -> Callable[[Path], tuple[str, ...]]:
    def build(folder: Path) -> tuple[str, ...]:
        data = bytearray(compressed(suffix))
        middle = len(data) * 2 // 3
        if damage == "truncated":
            del data[middle:]
        else:
            data[middle : middle + 64] = bytes(range(64))
        write(folder / f"old.log.1.{suffix}", bytes(data))
        return ()

    return build


def damaged_skip(suffix: str) -> Callable[[dict[str, Any]], tuple[Skip, ...]]:
    def skips(report: dict[str, Any]) -> tuple[Skip, ...]:
        lines = sources(report)[f"scan/old.log.1.{suffix}"]["lines"]
        reason = f"corrupt or truncated {COMPRESSION_NAMES[suffix]} data after line {lines:,}"
        return (Skip(f"scan/old.log.1.{suffix}", reason, lines),)

    return skips


def check_damaged(suffix: str) -> Callable[[dict[str, Any]], None]:
    def check(report: dict[str, Any]) -> None:
        assert sources(report)[f"scan/old.log.1.{suffix}"]["status"] == "partial"
        (addresses,) = [
            f["occurrences"]
            for f in report["findings"]
            if f["location"]["source"] == "scan/old.log" and f["category"] == "ip_address"
        ]
        assert addresses["first"] == f"scan/old.log.1.{suffix}:1"
        assert addresses["count"] >= 50_000, "the lines before the damage are kept"

    return check


def fifos_and_devices(folder: Path) -> tuple[str, ...]:
    os.mkfifo(folder / "pipe.log")
    os.mkfifo(folder.parent / "named.fifo")
    (folder / "zero.log").symlink_to("/dev/zero")
    (folder / "random.log").symlink_to("/dev/urandom")
    return ("named.fifo", "/dev/zero", "/dev/urandom")


def check_nothing_opened(report: dict[str, Any]) -> None:
    assert set(sources(report)) == {"scan", "scan/app.log"}, "no FIFO or device became a source"


def symlink_loops(folder: Path) -> tuple[str, ...]:
    (folder / "a.log").symlink_to("b.log")
    (folder / "b.log").symlink_to("a.log")
    (folder / "self.log").symlink_to("self.log")
    (folder / "gone.log").symlink_to("nowhere.log")
    (folder / "loop").symlink_to(".", target_is_directory=True)
    (folder / "sub").mkdir()
    (folder / "sub" / "up").symlink_to("..", target_is_directory=True)
    return ()


def check_loops_not_followed(report: dict[str, Any]) -> None:
    assert not [s for s in sources(report) if s.startswith(("scan/loop", "scan/sub/up"))]


def unreadable(folder: Path) -> tuple[str, ...]:
    write(folder / "secret.log", "x@example.com\n").chmod(0)
    write(folder / "secret.sql", "CREATE TABLE secret (email text);\n").chmod(0)
    write(folder / "locked" / "inside.log", "y@example.com\n")
    (folder / "locked").chmod(0)
    return ()


def many_tiny_files(folder: Path) -> tuple[str, ...]:
    """100 folders of 1,000 one-line logs, read by two worker processes."""
    for directory in range(100):
        (folder / "many" / f"d{directory:02d}").mkdir(parents=True)
        for number in range(1000):
            descriptor = os.open(folder / "many" / f"d{directory:02d}" / f"f{number:03d}.log", os.O_WRONLY | os.O_CREAT)
            os.write(descriptor, b"worker started ok\n")
            os.close(descriptor)
    return ("--jobs", "2")


def check_many_tiny_files(report: dict[str, Any]) -> None:
    tiny = [s for name, s in sources(report).items() if name.startswith("scan/many/")]
    assert len(tiny) == 100_000
    assert {(s["status"], s["lines"]) for s in tiny} == {("scanned", 1)}


def deep_json(folder: Path) -> tuple[str, ...]:
    depth = 10_000
    wide = 50_000  # 50,000 levels and 50,000 values at the bottom: under 1 MB
    bottom = "{" + ",".join(f'"n{n}":{n}' for n in range(wide)) + ',"email":"wide@example.com"}'
    lines = [
        '{"email": "first@example.com"}',
        '{"a":' * depth + '{"email": "deep@example.com"}' + "}" * depth,
        '{"x":' + "[" * depth + '"array@example.com"' + "]" * depth + "}",
        "{" * depth + " unclosed@example.com",
        '{"' + "k" * depth + '": "long.key@example.com"}',
        '{"a":' * wide + bottom + "}" * wide,
    ]
    write(folder / "deep.jsonl", "\n".join(lines) + "\n")
    return ()


def check_deep_json(report: dict[str, Any]) -> None:
    assert sources(report)["scan/deep.jsonl"]["log_format"] == "json"
    assert findings(report, "scan/deep.jsonl", "email") == {
        "email": 1,
        DEEP_FIELD: 2,
        "x": 1,
        None: 1,
        "k" * 256 + "…": 1,
    }


def unbalanced_sql(folder: Path) -> tuple[str, ...]:
    write(
        folder / "quote.sql",
        "CREATE TABLE quoted_before (phone text);\nINSERT INTO quoted_before VALUES ('never closed);\n"
        "CREATE TABLE swallowed (email text);\n",
    )
    write(
        folder / "comment.sql",
        "CREATE TABLE commented_before (first_name text);\n/* open comment\nCREATE TABLE hidden (email text);\n",
    )
    write(
        folder / "dollar.sql",
        "CREATE TABLE dollar_before (last_name text);\nCREATE FUNCTION f() AS $$ BEGIN\n"
        "CREATE TABLE in_body (email text);\n",
    )
    write(
        folder / "ident.sql",
        'CREATE TABLE ident_before (email text);\nSELECT "never closed;\nCREATE TABLE hid (email text);\n',
    )
    return ()


def check_unbalanced_sql(report: dict[str, Any]) -> None:
    before = {"users", "quoted_before", "commented_before", "dollar_before", "ident_before"}
    resumed = {"swallowed", "hid"}  # after a line ending in `;`: a statement start, read from
    assert tables_found(report) == before | resumed, "what the open comment and body swallow is not read"


def non_utf8_names(folder: Path) -> tuple[str, ...]:
    """Linux file names are bytes: one that is not UTF-8 once aborted the report it was named in."""
    write(folder / os.fsdecode(b"clients-\xff.log"), "2026-11-25T06:00:00Z INFO login email=hanako@example.com\n")
    return ()


def check_non_utf8_names(report: dict[str, Any]) -> None:
    assert findings(report, "scan/clients-\ufffd.log", "email") == {"email": 1}


HOSTILE_INPUTS = [
    Hostile("file names that are not UTF-8", non_utf8_names, check=check_non_utf8_names),
    Hostile(
        "binary files",
        binary_files,
        fixed(
            Skip("blob.bin", "binary file (NUL or control bytes), not a text log; not scanned"),
            Skip("scan/control.sql", "binary file (control bytes), not SQL text"),
            Skip("scan/core.log", "binary file (NUL or control bytes), not a text log; not scanned"),
            Skip("scan/dump.sql", "binary file (NUL bytes), not SQL text"),
            Skip("scan/photo.jpg", "not a SQL schema, SQLite database or log file name; name it to scan it"),
        ),
    ),
    Hostile("invalid UTF-8", invalid_utf8, check=check_invalid_utf8),
    Hostile(
        "NUL bytes",
        nul_bytes,
        fixed(
            Skip("scan/nul-head.log", "binary file (NUL or control bytes), not a text log; not scanned"),
            Skip("scan/nul.sql", "binary file (NUL bytes), not SQL text"),
        ),
        check_nul_bytes,
    ),
    Hostile(
        "empty files",
        empty_files,
        fixed(),
        check_empty_files,
    ),
    Hostile("a 100 MB line in a log", long_log_line, check=check_long_log_line),
    Hostile(
        "a 100 MB SQL statement",
        long_statement,
        check=check_long_statement,
        rss_limit_mib=SQL_RSS_LIMIT_MIB,
    ),
    *[
        Hostile(f"{damage} {suffix}", damaged(suffix, damage), damaged_skip(suffix), check_damaged(suffix))
        for suffix in sorted(COMPRESSORS)
        for damage in ("truncated", "corrupt")
    ],
    Hostile(
        "FIFOs and devices",
        fifos_and_devices,
        fixed(
            Skip("/dev/urandom", "not a regular file (device); not read"),
            Skip("/dev/zero", "not a regular file (device); not read"),
            Skip("named.fifo", "not a regular file (FIFO); not read"),
            Skip("scan/pipe.log", "not a regular file (FIFO); not read"),
            Skip("scan/random.log", "not a regular file (device); not read"),
            Skip("scan/zero.log", "not a regular file (device); not read"),
        ),
        check_nothing_opened,
    ),
    Hostile(
        "symlink loops",
        symlink_loops,
        fixed(
            Skip("scan/a.log", "cannot read: Too many levels of symbolic links; not scanned"),
            Skip("scan/b.log", "cannot read: Too many levels of symbolic links; not scanned"),
            Skip("scan/gone.log", "cannot read: No such file or directory; not scanned"),
            Skip("scan/loop", "a symlink to a directory above it (a loop); not followed"),
            Skip("scan/self.log", "cannot read: Too many levels of symbolic links; not scanned"),
            Skip("scan/sub/up", "a symlink to a directory above it (a loop); not followed"),
        ),
        check_loops_not_followed,
    ),
    Hostile(
        "no read permission",
        unreadable,
        fixed(
            Skip("scan/locked", "cannot read the directory: Permission denied; nothing in it scanned"),
            Skip("scan/secret.log", "cannot read: Permission denied; not scanned"),
            Skip("scan/secret.sql", "cannot read the file: Permission denied"),
        ),
        unprivileged=True,
    ),
    Hostile(
        "100,000 tiny files",
        many_tiny_files,
        check=check_many_tiny_files,
        rss_limit_mib=MANY_FILES_RSS_LIMIT_MIB,
        count_fds=True,
    ),
    Hostile("JSON nested 10,000 levels", deep_json, check=check_deep_json),
    Hostile(
        "SQL with unbalanced quotes and comments",
        unbalanced_sql,
        fixed(
            Skip("scan/comment.sql", "a /* comment */ starting here is never closed", 2),
            Skip("scan/dollar.sql", "a $$-quoted body starting here is never closed", 2),
            Skip(
                "scan/ident.sql",
                'a "quoted" identifier opened on line 2 is never closed (the file ends inside a quote): '
                "line 2 skipped, reading resumes at line 3",
                2,
            ),
            Skip(
                "scan/quote.sql",
                "a quoted string opened on line 2 is never closed (the file ends inside a quote): "
                "line 2 skipped, reading resumes at line 3",
                2,
            ),
        ),
        check_unbalanced_sql,
    ),
]


@pytest.mark.parametrize("case", HOSTILE_INPUTS, ids=[case.name for case in HOSTILE_INPUTS])
def test_a_hostile_input_is_skipped_with_its_reason_and_the_rest_is_scanned(
    case: Hostile, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "scan"
    write(folder / "users.sql", "CREATE TABLE users (id int, email text);\n")
    write(folder / "app.log", "2026-11-25T06:00:00Z INFO signup email=neighbour@example.com\n")
    more_arguments = case.build(folder)
    preexec = None
    if case.unprivileged and os.geteuid() == 0:
        if not _can_drop_file_capabilities():
            pytest.skip("running as root without CAP_SETPCAP: cannot make a file unreadable to the scan")
        preexec = _without_file_capabilities
    command = [str(PDSCAN), "scan", "scan", *more_arguments, "--strict", "--format", "json"]
    run = run_watched(command, tmp_path, case.count_fds, preexec)

    assert "Traceback" not in run.stderr and "internal error" not in run.stderr, run.stderr
    report = json.loads(run.stdout)
    first_sources = {**report, "sources": report["sources"][:1000]}  # 100,000 take 35 s to validate
    jsonschema.Draft202012Validator(report_schema()).validate(first_sources)
    monkeypatch.chdir(tmp_path)  # the checks read scanned files by the paths the report names
    expected = {skip.source: skip for skip in case.skips(report)}
    skipped = {entry["source"]: entry for entry in report["skipped"]}
    assert set(skipped) == set(expected), run.stderr
    for source, skip in expected.items():
        entry = skipped[source]
        assert skip.reason in entry["reason"] and entry["line"] == skip.line, entry
        where = f"{source}:{skip.line}" if skip.line else source
        told = [line for line in run.stderr.splitlines() if line.startswith(f"pdscan: skipped {where}: ")]
        assert told == [f"pdscan: skipped {where}: {entry['reason']}"], run.stderr
    assert run.returncode == (2 if expected else 1), "--strict: exit 2 exactly when something was skipped"
    assert findings(report, "scan/users.sql", "email") == {"email": 1}, "the schema beside it is read"
    assert findings(report, "scan/app.log", "email") == {"email": 1}, "the log beside it is read, once"
    case.check(report)
    assert run.peak_rss_mib < case.rss_limit_mib, f"peak RSS {run.peak_rss_mib:.0f} MiB"
    if case.count_fds:
        assert 0 < run.peak_fds < FD_LIMIT, f"{run.peak_fds} descriptors open at once"


# ---------------------------------------------------------------------------------------------
# What configures a scan


@dataclass(frozen=True)
class HostileSetting:
    """A policy, data map or baseline that must stop the scan with exit 2 and a clear line."""

    name: str
    files: dict[str, str]  # written into the working folder
    args: tuple[str, ...]
    says: str  # a pattern the one error line matches (after `pdscan: error: `)
    fifo: str | None = None  # a FIFO made there, that no one writes to
    shell: bool = False  # run through bash (process substitution)


def billion_laughs(first_key: str = "a") -> str:
    """Nine anchors, each a list of nine aliases to the one before: 9**9 values once expanded."""
    lines = [f'{first_key}: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    return "\n".join(lines) + "\n"


BOMB = r"aliases expand to more than 100000 values \(an alias bomb\?\): write the values out"
HOSTILE_SETTINGS = [
    HostileSetting(
        "policy: billion laughs",
        {"bomb.yaml": billion_laughs()},
        ("--policy", "bomb.yaml"),
        rf"bomb\.yaml:\d+:\d+: {BOMB}",
    ),
    HostileSetting(
        "data map: billion laughs",
        {"map.yml": "version: 1\n" + billion_laughs("x")},
        ("--config", "map.yml"),
        rf"map\.yml:\d+:\d+: {BOMB}",
    ),
    HostileSetting(
        "pdscan.yml found beside the scan: billion laughs",
        {"pdscan.yml": "version: 1\n" + billion_laughs("x")},
        (),
        rf"pdscan\.yml:\d+:\d+: {BOMB}",
    ),
    HostileSetting(
        "policy: an alias inside its own anchor",
        {"loop.yaml": "policy: &a\n  id: [*a]\n"},
        ("--policy", "loop.yaml"),
        r"loop\.yaml:1:9: an alias refers to the value that contains it",
    ),
    HostileSetting(
        "policy: nested 10,000 levels",
        {"deep.yaml": "policy: " + "[" * 10_000 + "]" * 10_000 + "\n"},
        ("--policy", "deep.yaml"),
        r"deep\.yaml:\d+:\d+: .*nest",
    ),
    HostileSetting(
        "policy: duplicate keys",
        {"twice.yaml": "policy:\n  id: acme\n  id: other\n"},
        ("--policy", "twice.yaml"),
        r"twice\.yaml:3:3: duplicate key 'id' \(first written at line 2\)",
    ),
    HostileSetting(
        "data map: duplicate keys",
        {"twice.yml": "version: 1\ndatabases:\n  shop:\n    tables: {}\n  shop:\n    tables: {}\n"},
        ("--config", "twice.yml"),
        r"twice\.yml:5:3: duplicate key 'shop' \(first written at line 3\)",
    ),
    HostileSetting(
        "policy: wrong types",
        {"types.yaml": "policy: {id: acme, title: T, version: '1'}\npurposes: 42\ncategories: []\n"},
        ("--policy", "types.yaml"),
        r"types\.yaml:2:11: 'purposes' must be a list",
    ),
    HostileSetting(
        "data map: wrong types",
        {"types.yml": "version: 1\ndatabases:\n  shop:\n    tables:\n      users:\n        columns: {email: 42}\n"},
        ("--config", "types.yml"),
        r"types\.yml:6:26: column 'email' must be a mapping",
    ),
    HostileSetting(
        "policy: a device",
        {},
        ("--policy", "/dev/zero"),
        r"/dev/zero:1:1: cannot read the policy: not a regular file \(device\)",
    ),
    HostileSetting(
        "policy: a FIFO no one writes to",
        {},
        ("--policy", "silent.fifo"),
        r"silent\.fifo:1:1: the policy file must be a mapping",
        fifo="silent.fifo",
    ),
    HostileSetting(
        "policy: a pipe that never ends",
        {},
        ("--policy", "<(yes 'x: 1')"),
        r"/dev/fd/\d+:1:1: cannot read the policy: larger than 64 MiB",
        shell=True,
    ),
    HostileSetting(
        "baseline: a device",
        {},
        ("--baseline", "/dev/urandom"),
        r"/dev/urandom: cannot read the baseline: not a regular file \(device\)",
    ),
    HostileSetting(
        "baseline: JSON nested 100,000 levels",
        {"deep.json": "[" * 100_000 + "]" * 100_000},
        ("--baseline", "deep.json"),
        r"deep\.json: not a pdscan baseline \(JSON nested too deeply\)",
    ),
]


@pytest.mark.parametrize("case", HOSTILE_SETTINGS, ids=[case.name for case in HOSTILE_SETTINGS])
def test_a_hostile_setting_stops_the_scan_with_one_clear_line(case: HostileSetting, tmp_path: Path) -> None:
    write(tmp_path / "users.sql", "CREATE TABLE users (id int, email text);\n")
    for name, content in case.files.items():
        write(tmp_path / name, content)
    if case.fifo:
        os.mkfifo(tmp_path / case.fifo)
    command = [str(PDSCAN), "scan", "users.sql", *case.args]
    if case.shell:
        command = ["bash", "-c", "exec " + " ".join(command)]
    run = run_watched(command, tmp_path)

    assert run.returncode == 2
    assert run.stdout == ""
    assert "Traceback" not in run.stderr and "internal error" not in run.stderr, run.stderr
    errors = [line for line in run.stderr.splitlines() if line.startswith("pdscan: error: ")]
    assert len(errors) == 1 and re.fullmatch(f"pdscan: error: {case.says}.*", errors[0]), run.stderr
    assert run.peak_rss_mib < RSS_LIMIT_MIB, f"peak RSS {run.peak_rss_mib:.0f} MiB"


def test_sql_on_standard_input_that_turns_binary_is_a_skip(tmp_path: Path) -> None:
    """Standard input is told SQL by its first bytes; binary after them is a skip, not a crash."""
    result = run_pdscan(
        "scan", "-", "--format", "json", cwd=tmp_path, stdin="CREATE TABLE users (email text);\n\x00\x01"
    )
    assert result.returncode == 2, result.stderr
    assert "pdscan: skipped <stdin>: binary file (NUL bytes), not SQL text" in result.stderr
    assert json.loads(result.stdout)["skipped"][0]["source"] == "<stdin>"


# ---------------------------------------------------------------------------------------------
# Damaged compressed logs and binary logs, from a file and from standard input alike


def scan_log_bytes(
    content: bytes, name: str, folder: Path, from_stdin: bool
) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    """`pdscan scan --format json` of `content`, written to `name` or piped to `-`."""
    target = "-" if from_stdin else str(write(folder / name, content))
    result = run_pdscan(
        "scan", target, "--format", "json", stdin=content if from_stdin else b"", cwd=folder, text=False,
        timeout=HANG_LIMIT,
    )  # fmt: skip
    run = subprocess.CompletedProcess(result.args, result.returncode, result.stdout.decode(), result.stderr.decode())
    return run, json.loads(run.stdout) if run.stdout else {}


def incremental_decompressor(suffix: str) -> Callable[[bytes], bytes]:
    """Python's own decompressor for one compression, fed as the data arrives."""
    import bz2
    import lzma
    import zlib

    import zstandard

    decompress = {
        "gz": lambda: zlib.decompressobj(wbits=31).decompress,
        "bz2": lambda: bz2.BZ2Decompressor().decompress,
        "xz": lambda: lzma.LZMADecompressor().decompress,
        "zst": lambda: zstandard.ZstdDecompressor().decompressobj().decompress,
    }
    return decompress[suffix]()


def lines_before_damage(data: bytes, suffix: str, first: int = 0) -> int:
    """Whole lines an incremental decompressor gives from damaged data, fed its `first` bytes
    at once and then 1 KiB at a time, before it stops on the damage or the data ends."""
    decompress = incremental_decompressor(suffix)
    given = 0
    for start, end in [(0, first), *((offset, offset + 1024) for offset in range(first, len(data), 1024))]:
        try:
            given += decompress(data[start:end]).count(b"\n")
        except Exception:  # the damage: each compression has its own error
            break
    return given


CHECKED_AT_ONCE = ("xz", "zst")  # compressions that stop at the damage itself, not at a later checksum
TRUNCATIONS = {"small": 6000, "two thirds": None}  # bytes kept; None: two thirds of the file


@pytest.mark.parametrize("from_stdin", [False, True], ids=["file", "stdin"])
@pytest.mark.parametrize("kept", sorted(TRUNCATIONS))
@pytest.mark.parametrize("suffix", sorted(COMPRESSORS))
def test_a_truncated_compressed_log_keeps_every_line_decoded_before_the_end(
    suffix: str, kept: str, from_stdin: bool, tmp_path: Path
) -> None:
    """Every whole line the decompressor gives before the data ends is scanned, and the skip
    says after which line it stopped: from a file as from standard input."""
    whole = compressed(suffix)
    data = whole[: TRUNCATIONS[kept] or len(whole) * 2 // 3]
    expected = lines_before_damage(data, suffix)
    run, report = scan_log_bytes(data, f"old.log.1.{suffix}", tmp_path, from_stdin)

    assert "Traceback" not in run.stderr and "internal error" not in run.stderr, run.stderr
    (source,) = report["sources"]
    assert source["lines"] == expected, run.stderr
    addresses = [finding["occurrences"]["count"] for finding in report["findings"]]  # one per line
    assert addresses == ([expected] if expected else []), "every line read is scanned"
    (skipped,) = report["skipped"]
    assert f"corrupt or truncated {COMPRESSION_NAMES[suffix]} data after line {expected:,}" in skipped["reason"]
    assert f"pdscan: skipped {source['source']}" in run.stderr


@pytest.mark.parametrize("from_stdin", [False, True], ids=["file", "stdin"])
@pytest.mark.parametrize("suffix", sorted(COMPRESSORS))
def test_a_corrupt_compressed_log_keeps_the_lines_before_the_damage(
    suffix: str, from_stdin: bool, tmp_path: Path
) -> None:
    """A corrupt stream keeps the lines decoded from all but the last 4 KiB before the damage
    (a decompressor fed the piece holding the damage drops what it decoded from it) and none the
    decompressor would not give (fed up to the damage at once, which loses nothing before it).
    gzip and bzip2 notice damage only at a checksum, after decoding lines from it (README)."""
    data = bytearray(compressed(suffix))
    middle = len(data) * 2 // 3
    data[middle : middle + 64] = bytes(range(64))
    before_damage = lines_before_damage(bytes(data[: middle - COMPRESSED_PIECE]), suffix)
    decoded = lines_before_damage(bytes(data), suffix, first=middle)
    run, report = scan_log_bytes(bytes(data), f"old.log.1.{suffix}", tmp_path, from_stdin)

    (source,) = report["sources"]
    assert source["status"] == "partial", run.stderr
    assert before_damage <= source["lines"], "every line before the damage is kept"
    if suffix in CHECKED_AT_ONCE:
        assert source["lines"] <= decoded, "no line the decompressor does not give"


@pytest.mark.parametrize("from_stdin", [False, True], ids=["file", "stdin"])
@pytest.mark.parametrize("before", [b"", b"old 1\nold 2\n"], ids=["at the start", "after lines"])
@pytest.mark.parametrize("hole", [4096, 100_000], ids=["4 KiB", "100 kB"])
def test_a_log_after_a_hole_of_zeros_is_read(hole: int, before: bytes, from_stdin: bool, tmp_path: Path) -> None:
    """logrotate's `copytruncate` cuts a log while its writer keeps its offset: the file holds
    a run of NUL bytes, then goes on as text. The run is no data; the text is read."""
    content = before + b"\x00" * hole + b"\nlogin hanako@example.com from 192.0.2.8\n"
    run, report = scan_log_bytes(content, "app.log", tmp_path, from_stdin)
    assert run.returncode == 1, run.stderr
    assert [source["status"] for source in report["sources"]] == ["scanned"]
    assert {finding["category"] for finding in report["findings"]} == {"email", "ip_address"}


@pytest.mark.parametrize("from_stdin", [False, True], ids=["file", "stdin"])
def test_binary_bytes_are_skipped_from_a_file_and_from_standard_input_alike(from_stdin: bool, tmp_path: Path) -> None:
    content = random.Random(7).randbytes(3000)
    run, report = scan_log_bytes(content, "core.log", tmp_path, from_stdin)
    assert run.returncode == 2, run.stderr
    assert report["findings"] == []
    (skipped,) = report["skipped"]
    assert "(NUL or control bytes), not a text log" in skipped["reason"]
    assert f"pdscan: skipped {skipped['source']}: binary" in run.stderr
