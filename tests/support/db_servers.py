"""Real PostgreSQL and MariaDB servers for the tests: started on loopback in a temporary
directory, as an unprivileged user (PostgreSQL refuses root), and stopped afterwards.

`start_postgres()` / `start_mariadb()` return a running server or raise ServerUnavailable
carrying the server's own error output, which the fixtures turn into a loud skip.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

SUPERUSER_PASSWORD = "Sup3r-S3cret-Pw"
START_TIMEOUT = 60.0


class ServerUnavailable(Exception):
    """The server could not be found or started; the message carries its output."""


def _unprivileged_user() -> str | None:
    """`nobody` when running as root (PostgreSQL and mariadbd refuse or discourage root)."""
    if os.geteuid() != 0:
        return None
    return "nobody"


def _as_user(command: Sequence[str]) -> list[str]:
    user = _unprivileged_user()
    return ["runuser", "-u", user, "--", *command] if user else list(command)


def _own(path: Path) -> None:
    user = _unprivileged_user()
    if user:
        entry = pwd.getpwnam(user)
        os.chown(path, entry.pw_uid, entry.pw_gid)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _run(command: Sequence[str], what: str, cwd: Path) -> None:
    result = subprocess.run(_as_user(command), capture_output=True, text=True, cwd=cwd, check=False)
    if result.returncode != 0:
        raise ServerUnavailable(f"{what} failed ({result.returncode}): {result.stdout}{result.stderr}")


def _workdir(prefix: str) -> Path:
    directory = Path(tempfile.mkdtemp(prefix=prefix))
    directory.chmod(0o755)
    _own(directory)
    return directory


def _tail(path: Path) -> str:
    try:
        return path.read_text(errors="replace")[-3000:]
    except OSError:
        return "(no log)"


@dataclass
class PostgresServer:
    directory: Path
    port: int
    bin_dir: Path

    @property
    def host(self) -> str:
        return "127.0.0.1"

    def url(self, user: str = "postgres", password: str | None = SUPERUSER_PASSWORD, database: str = "postgres") -> str:
        secret = f":{password}" if password else ""
        return f"postgresql://{user}{secret}@127.0.0.1:{self.port}/{database}"

    def stop(self) -> None:
        subprocess.run(
            _as_user([str(self.bin_dir / "pg_ctl"), "-D", str(self.directory / "data"), "-m", "immediate", "stop"]),
            capture_output=True,
            check=False,
            cwd=self.directory,
        )
        shutil.rmtree(self.directory, ignore_errors=True)


def _postgres_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise ServerUnavailable("PostgreSQL is not installed (no initdb): apt-get install postgresql")


def start_postgres() -> PostgresServer:
    bin_dir = _postgres_bin()
    directory = _workdir("pdscan-pg-")
    password_file = directory / "pw"
    password_file.write_text(SUPERUSER_PASSWORD + "\n")
    _own(password_file)
    data = directory / "data"
    _run(
        [
            str(bin_dir / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            f"--pwfile={password_file}",
            "--encoding=UTF8",
            "--locale=C",
        ],
        "initdb",
        directory,
    )
    port = _free_port()
    log = directory / "server.log"
    options = f"-p {port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off -c track_counts=on"
    try:
        _run(
            [str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options, "-w", "-t", "60", "start"],
            "pg_ctl start",
            directory,
        )
    except ServerUnavailable as error:
        message = f"{error}\n{_tail(log)}"
        shutil.rmtree(directory, ignore_errors=True)
        raise ServerUnavailable(message) from None
    return PostgresServer(directory, port, bin_dir)


@dataclass
class MariaDBServer:
    directory: Path
    port: int
    process: subprocess.Popen[bytes]

    @property
    def socket(self) -> str:
        return str(self.directory / "mysqld.sock")

    def url(self, user: str = "root", password: str | None = SUPERUSER_PASSWORD, database: str = "mysql") -> str:
        secret = f":{password}" if password else ""
        return f"mysql://{user}{secret}@127.0.0.1:{self.port}/{database}"

    def stop(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            os.kill(int((self.directory / "mysqld.pid").read_text().strip()), 15)
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.directory, ignore_errors=True)


def start_mariadb() -> MariaDBServer:
    server = shutil.which("mariadbd") or shutil.which("mysqld") or _sbin("mariadbd")
    install = shutil.which("mariadb-install-db") or shutil.which("mysql_install_db")
    if not server or not install:
        raise ServerUnavailable("MariaDB is not installed (no mariadbd): apt-get install mariadb-server")
    directory = _workdir("pdscan-maria-")
    data = directory / "data"
    _run(
        [
            install,
            "--no-defaults",
            f"--datadir={data}",
            "--auth-root-authentication-method=normal",
            "--skip-test-db",
            "--basedir=/usr",
        ],
        "mariadb-install-db",
        directory,
    )
    port = _free_port()
    log = directory / "server.log"
    process = subprocess.Popen(
        _as_user(
            [
                server,
                "--no-defaults",
                f"--datadir={data}",
                f"--port={port}",
                f"--socket={directory / 'mysqld.sock'}",
                "--bind-address=127.0.0.1",
                f"--pid-file={directory / 'mysqld.pid'}",
                f"--log-error={log}",
                "--innodb-buffer-pool-size=32M",
                "--innodb-log-file-size=8M",
                "--character-set-server=utf8mb4",
                "--collation-server=utf8mb4_unicode_ci",
            ]
        ),
        cwd=directory,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            message = f"mariadbd exited with {process.returncode}:\n{_tail(log)}"
            shutil.rmtree(directory, ignore_errors=True)
            raise ServerUnavailable(message)
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            if (directory / "mysqld.sock").exists():
                break
        time.sleep(0.2)
    else:
        process.kill()
        message = f"mariadbd did not accept connections within {START_TIMEOUT:.0f} s:\n{_tail(log)}"
        shutil.rmtree(directory, ignore_errors=True)
        raise ServerUnavailable(message)
    maria = MariaDBServer(directory, port, process)
    try:
        import pymysql

        connection = pymysql.connect(unix_socket=maria.socket, user="root", password="")
        with connection.cursor() as cursor:
            cursor.execute("ALTER USER 'root'@'localhost' IDENTIFIED BY %s", (SUPERUSER_PASSWORD,))
            cursor.execute("CREATE USER IF NOT EXISTS 'root'@'127.0.0.1'")
            cursor.execute("ALTER USER 'root'@'127.0.0.1' IDENTIFIED BY %s", (SUPERUSER_PASSWORD,))
            cursor.execute("GRANT ALL ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION")
        connection.close()
    except Exception as error:
        maria.stop()
        raise ServerUnavailable(f"MariaDB started but could not be set up: {error}") from None
    return maria


def _sbin(name: str) -> str | None:
    candidate = Path("/usr/sbin") / name
    return str(candidate) if candidate.exists() else None
