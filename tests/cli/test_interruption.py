"""Ctrl-C and SIGTERM stop a scan cleanly: the workers go, no report (nor its temporary file)
is left behind, one line says how far the scan got, and the exit code is the shell's."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support.command import PDSCAN, pdscan_environment, run_pdscan
from support.paths import TESTS

LINES_PER_LOG = 400_000  # about 35 MB each: long enough to be caught while reading
STOP_BETWEEN_FORKS = TESTS / "support" / "stop_between_forks.py"


def _children(pid: int) -> set[int]:
    """Processes whose parent is `pid` (the log workers)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.add(int(entry.name))
    return found


@pytest.fixture(scope="module")
def big_logs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("big-logs")
    logs = []
    for name in ("api.log", "web.log"):
        path = folder / name
        with path.open("w") as handle:
            for index in range(LINES_PER_LOG):
                handle.write(f"2026-11-25T10:00:00 INFO user{index}@example.com login from 198.51.100.{index % 250}\n")
        logs.append(path)
    return logs


@pytest.mark.parametrize(("stop", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_stop_signal_ends_the_scan_without_a_report(
    tmp_path: Path, big_logs: list[Path], stop: int, code: int
) -> None:
    report = tmp_path / "report.json"
    # A session of its own, so the signal can go to the whole process group as a terminal's
    # Ctrl-C does: the workers receive it too.
    process = subprocess.Popen(
        [str(PDSCAN), "scan", *map(str, big_logs), "--jobs", "2", "--format", "json", "--output", str(report)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=pdscan_environment(),
        start_new_session=True,
    )
    waited = 0.0
    while not _children(process.pid) and process.poll() is None and waited < 60:
        time.sleep(0.05)
        waited += 0.05
    workers = _children(process.pid)
    assert workers, "the scan started no worker processes"
    if stop == signal.SIGINT:
        os.killpg(process.pid, stop)
    else:  # a service manager's stop reaches the main process only
        process.send_signal(stop)
    stdout, stderr = process.communicate(timeout=120)  # a guard against a hang, not a speed check

    assert process.returncode == code, stderr
    name = signal.Signals(stop).name
    assert f"pdscan: interrupted by {name} after reading " in stderr, stderr
    assert "of logs; no report written" in stderr
    assert "Traceback" not in stderr  # neither the parent nor a worker prints one
    assert stdout == ""
    assert list(tmp_path.iterdir()) == []  # no report, no temporary file beside it
    assert _exited(workers, within=60), "workers outlived the scan"  # a hang guard, not a speed check


@pytest.mark.parametrize(
    ("stop", "receiver", "code"), [(signal.SIGINT, "process", 130), (signal.SIGTERM, "bystander", 143)]
)
def test_a_stop_while_the_workers_are_forked_ends_the_scan_and_every_worker(
    tmp_path: Path, stop: int, receiver: str, code: int
) -> None:
    """The stop arrives after the first worker is forked, while Python runs its after-fork
    callbacks (`support.stop_between_forks`), every time: it was printed there and lost, and the
    scan went on to write its report. Now it waits until every worker is in the pool."""
    for name in ("api.log", "web.log"):
        (tmp_path / name).write_text("2026-11-25T10:00:00 INFO hanako@example.com login\n")
    report = tmp_path / "report.json"
    command = [sys.executable, "-P", str(STOP_BETWEEN_FORKS), signal.Signals(stop).name, receiver, "in_fork_callbacks"]
    process = subprocess.Popen(
        [*command, "scan", "api.log", "web.log", "--jobs", "2", "--format", "json", "--output", str(report)],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=pdscan_environment(),
        start_new_session=True,  # its workers are in its process group, whoever reaps them
    )
    try:
        stdout, stderr = process.communicate(timeout=120)  # a guard against a hang, not a speed check
        assert process.returncode == code, stderr
        assert f"pdscan: interrupted by {signal.Signals(stop).name} after reading 0 bytes of " in stderr
        assert "Traceback" not in stderr and stdout == ""
        assert not report.exists()
        assert not _in_group(process.pid), "a worker outlived the scan"  # the pool reaped them all
    finally:
        with contextlib.suppress(ProcessLookupError):  # a worker left behind would outlive this test run
            os.killpg(process.pid, signal.SIGKILL)


def _in_group(group: int) -> list[int]:
    """The processes still running in process group `group` (a zombie has ended)."""
    found = []
    for entry in Path("/proc").iterdir():
        with contextlib.suppress(OSError, ValueError):
            state, _parent, process_group = (entry / "stat").read_text().rsplit(")", 1)[1].split()[:3]
            if int(process_group) == group and state != "Z":
                found.append(int(entry.name))
    return found


def _exited(pids: list[int], within: float) -> bool:
    """Whether every process ended (a zombie waiting for its reaper has ended) within `within` s:
    on a busy machine a worker may need a moment after its parent to notice the stop."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if not [pid for pid in pids if _running(pid)]:
            return True
        time.sleep(0.05)
    return False


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return state != "Z"


def test_a_scan_that_is_not_interrupted_still_writes_its_report(tmp_path: Path) -> None:
    """The signal handlers change nothing for a scan left alone (the test above could pass if
    reports were never written at all)."""
    log = tmp_path / "app.log"
    log.write_text("2026-11-25T10:00:00 INFO hanako@example.com login\n")
    report = tmp_path / "report.json"
    result = run_pdscan("scan", str(log), "--format", "json", "--output", str(report), "-q", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert report.is_file() and '"findings"' in report.read_text()
