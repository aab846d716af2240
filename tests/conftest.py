"""Session fixtures: real PostgreSQL and MariaDB servers, started once on loopback as an
unprivileged user in temporary directories, stopped when the tests end.

A server that cannot start skips its tests with the server's own error output as the reason
(`pytest -ra` lists it), so a missing or broken server is never silent.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from db_servers import MariaDBServer, PostgresServer, ServerUnavailable, start_mariadb, start_postgres


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    try:
        server = start_postgres()
    except ServerUnavailable as error:
        pytest.skip(f"PostgreSQL COULD NOT START, its tests did not run: {error}")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def mariadb_server() -> Iterator[MariaDBServer]:
    try:
        server = start_mariadb()
    except ServerUnavailable as error:
        pytest.skip(f"MariaDB COULD NOT START, its tests did not run: {error}")
    except Exception as error:  # the driver could not set the server up: as loud
        pytest.skip(f"MariaDB COULD NOT BE SET UP, its tests did not run: {type(error).__name__}: {error}")
    try:
        yield server
    finally:
        server.stop()
