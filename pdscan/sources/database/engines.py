"""The database servers pdscan reads, one entry each: what a URL's scheme names, what to install,
where the password may come from, and the module that connects.

Everything else asks this registry (`target.py` for schemes and passwords, `scan.py` for the
connection), so a new engine is an entry here and a module beside `postgres.py` and `mysql.py`
that implements `interface.Connector` and a `connect` function. SQLite files are not here:
discovery finds them as files (`sqlite:///` or by their header), with no server to reach.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from pdscan.sources.database.interface import Connector
    from pdscan.sources.database.target import DatabaseTarget

Connect = Callable[["DatabaseTarget", int, float], "Connector"]  # (target, jobs, statement timeout)


class UnknownEngine(Exception):
    """A kind or a scheme no engine claims: named with the schemes pdscan reads, never guessed."""


@dataclass(frozen=True)
class Engine:
    name: str  # the kind reports show: postgresql | mysql | mariadb
    schemes: tuple[str, ...]  # as typed before `://`, lower case; the first is the one to suggest
    extra: str  # the pip extra that brings the driver: pip install 'pdscan[extra]'
    driver: str  # the driver's Python module, named when it is missing
    password_variable: str  # the environment variable that holds the password
    driver_reads_password: bool  # the driver reads the variable itself (libpq: PGPASSWORD, ~/.pgpass)
    module: str  # implements interface.Connector; imported only when a server of this engine is scanned

    def connector(self) -> Connect:
        """The module's `connect(target, jobs, statement_timeout)`, imported now."""
        return cast(Connect, importlib.import_module(self.module).connect)


ENGINES: dict[str, Engine] = {
    engine.name: engine
    for engine in (
        Engine(
            "postgresql",
            ("postgresql", "postgres", "postgresql+psycopg"),
            extra="postgres",
            driver="psycopg",
            password_variable="PGPASSWORD",
            driver_reads_password=True,
            module="pdscan.sources.database.postgres",
        ),
        Engine(
            "mysql",
            ("mysql", "mysql+pymysql"),
            extra="mysql",
            driver="pymysql",
            password_variable="MYSQL_PWD",
            driver_reads_password=False,
            module="pdscan.sources.database.mysql",
        ),
        Engine(
            "mariadb",
            ("mariadb", "mariadb+pymysql"),
            extra="mysql",
            driver="pymysql",
            password_variable="MYSQL_PWD",
            driver_reads_password=False,
            module="pdscan.sources.database.mysql",
        ),
    )
}
_BY_SCHEME = {scheme: engine for engine in ENGINES.values() for scheme in engine.schemes}
PASSWORD_VARIABLES = tuple(dict.fromkeys(engine.password_variable for engine in ENGINES.values()))


def engine_named(name: str) -> Engine:
    """The engine of a kind (`postgresql`); UnknownEngine for any other."""
    try:
        return ENGINES[name]
    except KeyError:
        raise UnknownEngine(f"{name}: not a database engine pdscan reads; it reads {known_schemes()}") from None


def engine_for_scheme(scheme: str) -> Engine | None:
    """The engine a URL scheme names (in any case), or None."""
    return _BY_SCHEME.get(scheme.lower())


def known_schemes() -> str:
    """`postgresql://, postgres://, … and mariadb+pymysql://`: every scheme, as a message lists them."""
    schemes = [f"{scheme}://" for scheme in _BY_SCHEME]
    return ", ".join(schemes[:-1]) + " and " + schemes[-1]
