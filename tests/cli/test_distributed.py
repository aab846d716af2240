"""--engine dask on a real dask.distributed cluster (2 worker processes on loopback): the report
equals the one a scan on this machine gives, byte for byte apart from `generated_at`; a worker
killed mid-scan costs a retry, not a file; a task that cannot be finished stops the scan with
one line and no report; a missing extra, an old `--engine re2` and a scheduler out of reach
are one line each, exit 2."""

from __future__ import annotations

import bz2
import contextlib
import gzip
import json
import logging
import lzma
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import cloudpickle
import dask
import distributed
import pytest
import zstandard
from support.command import PDSCAN, pdscan_environment, run_pdscan

pytestmark = pytest.mark.distributed

BIG_PLAIN = 17 * 1024 * 1024  # above two 8 MiB ranges: the file is cut into byte ranges at line starts
TASK_PREFIX = "pdscan-scan"  # pdscan.sources.logs.execution.dask.TASK_PREFIX, as a cluster sees it

cloudpickle.register_pickle_by_value(sys.modules[__name__])  # the plugins below travel to the workers by value


def _app_line(rng: random.Random, index: int) -> str:
    user = f"user{rng.randrange(5000)}"
    kind = rng.randrange(6)
    if kind == 0:
        return f"2026-03-01T10:00:{index % 60:02d} INFO login {user}@example.com from 203.0.113.{rng.randrange(255)}\n"
    if kind == 1:
        return f"2026-03-01T10:00:{index % 60:02d} WARN payment card 4111 1111 1111 1111 declined for {user}\n"
    if kind == 2:
        return f"2026-03-01T10:00:{index % 60:02d} INFO call back +1 202-555-{rng.randrange(10000):04d} ({user})\n"
    return f"2026-03-01T10:00:{index % 60:02d} DEBUG cache hit key=order-{rng.randrange(10**6)} took {kind}ms\n"


def _nginx_line(rng: random.Random) -> str:
    return (
        f'198.51.100.{rng.randrange(255)} - - [01/Mar/2026:10:00:00 +0000] "GET /account?email=u{rng.randrange(999)}'
        f'%40example.org HTTP/1.1" 200 {rng.randrange(9999)} "-" "Mozilla/5.0 (X11; Linux x86_64) Firefox/123.0"\n'
    )


def _json_line(rng: random.Random) -> str:
    record = {
        "ts": "2026-03-01T10:00:00Z",
        "email": f"buyer{rng.randrange(999)}@example.com",
        "client_ip": f"192.0.2.{rng.randrange(255)}",
        "phone": f"+44 20 7946 {rng.randrange(10000):04d}",
        "msg": "order placed",
    }
    return json.dumps(record) + "\n"


def _logfmt_line(rng: random.Random) -> str:
    email, ip = f"w{rng.randrange(999)}@example.org", f"203.0.113.{rng.randrange(255)}"
    return f'ts=2026-03-01T10:00:00Z level=info user_email={email} ip={ip} msg="job done"\n'


def _write_small_logs(folder: Path, rng: random.Random) -> None:
    """JSON lines, nginx, logfmt, rotated copies in every compression, and a few tiny files."""
    folder.mkdir(parents=True, exist_ok=True)
    nginx = "".join(_nginx_line(rng) for _ in range(8000))
    (folder / "nginx.log").write_text(nginx)
    rotated = [_nginx_line(rng) * 1 for _ in range(4000)]
    (folder / "nginx.log.1.gz").write_bytes(gzip.compress("".join(rotated[:1000]).encode(), mtime=0))
    (folder / "nginx.log.2.bz2").write_bytes(bz2.compress("".join(rotated[1000:2000]).encode()))
    (folder / "nginx.log.3.xz").write_bytes(lzma.compress("".join(rotated[2000:3000]).encode()))
    (folder / "nginx.log.4.zst").write_bytes(zstandard.ZstdCompressor().compress("".join(rotated[3000:]).encode()))
    (folder / "api.log").write_text("".join(_json_line(rng) for _ in range(6000)))
    (folder / "api.log.1.gz").write_bytes(
        gzip.compress("".join(_json_line(rng) for _ in range(2000)).encode(), mtime=0)
    )
    (folder / "worker.log").write_text("".join(_logfmt_line(rng) for _ in range(5000)))
    for index in range(12):
        (folder / f"cron-{index:02d}.log").write_text("".join(_app_line(rng, line) for line in range(40)))


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of plain and compressed logs, one of them large enough to be cut into ranges."""
    folder = tmp_path_factory.mktemp("archive")
    rng = random.Random(8)
    with (folder / "app.log").open("w") as handle:
        written = index = 0
        while written <= BIG_PLAIN:
            chunk = "".join(_app_line(rng, index + line) for line in range(4096))
            handle.write(chunk)
            written += len(chunk)
            index += 4096
    _write_small_logs(folder / "services", rng)
    return folder


@pytest.fixture(scope="module")
def small_logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Fewer bytes, still several tasks: for the clusters whose workers get killed."""
    folder = tmp_path_factory.mktemp("small-archive")
    _write_small_logs(folder, random.Random(9))
    return folder


