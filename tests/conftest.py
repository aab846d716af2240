"""Session fixtures: real PostgreSQL and MariaDB servers, started once on loopback as an
unprivileged user in temporary directories, stopped when the tests end.

A server that cannot start skips its tests with the server's own error output as the reason
(`pytest -ra` lists it), so a missing or broken server is never silent.

Markers by what a test uses, so `tests/run.sh --fast` keeps only in-process tests without
anyone remembering to mark a new one: `db` and the engine (`postgres`, `mariadb`) for a test
using a server fixture, `cli` for one whose code (or a helper or fixture of the tests it calls,
found in tests/support/) starts a process. Modules whose every
test needs Chromium, Dask, the S3 server or minutes set `pytestmark` themselves.
"""

from __future__ import annotations

import importlib
import inspect
import subprocess
import types
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.db_servers import MariaDBServer, PostgresServer, ServerUnavailable, start_mariadb, start_postgres


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


SERVER_FIXTURES = {"postgres_server": pytest.mark.postgres, "mariadb_server": pytest.mark.mariadb}
PROCESS_MODULES = frozenset({"subprocess", "pty", "multiprocessing"})
TESTS = Path(__file__).parent
SUPPORT = TESTS / "support"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        for server in fixtures & SERVER_FIXTURES.keys():
            item.add_marker(pytest.mark.db)
            item.add_marker(SERVER_FIXTURES[server])
        functions = [getattr(item, "function", None)]
        definitions = getattr(getattr(item, "_fixtureinfo", None), "name2fixturedefs", {})
        functions += [definition.func for name in fixtures for definition in definitions.get(name, ())]
        if any(_starts_process(function, set()) for function in functions if function is not None):
            item.add_marker(pytest.mark.cli)


def _starts_process(function: object, seen: set[types.CodeType]) -> bool:
    """Whether `function`, or a function or class of the tests it names, uses `subprocess`."""
    function = inspect.unwrap(function) if callable(function) else function
    code = getattr(function, "__code__", None)
    if code is None or code in seen:
        return False
    seen.add(code)
    namespace = getattr(function, "__globals__", {})
    names = set(_names(code))
    if names & PROCESS_MODULES:  # imported inside the function itself
        return True
    imported_here = [importlib.import_module(f"support.{name}") for name in names if (SUPPORT / f"{name}.py").is_file()]
    for name in names:
        value = namespace.get(name) or next((vars(m)[name] for m in imported_here if name in vars(m)), None)
        if value is subprocess or getattr(value, "__module__", None) in PROCESS_MODULES:
            return True
        if isinstance(value, types.ModuleType) and value.__name__ in PROCESS_MODULES:
            return True
        if _in_tests(value) and any(
            _starts_process(member, seen) for member in (vars(value).values() if inspect.isclass(value) else [value])
        ):
            return True
    return False


def _names(code: types.CodeType) -> Iterator[str]:
    """The global and attribute names a function's code (and its nested code) uses."""
    yield from code.co_names
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            yield from _names(constant)


def _in_tests(value: object) -> bool:
    """A module, function or class written in tests/ (pdscan's code is what runs in-process)."""
    if not (inspect.ismodule(value) or inspect.isfunction(value) or inspect.isclass(value)):
        return False
    try:
        source = inspect.getsourcefile(value)
    except TypeError:
        return False
    return source is not None and Path(source).is_relative_to(TESTS)
