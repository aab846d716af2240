"""The database engines pdscan reads come from one registry (`sources/database/engines.py`): a
URL's scheme names its engine, and a scheme or a kind no engine claims is refused in one line
that names the ones pdscan knows, never read as MySQL."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from pdscan.cli.commands import main
from pdscan.sources.database.engines import ENGINES, UnknownEngine
from pdscan.sources.database.target import DatabaseTarget, is_database_url, parse_target

KNOWN = ("postgresql://", "postgres://", "mysql://", "mariadb://", "sqlite:///")


def test_a_url_of_an_unknown_engine_is_refused_in_one_line_naming_the_known_schemes() -> None:
    result = CliRunner().invoke(main, ["scan", "oracle://scott@db.example/orcl"])
    assert result.exit_code == 2
    [line] = [line for line in result.stderr.splitlines() if line.startswith("pdscan: error: ")]
    assert line.startswith("pdscan: error: oracle://"), line
    assert all(scheme in line for scheme in KNOWN), line
    assert "Traceback" not in result.stderr


def test_a_target_of_an_unknown_engine_fails_loudly_instead_of_being_read_as_mysql() -> None:
    with pytest.raises(UnknownEngine) as raised:
        DatabaseTarget(kind="oracle", display="oracle://db/orcl", database="orcl", host="db", port=None, user=None)
    [line] = str(raised.value).splitlines()
    assert line.startswith("oracle: ") and all(scheme in line for scheme in KNOWN[:-1]), line


@pytest.mark.parametrize(("name", "scheme"), [(name, scheme) for name in ENGINES for scheme in ENGINES[name].schemes])
def test_every_scheme_of_an_engine_is_a_database_url_read_by_that_engine(name: str, scheme: str) -> None:
    url = f"{scheme.upper()}://auditor@db.example/shop"
    assert is_database_url(url)
    target = parse_target(url, {})
    assert (target.kind, target.engine) == (name, ENGINES[name])
    assert target.display == f"{scheme.upper()}://auditor@db.example/shop"


@pytest.mark.parametrize("name", sorted(ENGINES))
def test_an_engine_that_pdscan_reads_the_password_for_takes_it_from_its_variable(name: str) -> None:
    engine = ENGINES[name]
    target = parse_target(f"{engine.schemes[0]}://auditor@db.example/shop", {engine.password_variable: "from-env"})
    expected = None if engine.driver_reads_password else "from-env"
    assert target.password == expected, "libpq reads PGPASSWORD itself: pdscan leaves it to the driver"


@pytest.mark.parametrize("name", sorted(ENGINES))
def test_every_engine_module_connects(name: str) -> None:
    """The module an entry names is what `scan_server` calls: a typo there is caught here, not
    by a user's scan."""
    assert callable(ENGINES[name].connector())