@pytest.fixture(scope="module")
def cluster() -> Iterator[distributed.LocalCluster]:
    with _local_cluster() as started:
        yield started


def _local_cluster() -> distributed.LocalCluster:
    return distributed.LocalCluster(
        n_workers=2,
        processes=True,
        host="127.0.0.1",
        threads_per_worker=1,
        dashboard_address="127.0.0.1:0",
        silence_logs=logging.ERROR,
    )


def _run(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return run_pdscan("scan", *args, env=env, cwd=cwd, timeout=300)


def _without_time(report: str) -> str:
    return re.sub(r'"generated_at": "[^"]*"', '"generated_at": ""', report)


def _report(folder: Path, output: Path, *engine: str, format_name: str = "json") -> tuple[str, str]:
    """(report text, stderr) of a scan of `folder` written to `output`."""
    result = _run(str(folder), "--format", format_name, "--output", str(output), "--fail-on", "never", *engine)
    assert result.returncode == 0, result.stderr
    return output.read_text(), result.stderr


@pytest.fixture(scope="module")
def local_report(logs: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    report, _ = _report(logs, tmp_path_factory.mktemp("local") / "local.json", "--engine", "local", "--jobs", "2")
    return report


def test_a_scan_on_a_dask_cluster_gives_the_local_report(
    logs: Path, local_report: str, cluster: distributed.LocalCluster, tmp_path: Path
) -> None:
    report, stderr = _report(logs, tmp_path / "dask.json", "--engine", "dask", "--scheduler", cluster.scheduler_address)
    assert _without_time(report) == _without_time(local_report)
    summaries = {source["source"]: source for source in json.loads(report)["sources"]}
    assert summaries[str(logs / "app.log")]["bytes"] > BIG_PLAIN  # the large file was read whole, from its ranges
    assert any(name.endswith(".zst") for name in summaries) and any(name.endswith(".xz") for name in summaries)
    assert json.loads(report)["findings"], "the data holds personal values: an empty report proves nothing"
    assert "Traceback" not in stderr


def test_ndjson_records_on_a_dask_cluster_are_the_local_ones(
    logs: Path, cluster: distributed.LocalCluster, tmp_path: Path
) -> None:
    local, _ = _report(logs, tmp_path / "local.ndjson", "--jobs", "2", format_name="ndjson")
    remote, _ = _report(
        logs,
        tmp_path / "dask.ndjson",
        "--engine",
        "dask",
        "--scheduler",
        cluster.scheduler_address,
        format_name="ndjson",
    )
    assert remote == local
    assert local.count("\n") > 10_000


def test_without_a_scheduler_a_local_cluster_gives_the_same_report(
    logs: Path, local_report: str, tmp_path: Path
) -> None:
    report, stderr = _report(logs, tmp_path / "dask.json", "--engine", "dask", "--jobs", "2")
    assert _without_time(report) == _without_time(local_report)
    assert re.search(r"^pdscan: Dask dashboard at http://127\.0\.0\.1:\d+/status$", stderr, re.MULTILINE), stderr
    assert all(line.startswith("pdscan: ") for line in stderr.splitlines()), f"noise on stderr:\n{stderr}"


class KillWorkerOnPdscanTask(distributed.WorkerPlugin):
    """Kills the worker process as it starts one of pdscan's tasks: once (the marker file
    exists afterwards), or every time."""

    def __init__(self, marker: str, every_time: bool) -> None:
        self.marker = marker
        self.every_time = every_time

    def transition(self, key: object, start: str, finish: str, **kwargs: object) -> None:
        if finish != "executing" or not str(key).startswith(TASK_PREFIX):
            return
        if not self.every_time:
            try:
                os.close(os.open(self.marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
            except FileExistsError:
                return
        os._exit(1)


def test_relative_paths_are_read_by_workers_in_another_directory(
    small_logs: Path, cluster: distributed.LocalCluster, tmp_path: Path
) -> None:
    """A worker's working directory is its own: the paths sent to it are absolute, the report
    keeps them as the user typed them."""
    args = (small_logs.name, "--format", "json", "--fail-on", "never")
    local = _run(*args, cwd=small_logs.parent)
    dask = _run(*args, "--engine", "dask", "--scheduler", cluster.scheduler_address, cwd=small_logs.parent)
    assert dask.returncode == 0, dask.stderr
    assert json.loads(dask.stdout)["skipped"] == []
    assert _without_time(dask.stdout) == _without_time(local.stdout)
    assert f'"source": "{small_logs.name}/nginx.log"' in dask.stdout


def test_the_progress_bar_counts_tasks_on_a_terminal(
    small_logs: Path, cluster: distributed.LocalCluster, tmp_path: Path
) -> None:
    """On a cluster a task is the unit of retry and of the dashboard: the bar shows how many are
    done beside the bytes; on one machine it shows bytes alone."""
    from support.terminal import stderr_on_terminal

    command = [str(PDSCAN), "scan", str(small_logs), "--format", "json", "--output", str(tmp_path / "r.json")]
    shown = stderr_on_terminal([*command, "--engine", "dask", "--scheduler", cluster.scheduler_address], tmp_path, {})
    assert "reading logs" in shown
    assert re.search(r"\d+/(\d+) tasks", shown), shown
    local = stderr_on_terminal([*command, "--engine", "local"], tmp_path, {})
    assert "reading logs" in local and " tasks" not in local


def test_a_worker_killed_mid_scan_costs_a_retry_not_a_file(small_logs: Path, tmp_path: Path) -> None:
    expected, _ = _report(small_logs, tmp_path / "local.json", "--jobs", "2")
    marker = tmp_path / "killed-once"
    with _local_cluster() as fragile, distributed.Client(fragile) as client:
        client.register_plugin(KillWorkerOnPdscanTask(str(marker), every_time=False))
        report, _ = _report(
            small_logs, tmp_path / "dask.json", "--engine", "dask", "--scheduler", fragile.scheduler_address, "-q"
        )
    assert marker.exists(), "no worker was killed: the test proved nothing"
    assert _without_time(report) == _without_time(expected)


def test_a_task_no_worker_survives_stops_the_scan_without_a_report(small_logs: Path, tmp_path: Path) -> None:
    output = tmp_path / "report.json"
    with (
        dask.config.set({"distributed.scheduler.allowed-failures": 1}),
        _local_cluster() as doomed,
        distributed.Client(doomed) as client,
    ):
        client.register_plugin(KillWorkerOnPdscanTask(str(tmp_path / "unused"), every_time=True))
        result = _run(
            str(small_logs), "--format", "json", "--output", str(output), "--engine", "dask", "--scheduler",
            doomed.scheduler_address, "-q",
        )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert re.search(r"the Dask cluster could not finish task \d+ of \d+ \(.+\): .*; no report written", result.stderr)
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert list(tmp_path.iterdir()) == [], "a report, or its temporary file, was left behind"


class OtherPdscanVersion(distributed.WorkerPlugin):
    """Makes the worker's pdscan say it is another version, as an old install would."""

    def setup(self, worker: distributed.Worker) -> None:
        import pdscan.scanner

        pdscan.scanner.__version__ = "0.0.1"


def test_workers_of_another_pdscan_version_are_refused(small_logs: Path) -> None:
    with _local_cluster() as other, distributed.Client(other) as client:
        client.register_plugin(OtherPdscanVersion())
        result = _run(str(small_logs), "--engine", "dask", "--scheduler", other.scheduler_address, "-q")
    assert result.returncode == 2, result.stderr
    assert re.search(r"runs pdscan 0\.0\.1\+\w+, this machine pdscan \S+: install the same pdscan", result.stderr)
    assert "Traceback" not in result.stderr


class VersionChangesAfterTheCheck(distributed.WorkerPlugin):
    """The worker passes the check, then runs another pdscan when its task starts: as a worker
    that joined the cluster after the check would."""

    def transition(self, key: object, start: str, finish: str, **kwargs: object) -> None:
        if finish == "executing" and str(key).startswith(TASK_PREFIX):
            import pdscan.scanner

            pdscan.scanner.__version__ = "0.0.2"


def test_a_worker_of_another_version_after_the_check_refuses_its_tasks(small_logs: Path, tmp_path: Path) -> None:
    output = tmp_path / "report.json"
    with _local_cluster() as other, distributed.Client(other) as client:
        client.register_plugin(VersionChangesAfterTheCheck())
        result = _run(
            str(small_logs), "--engine", "dask", "--scheduler", other.scheduler_address, "-q", "--output", str(output)
        )
    assert result.returncode == 2, result.stderr
    assert re.search(r"could not finish task \d+ of \d+ .*the worker runs pdscan 0\.0\.2\+\w+", result.stderr)
    assert not output.exists() and "Traceback" not in result.stderr


class FolderNotMounted(distributed.WorkerPlugin):
    """The worker cannot see one folder, as a machine without the shared mount could not."""

    def __init__(self, folder: str) -> None:
        self.folder = folder

    def setup(self, worker: distributed.Worker) -> None:
        import pdscan.sources.logs.unit

        real_open = pdscan.sources.logs.unit.open_binary
        folder = self.folder

        def open_binary(location: str, readahead: int | None = None) -> object:
            if location.startswith(folder):
                raise FileNotFoundError(2, "No such file or directory")
            return real_open(location, readahead)

        pdscan.sources.logs.unit.open_binary = open_binary  # type: ignore[assignment]


def test_a_file_a_worker_cannot_see_is_reported_with_the_workers_address(small_logs: Path) -> None:
    with _local_cluster() as other, distributed.Client(other) as client:
        client.register_plugin(FolderNotMounted(str(small_logs)))
        result = _run(str(small_logs), "--engine", "dask", "--scheduler", other.scheduler_address, "--format", "json")
    report = json.loads(result.stdout)
    assert report["skipped"], "every file was unreadable on the workers"
    assert all(
        re.search(r"cannot read: No such file or directory on the Dask worker tcp://127\.0\.0\.1:\d+", item["reason"])
        for item in report["skipped"]
    ), report["skipped"]
    assert result.returncode == 2, "nothing was read: exit 2"


def test_without_the_dask_extra_one_line_names_it(small_logs: Path, tmp_path: Path) -> None:
    (tmp_path / "sitecustomize.py").write_text(
        "import sys\n"
        "class NoDask:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('dask', 'distributed'):\n"
        "            raise ImportError(f'No module named {name!r} (blocked by the test)')\n"
        "sys.meta_path.insert(0, NoDask())\n"
    )
    result = _run(str(small_logs), "--engine", "dask", env={"PYTHONPATH": str(tmp_path)})
    assert result.returncode == 2, result.stderr
    assert "--engine dask needs the dask extra: pip install 'pdscan[dask]'" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_the_old_engine_option_says_where_the_text_engine_went(small_logs: Path) -> None:
    result = _run(str(small_logs), "--engine", "re2")
    assert result.returncode == 2
    assert "--engine chooses where the scan runs (local, dask); the text engine is now --text-engine re2" in (
        result.stderr
    )
    assert _run(str(small_logs / "worker.log"), "--text-engine", "re2", "-q").returncode == 1


def test_a_scheduler_without_the_dask_engine_is_a_usage_error(small_logs: Path) -> None:
    """Not silently ignored: the user meant the scan to run on that cluster."""
    result = _run(str(small_logs), "--scheduler", "tcp://127.0.0.1:8786")
    assert result.returncode == 2
    assert "--scheduler needs --engine dask" in result.stderr


def test_a_scheduler_out_of_reach_is_one_line(small_logs: Path) -> None:
    result = _run(str(small_logs), "--engine", "dask", "--scheduler", "tcp://127.0.0.1:1")
    assert result.returncode == 2
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:1" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


class _NotAScheduler:
    """A TCP service on loopback that is no Dask scheduler: silent (as a port whose service waits
    for its client to speak first), or answering every connection with an HTTP error."""

    def __init__(self, answer: bytes | None) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.address = f"tcp://127.0.0.1:{self.listener.getsockname()[1]}"
        self.answer = answer
        self.connections: list[socket.socket] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.connections.append(connection)
            if self.answer is not None:
                with contextlib.suppress(OSError):
                    connection.recv(65536)
                    connection.sendall(self.answer)
                    connection.close()

    def close(self) -> None:
        self.listener.close()
        for connection in self.connections:
            connection.close()


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (None, "no Dask scheduler answered at {address} within 10 s; is that the scheduler's address"),
        (b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n", "cannot reach the Dask scheduler at {address} ("),
    ],
    ids=["silent", "http"],
)
def test_a_service_that_is_no_scheduler_is_one_line_not_a_hang(
    small_logs: Path, answer: bytes | None, message: str
) -> None:
    """The dashboard's port or another service given as --scheduler: Dask's handshake could wait
    for ever or decode garbage; pdscan says so in one line, without Dask's clean-up noise."""
    service = _NotAScheduler(answer)
    try:
        result = _run(str(small_logs), "--engine", "dask", "--scheduler", service.address)
    finally:
        service.close()
    assert result.returncode == 2
    assert message.format(address=service.address) in result.stderr
    assert "Traceback" not in result.stderr and "Exception ignored" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 2, result.stderr  # the data-map note and the error


@pytest.mark.parametrize("address", ["not-an-address", "http://127.0.0.1:8787"])
def test_a_malformed_scheduler_address_is_one_line_at_once(small_logs: Path, address: str) -> None:
    started = time.monotonic()
    result = _run(str(small_logs), "--engine", "dask", "--scheduler", address, "-q")
    assert result.returncode == 2
    assert result.stderr.startswith(f"pdscan: error: cannot reach the Dask scheduler at {address} (ValueError: ")
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert time.monotonic() - started < 15, "Dask's clean-up of the failed client (20 s) was not waited for"


@pytest.mark.parametrize(("stop", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_stop_signal_ends_a_dask_scan_and_its_local_cluster(logs: Path, tmp_path: Path, stop: int, code: int) -> None:
    report = tmp_path / "report.json"
    process = subprocess.Popen(
        [str(PDSCAN), "scan", str(logs), "--engine", "dask", "--jobs", "2", "--format", "json", "-o", str(report)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=pdscan_environment(),
        start_new_session=True,  # the signal goes to the whole group, as a terminal's Ctrl-C does
    )
    assert process.stderr is not None
    seen = []
    for line in process.stderr:  # the dashboard line comes once the cluster runs, before any task ends
        seen.append(line)
        if "Dask dashboard at" in line:
            break
    workers = _descendants(process.pid)
    assert workers, "".join(seen)
    os.killpg(process.pid, stop) if stop == signal.SIGINT else process.send_signal(stop)
    rest = process.stderr.read()
    process.wait(timeout=60)
    stderr = "".join(seen) + rest
    assert process.returncode == code, stderr
    assert f"pdscan: interrupted by {signal.Signals(stop).name}" in stderr and "no report written" in stderr
    assert "Traceback" not in stderr
    assert list(tmp_path.iterdir()) == []
    deadline = time.monotonic() + 10
    while [pid for pid in workers if Path(f"/proc/{pid}").exists()] and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()], "cluster processes outlived the scan"


def _descendants(pid: int) -> set[int]:
    """Every process below `pid` (nannies, workers), from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found
