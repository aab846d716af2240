"""Database URLs: which server, which database, and a password that is never shown."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from pdscan.cli.commands import main
from pdscan.sources.database.interface import TableFilter, sample_kind
from pdscan.sources.database.target import TargetError, is_database_url, masked, parse_target, redact


def test_urls_are_shown_with_the_password_masked() -> None:
    target = parse_target("postgresql://auditor:s%40cr%2Fet@db.internal:6432/shop", {})
    assert target.kind == "postgresql" and target.database == "shop" and target.port == 6432
    assert target.password == "s@cr/et"
    assert target.display == "postgresql://auditor:***@db.internal:6432/shop"
    assert "s@cr/et" not in repr(target) and "s%40cr" not in repr(target)


def test_passwords_come_from_the_environment_or_a_prompt_and_are_not_in_the_display() -> None:
    mysql = parse_target("mysql://auditor@127.0.0.1/shop", {"MYSQL_PWD": "from-env"})
    assert mysql.password == "from-env" and mysql.display == "mysql://auditor@127.0.0.1/shop"
    asked = []
    maria = parse_target("mariadb://auditor@127.0.0.1/shop", {}, prompt=lambda shown: asked.append(shown) or "typed")
    assert maria.kind == "mariadb" and maria.password == "typed" and asked == ["mariadb://auditor@127.0.0.1/shop"]
    postgres = parse_target("postgres://auditor@db/shop", {"MYSQL_PWD": "x"})
    assert postgres.password is None, "libpq reads PGPASSWORD and ~/.pgpass itself"


def test_driver_messages_are_redacted() -> None:
    target = parse_target("postgresql://u:hunter2%21@h/shop", {})
    message = 'connection to "postgresql://u:hunter2!@h/shop" failed: password "hunter2!" rejected\nHINT: more'
    shown = redact(message, target)
    assert shown == 'connection to "postgresql://u:***@h/shop" failed: password "***" rejected HINT: more'
    assert redact("first\nsecond\nthird: hunter2!", target) == "first second", "one line of at most two"


def test_a_password_given_as_a_url_option_is_a_password_too() -> None:
    target = parse_target("postgresql://auditor@db/shop?sslmode=require&password=pa55word", {})
    assert target.password == "pa55word" and target.query == (("sslmode", "require"),)
    assert target.display == "postgresql://auditor:***@db/shop?sslmode=require"


def test_bad_urls_are_usage_errors_without_the_password() -> None:
    with pytest.raises(TargetError) as missing_db:
        parse_target("postgresql://u:topsecret@h:5432/", {})
    assert "topsecret" not in str(missing_db.value) and "name the database" in str(missing_db.value)
    with pytest.raises(TargetError) as bad_port:
        parse_target("mysql://u:topsecret@h:port/shop", {})
    assert "topsecret" not in str(bad_port.value)
    assert masked("mysql://u:topsecret@h/shop") == "mysql://u:***@h/shop"


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("postgresql://u:topsecret@[::1:5432/db", "the host is not valid"),
        ("postgresql://u:topsecret@::1]:5432/db", "the host is not valid"),
        ("mysql://u:topsecret@[zz]/db", "the host is not valid"),
        ("postgresql://u:topsecret@db.example.com:99999/db", "the port must be a number from 1 to 65535"),
        ("mariadb://u:topsecret@db.example.com:abc/db", "the port must be a number from 1 to 65535"),
        ("postgresql://u:topsecret@db.example.com:0/db", "the port must be a number from 1 to 65535"),
    ],
)
def test_a_malformed_url_is_a_usage_error_with_the_url_masked(url: str, problem: str) -> None:
    """It used to be an "internal error … please report it" (urllib's ValueError)."""
    result = CliRunner().invoke(main, ["scan", url, "--quiet"])
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("pdscan: error: ") and problem in lines[0], lines
    assert masked(url) in lines[0] and "topsecret" not in result.output
    assert "internal error" not in result.output


def test_only_server_schemes_are_database_urls() -> None:
    assert is_database_url("postgresql://h/db") and is_database_url("MARIADB://h/db")
    assert not is_database_url("sqlite:///shop.db") and not is_database_url("logs/app.log")


def test_table_patterns_translate_to_like_and_are_checked_exactly() -> None:
    patterns = TableFilter(include=("user_*", "audit.?vents"), exclude=("*[0-9]",))
    assert patterns.like_includes() == ("user\\_%", "audit._vents")
    assert patterns.like_excludes() == (), "a character class cannot be a LIKE pattern: checked after the query"
    assert patterns.matches("public", "user_emails") and patterns.matches("audit", "events")
    assert not patterns.matches("public", "user_2") and not patterns.matches("public", "users")


def test_which_columns_are_read() -> None:
    assert (
        sample_kind("jsonb") == "json" and sample_kind("varchar(255)") == "text" and sample_kind("bigint") == "number"
    )
    assert sample_kind("boolean") is None and sample_kind("bytea") is None and sample_kind("timestamp") is None
