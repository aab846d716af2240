"""Nothing leaks: no personal value reaches stdout, stderr or a file pdscan writes, in any
format, unless --show-data asks for values; no database password ever does, whatever the
options, tracebacks (--debug) included. Masks keep the kind of a value recognisable and no more.

The sources (tests/support/personal_fixtures.py) hold known values: a log, JSON lines, two SQLite
databases, DDL quoting values in DEFAULTs, CHECKs and COMMENTs, live PostgreSQL and MariaDB
databases read by a user with a distinctive password. Every output is searched for every value
as written and in its obvious transformations (case, digits only, URL-, JSON-, HTML- and
Markdown-escaped). With --show-data the same search finds the values in the formats that show
them: the search can fail.
"""

from __future__ import annotations

import hashlib
import html
import importlib
import json
import os
import pkgutil
import re
import sqlite3
import textwrap
import urllib.parse
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import NoReturn

import psycopg
import pytest
from click.testing import CliRunner
from support.command import run_pdscan
from support.db_servers import MariaDBServer, PostgresServer, _free_port
from support.personal_fixtures import (
    DB_NAME,
    DB_PASSWORD,
    DB_USER,
    Sources,
    load_mariadb,
    load_postgres,
    password_forms,
    write_files,
)

import pdscan
from pdscan.cli.commands import main
from pdscan.detect import masking
from pdscan.detect.masking import mask, mask_name, mask_text
from pdscan.formats import FORMATS, INVENTORY_FORMATS
from pdscan.sources.database.target import DatabaseTarget

SCAN_FORMATS = sorted([*FORMATS, "ndjson"])
LOG_KINDS = ("log", "jsonl")
SAMPLED_KINDS = (*LOG_KINDS, "sqlite", "sqlite_wal", "postgres", "mariadb")
# format -> the kinds of source whose values it shows with --show-data: samples in the reports,
# one record per log value in ndjson (places in schemas and databases come without a value)
SHOWS_VALUES = {"table": SAMPLED_KINDS, "json": SAMPLED_KINDS, "csv": SAMPLED_KINDS, "markdown": SAMPLED_KINDS,
                "html": SAMPLED_KINDS, "ndjson": LOG_KINDS}  # fmt: skip
INVENTORY_SHOWS_SAMPLES = frozenset({"csv", "markdown", "html"})
WRONG_PASSWORD = "Wr0ng-Canary-Pw!"
CARD = "4111 1111 1111 1111"


def found_in(text: str, values: Iterable[str]) -> set[str]:
    """The values `text` holds, as written or in an obvious transformation, as whole tokens
    (`203.0.113.2` is not inside `203.0.113.201`)."""
    views = _views(text)
    return {value for value in values if any(_holds(view, form) for form in _forms(value) for view in views)}


def _holds(view: str, form: str) -> bool:
    if form not in view:  # the cheap test first: most values are in no output
        return False
    return re.search(rf"(?<![0-9a-z]){re.escape(form)}(?![0-9a-z])", view) is not None


def _views(text: str) -> tuple[str, ...]:
    """The text and its obvious decodings, lower-cased: HTML entities and line-break opportunities
    (`<wbr>`, no text of its own), URL escapes, JSON `\\u` escapes, Markdown backslashes."""
    json_decoded = re.sub(r"\\u([0-9a-fA-F]{4})", lambda match: chr(int(match.group(1), 16)), text)
    views = {
        text,
        html.unescape(text),
        html.unescape(text.replace("<wbr>", "")),
        urllib.parse.unquote(text),
        urllib.parse.unquote_plus(text),
        json_decoded,
        re.sub(r"\\(.)", r"\1", json_decoded),
    }
    return tuple(view.lower() for view in views)


def _forms(value: str) -> set[str]:
    """The value lower-cased, without its separators, and as its digits when it is a number."""
    forms = {value.lower(), re.sub(r"[\s-]", "", value).lower()}
    number = re.sub(r"\D", "", value)
    if len(number) >= 8:
        forms.add(number)
    return forms


def decoded(output: bytes) -> str:
    return output.decode("utf-8-sig", errors="replace")


def leaks(texts: dict[str, str], values: Iterable[str]) -> dict[str, set[str]]:
    """Where each output holds known values: empty when nothing leaked."""
    values = tuple(values)
    return {where: found for where, text in texts.items() if (found := found_in(text, values))}


def assert_no_password(texts: dict[str, str], secrets: Iterable[str]) -> None:
    for where, text in texts.items():
        for secret in secrets:
            assert secret not in text, f"a password in {where}"


@pytest.fixture(scope="module")
def files_sources(tmp_path_factory: pytest.TempPathFactory) -> Sources:
    return write_files(tmp_path_factory.mktemp("sources"))


@pytest.fixture(scope="module")
def postgres_database(postgres_server: PostgresServer) -> tuple[PostgresServer, str, tuple[str, ...]]:
    url, values = load_postgres(postgres_server)
    return postgres_server, url, values


@pytest.fixture(scope="module")
def mariadb_database(mariadb_server: MariaDBServer) -> tuple[MariaDBServer, str, tuple[str, ...]]:
    url, values = load_mariadb(mariadb_server)
    return mariadb_server, url, values


@pytest.fixture(scope="module")
def databases_sources(
    postgres_database: tuple[PostgresServer, str, tuple[str, ...]],
    mariadb_database: tuple[MariaDBServer, str, tuple[str, ...]],
    tmp_path_factory: pytest.TempPathFactory,
) -> Sources:
    """Both live databases: the password in PostgreSQL's URL, in MariaDB's `?password=`."""
    _, postgres_url, postgres_values = postgres_database
    _, mariadb_url, mariadb_values = mariadb_database
    return Sources(
        cwd=tmp_path_factory.mktemp("databases"),
        targets=(postgres_url, mariadb_url),
        values={"postgres": postgres_values, "mariadb": mariadb_values},
        secrets=password_forms(),
    )


@pytest.mark.parametrize("show_data", [False, True], ids=["masked", "show-data"])
@pytest.mark.parametrize("format_name", SCAN_FORMATS)
@pytest.mark.parametrize("kind", ["files", "databases"])
def test_scan_shows_values_only_with_show_data_and_never_a_password(
    kind: str, format_name: str, show_data: bool, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    sources: Sources = request.getfixturevalue(f"{kind}_sources")
    output = tmp_path / f"report.{format_name}"
    shown = ["--show-data"] if show_data else []
    result = run_pdscan(
        "scan", *sources.targets, "--format", format_name, "--output", str(output), "--fail-on", "never", *shown,
        cwd=sources.cwd, text=False,
    )  # fmt: skip
    assert result.returncode == 0, decoded(result.stderr)
    assert [path.name for path in tmp_path.iterdir()] == [output.name], "the report and nothing else"
    texts = {"stdout": decoded(result.stdout), "stderr": decoded(result.stderr), "report": decoded(output.read_bytes())}
    assert_no_password(texts, sources.secrets)
    found = leaks(texts, sources.all_values())
    shown_kinds = set(SHOWS_VALUES.get(format_name, ())) if show_data else set()
    if not shown_kinds & set(sources.values):
        assert found == {}
        return
    assert set(found) == {"report"}, "values go to the report only"
    for kind_of_source, values in sources.values.items():
        shown_here = found["report"] & set(values)
        assert bool(shown_here) == (kind_of_source in shown_kinds), (kind_of_source, shown_here)


@pytest.mark.parametrize("format_name", sorted(INVENTORY_FORMATS))
@pytest.mark.parametrize("kind", ["files", "databases"])
def test_the_inventory_shows_no_value_and_no_password(
    kind: str, format_name: str, request: pytest.FixtureRequest
) -> None:
    sources: Sources = request.getfixturevalue(f"{kind}_sources")
    result = run_pdscan("inventory", *sources.targets, "--format", format_name, cwd=sources.cwd, text=False)
    assert result.returncode == 0, decoded(result.stderr)
    texts = {"stdout": decoded(result.stdout), "stderr": decoded(result.stderr)}
    assert_no_password(texts, sources.secrets)
    assert leaks(texts, sources.all_values()) == {}


@pytest.mark.parametrize("format_name", sorted(INVENTORY_SHOWS_SAMPLES))
def test_the_inventory_check_fails_when_masking_fails(
    format_name: str, files_sources: Sources, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The inventory has no --show-data: with every `mask` replaced by the raw value, the same
    search finds the values in the formats that show samples."""
    original = masking.mask
    for found in pkgutil.walk_packages(pdscan.__path__, "pdscan."):
        if found.name.endswith("__main__"):
            continue  # importing it runs the command line
        module = importlib.import_module(found.name)
        if getattr(module, "mask", None) is original:
            monkeypatch.setattr(module, "mask", lambda value, data_type: value)
    monkeypatch.chdir(files_sources.cwd)
    result = CliRunner().invoke(main, ["inventory", *files_sources.targets, "--format", format_name, "--jobs", "1"])
    assert result.exit_code == 0, result.output
    found = found_in(result.stdout, files_sources.all_values())
    for kind_of_source, values in files_sources.values.items():
        assert bool(found & set(values)) == (kind_of_source in SAMPLED_KINDS), kind_of_source


@pytest.mark.parametrize("kind", ["files", "databases"])
def test_init_and_baseline_write_no_value_and_no_password(
    kind: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    sources: Sources = request.getfixturevalue(f"{kind}_sources")
    data_map, baseline = tmp_path / "pdscan.yml", tmp_path / "baseline.json"
    results = {
        "init": run_pdscan("init", *sources.targets, "--output", str(data_map), cwd=sources.cwd, text=False),
        "init -": run_pdscan("init", *sources.targets, "--output", "-", cwd=sources.cwd, text=False),
        "baseline": run_pdscan("baseline", *sources.targets, "--output", str(baseline), cwd=sources.cwd, text=False),
    }
    texts = {"pdscan.yml": data_map.read_text(), "baseline.json": baseline.read_text()}
    for command, result in results.items():
        assert result.returncode == 0, decoded(result.stderr)
        texts |= {f"{command} stdout": decoded(result.stdout), f"{command} stderr": decoded(result.stderr)}
    assert "purposes: []" in texts["init - stdout"] and '"entries"' in texts["baseline.json"], "they say something"
    assert_no_password(texts, sources.secrets)
    assert leaks(texts, sources.all_values()) == {}


def _database_url(scheme: str, port: int, password: str, carried_by: str) -> tuple[str, dict[str, str]]:
    """A URL of the `noleak` database with the password in the user-info, in `?password=`, or in
    the environment variable the driver reads."""
    quoted = urllib.parse.quote(password, safe="")
    userinfo = f":{quoted}" if carried_by == "url" else ""
    query = f"?password={quoted}" if carried_by == "query" else ""
    url = f"{scheme}://{DB_USER}{userinfo}@127.0.0.1:{port}/{DB_NAME}{query}"
    variable = "PGPASSWORD" if scheme == "postgresql" else "MYSQL_PWD"
    return url, ({variable: password} if carried_by == "environment" else {})


@pytest.mark.parametrize("case", ["reachable", "refused", "unreachable"])
@pytest.mark.parametrize("carried_by", ["url", "query", "environment"])
@pytest.mark.parametrize("server", ["postgres", "mariadb"])
def test_a_database_password_is_never_shown(
    server: str, carried_by: str, case: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    database, _, _ = request.getfixturevalue(f"{server}_database")
    scheme = "postgresql" if server == "postgres" else "mariadb"
    password = WRONG_PASSWORD if case == "refused" else DB_PASSWORD
    port = _free_port() if case == "unreachable" else database.port
    url, env = _database_url(scheme, port, password, carried_by)
    report = tmp_path / "report.json"
    result = run_pdscan(
        "--debug", "scan", url, "--format", "json", "--output", str(report), "--fail-on", "never",
        cwd=tmp_path, env=env, text=False,
    )  # fmt: skip
    texts = {"stdout": decoded(result.stdout), "stderr": decoded(result.stderr)}
    if report.exists():
        texts["report"] = report.read_text()
    assert_no_password(texts, password_forms(password) + password_forms(DB_PASSWORD))
    shown = f"{scheme}://{DB_USER}{'' if carried_by == 'environment' else ':***'}@127.0.0.1:{port}/{DB_NAME}"
    if case == "reachable":
        assert result.returncode == 0, texts["stderr"]
        assert f'"source": "{shown}"' in texts["report"]
    else:
        assert result.returncode == 2, texts["stderr"]
        assert f"pdscan: skipped {shown}: cannot connect" in texts["stderr"]
    assert "Traceback" not in texts["stderr"], "a server refusing us is a skip, not an error"


def _failing_database_scan(recorded: list[str]) -> Callable[..., NoReturn]:
    """Stands in for `scan_server`: fails the way drivers do (psycopg echoes the
    connection string it could not parse), wrapped in an error quoting a URL and a card number."""

    def scan_server(target: DatabaseTarget, *args: object, **kwargs: object) -> NoReturn:
        password = target.password or DB_PASSWORD
        try:
            psycopg.connect(f"{target.user}:{password}@{target.host} dbname={target.database}")
        except psycopg.Error as error:
            recorded.append(str(error))
            raise RuntimeError(
                f"lost postgresql://{target.user}:{password}@{target.host}/{target.database} at card {CARD}"
            ) from error
        raise AssertionError("psycopg was expected to refuse that connection string")

    return scan_server


@pytest.mark.parametrize("carried_by", ["url", "query", "environment"])
def test_debug_prints_the_traceback_of_an_internal_error_with_credentials_scrubbed(
    carried_by: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorded: list[str] = []
    monkeypatch.setattr("pdscan.sources.database.source.scan_server", _failing_database_scan(recorded))
    url, env = _database_url("postgresql", _free_port(), DB_PASSWORD, carried_by)
    for variable, value in env.items():
        monkeypatch.setenv(variable, value)
    result = CliRunner().invoke(main, ["--debug", "scan", url, "--format", "json"])
    assert result.exit_code == 2
    assert DB_PASSWORD in recorded[0], "the driver's message holds the password: the scrub is what hides it"
    assert "Traceback (most recent call last)" in result.stderr
    assert "psycopg.ProgrammingError: missing" in result.stderr
    assert "The above exception was the direct cause of the following exception" in result.stderr
    assert_no_password({"stdout": result.stdout, "stderr": result.stderr}, password_forms())
    assert CARD not in result.stderr and "4*** **** **** 1111" in result.stderr, "values are masked too"
    assert result.stderr.splitlines()[-1] == (
        f"pdscan: internal error: RuntimeError: lost postgresql://{DB_USER}:***@127.0.0.1/{DB_NAME} at card "
        "4*** **** **** 1111; the traceback is above; please report it"
    )


def test_an_internal_error_is_one_line_and_exit_2_without_debug(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("pdscan.sources.database.source.scan_server", _failing_database_scan([]))
    url, _ = _database_url("postgresql", _free_port(), DB_PASSWORD, "url")
    result = CliRunner().invoke(main, ["scan", url])
    assert result.exit_code == 2, "not 1, which means findings"
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[-1] == (
        f"pdscan: internal error: RuntimeError: lost postgresql://{DB_USER}:***@127.0.0.1/{DB_NAME} at card "
        "4*** **** **** 1111; run with --debug for the traceback; please report it"
    )
    assert_no_password({"stdout": result.stdout, "stderr": result.stderr}, password_forms())


def test_debug_prints_the_traceback_of_an_input_error(tmp_path: Path) -> None:
    """A mistyped URL (one slash) is read as a path: its message and traceback echo it, masked."""
    typo = f"postgresql:/{DB_USER}:{DB_PASSWORD}@127.0.0.1/{DB_NAME}"
    plain = run_pdscan("scan", typo, cwd=tmp_path, text=False)
    debug = run_pdscan("--debug", "scan", typo, cwd=tmp_path, text=False)
    line = f"pdscan: error: postgresql:/{DB_USER}:***@127.0.0.1/{DB_NAME}: no such file or directory"
    for result in (plain, debug):
        assert result.returncode == 2
        assert decoded(result.stderr).splitlines()[-1] == line
        assert_no_password({"stderr": decoded(result.stderr), "stdout": decoded(result.stdout)}, password_forms())
    assert "Traceback" not in decoded(plain.stderr)
    assert "Traceback (most recent call last)" in decoded(debug.stderr) and "UnknownSourceError" in decoded(
        debug.stderr
    )


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            f"postgresql://{DB_USER}@127.0.0.1:port/{DB_NAME}?password={DB_PASSWORD}",
            f"postgresql://{DB_USER}@127.0.0.1:port/{DB_NAME}?password=***: the port must be a number from 1 to 65535",
        ),
        (
            f"mysql://{DB_USER}@127.0.0.1?password={DB_PASSWORD}",
            f"mysql://{DB_USER}@127.0.0.1?password=***: name the database after the host, e.g. mysql://user@host/shop",
        ),
        (
            f"mariadb://{DB_USER}:{DB_PASSWORD}@127.0.0.1:nan/{DB_NAME}",
            f"mariadb://{DB_USER}:***@127.0.0.1:nan/{DB_NAME}: the port must be a number from 1 to 65535",
        ),
    ],
    ids=["bad-port", "no-database", "bad-port-userinfo"],
)
def test_a_url_pdscan_cannot_use_is_named_without_its_password(url: str, message: str, tmp_path: Path) -> None:
    result = run_pdscan("scan", url, cwd=tmp_path, text=False)
    assert result.returncode == 2
    assert decoded(result.stderr).splitlines()[-1] == f"pdscan: error: {message}"
    assert_no_password({"stderr": decoded(result.stderr), "stdout": decoded(result.stdout)}, password_forms())


@pytest.mark.parametrize(
    ("data_type", "value", "masked"),
    [
        ("user.contact.email", "hanako.yamada@mail.example.org", "***@****.*******.org"),
        ("user.contact.email", "michiko%40example.com", "***@*******.com"),
        ("user.financial.credit_card.number", "4111 1111 1111 1111", "4*** **** **** 1111"),
        ("user.financial.credit_card.number", "3782-822463-10005", "3***-******-*0005"),
        ("user.financial.bank_account.iban", "GB82 WEST 1234 5698 7654 32", "GB** **** **** **** **** 32"),
        ("user.financial.bank_account", "1234-5678", "****-**78"),
        ("user.financial.bank_account.holder", "Taro Suzuki", "T***i (11 chars)"),
        ("user.contact.phone_number", "+81 90-1234-5678", "+81 **-****-**78"),
        ("user.contact.phone_number", "%2B819012345678", "+81********78"),
        ("user.contact.phone_number", "090-1234-5678", "***-****-**78"),
        ("user.device.device_id.imei", "490154203237518", "*************18"),
        ("user.demographic.date_of_birth", "1985-04-12", "****-**-**"),
        ("user.device.ip_address", "203.0.113.77", "203.0.113.x"),
        ("user.device.ip_address", "2001:db8:85a3::8a2e:370:7344", "2001:db8:x:x"),
        ("user.device.host_name", "p5dd3a1b2.dip0.t-ipconnect.de", "*.t-ipconnect.de"),
        ("user.device.user_agent", "Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/120.0", "Mozilla/5.0 …"),
        ("user.device.user_agent", "198.51.100.23", "198.51.100.x"),
        ("user.device.user_agent", "sachiko@example.org Mozilla/5.0", "***@*******.org …"),
        ("user.device.user_agent", "4111 1111 1111 1111", "*** …"),
        ("user.device.user_agent", "+81 90-1234-5678", "*** …"),
        ("user.device.language", "ja-JP,ja;q=0.9", "ja-JP,ja …"),
        ("user.device.device_id.mac_address", "00:1A:2B:3C:4D:5E", "0***E (17 chars)"),
        ("user.authorization.session_token", "8f14e45fceea167a5a36dedd4bea2543", "8***3 (32 chars)"),
        ("user.name", "Taro Suzuki", "T***i (11 chars)"),
        ("user.name", "Hanako", "H***"),
        ("user.name", "Ken", "***"),
    ],
)
def test_each_kind_has_its_mask(data_type: str, value: str, masked: str) -> None:
    assert mask(value, data_type) == masked


@pytest.mark.parametrize(
    "card", ["4111 1111 1111 1111", "5500 0000 0000 0004", "3782 822463 10005", "6011000990139424", "30569309025904"]
)
def test_a_card_keeps_its_brand_digit_and_last_four_never_the_bin(card: str) -> None:
    shown = re.sub(r"\D", "", mask(card, "user.financial.credit_card.number").replace("*", ""))
    number = re.sub(r"\D", "", card)
    assert shown == number[0] + number[-4:], "one digit for the brand, four people quote; the rest hidden"
    assert mask(card, "user.financial.credit_card.number").count("*") == len(number) - 5


@pytest.mark.parametrize(
    "address", ["hanako.yamada@mail.example.org", "k@ex.jp", "taro+shop@sub.domain.example.co.uk", "MEI@Example.COM"]
)
def test_an_email_keeps_its_domains_shape_not_the_local_part(address: str) -> None:
    local, domain = address.rsplit("@", 1)
    shown = mask(address, "user.contact.email")
    assert shown.startswith("***@") and local not in shown
    assert [len(label) for label in shown[4:].split(".")] == [len(label) for label in domain.split(".")]
    assert shown.endswith("." + domain.rsplit(".", 1)[1]), "the top-level domain stays"
    assert domain.split(".")[0] not in shown


def test_values_inside_text_are_masked_and_the_rest_kept() -> None:
    text = f"lost hanako@mail.example.org at 203.0.113.77 with card {CARD}; retry 3"
    assert mask_text(text) == "lost ***@****.*******.org at 203.0.113.x with card 4*** **** **** 1111; retry 3"
    assert mask_text("nothing personal: version 1.2.3.4 of libfoo") == "nothing personal: version 1.2.3.4 of libfoo"


def test_json_keys_that_are_values_are_masked_in_evidence(files_sources: Sources) -> None:
    """`{"by_email": {"a@b.example": {"email": …}}}`: a key is a personal value; the evidence
    naming the key path shows it masked (the search above would catch it raw)."""
    result = run_pdscan("scan", "shop.db", "--format", "json", "--fail-on", "never", cwd=files_sources.cwd, text=False)
    assert "JSON key `by_email.***@*******.com.email`" in decoded(result.stdout)
    assert not found_in(decoded(result.stdout), files_sources.values["sqlite"])


def test_a_json_log_key_that_is_a_personal_value_is_not_shown(tmp_path: Path) -> None:
    (tmp_path / "events.jsonl").write_text(
        json.dumps({"msg": "seen", "by_email": {"sachiko@example.org": {"ip": "203.0.113.9"}}}) + "\n"
    )
    result = run_pdscan("scan", "events.jsonl", "--format", "json", "--fail-on", "never", cwd=tmp_path, text=False)
    assert result.returncode == 0
    assert leaks({"stdout": decoded(result.stdout), "stderr": decoded(result.stderr)}, ["sachiko@example.org"]) == {}
    found = {(f["location"]["column"], f["category"]) for f in json.loads(result.stdout)["findings"]}
    # The address is found where it stands (in the line, outside any value) and the value under
    # it is named by its masked key.
    assert found == {(None, "email"), ("by_email.***@*******.org.ip", "ip_address")}


# Values a JSON log may use as keys, one per kind the value detectors find; the phone numbers
# with and without separators, as written and URL-encoded.
PERSONAL_KEYS = {
    "email": "keiko.abe@example.org",
    "ipv4": "203.0.113.45",
    "ipv6": "2001:db8:85a3::8a2e:370:7399",
    "card": "5500 0000 0000 0004",
    "iban": "GB82WEST12345698765432",
    "phone": "+81 3-1234-5678",
    "phone_compact": "+819012345678",
    "phone_url_encoded": "%2B818012345678",
    "mac": "00:1A:2B:3C:4D:5E",
    "imei": "490154203237518",
}
TECHNICAL_KEYS = ("v2", "2024-03-01", "404")  # digits, but nothing personal: shown as they are


@pytest.fixture(scope="module")
def keyed_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A JSON log whose keys are personal values (and a few that only hold digits), each above
    an address so that its path names a finding."""
    folder = tmp_path_factory.mktemp("keys")
    keys = [*PERSONAL_KEYS.values(), *TECHNICAL_KEYS]
    lines = [json.dumps({"by": {key: {"e": f"u{index}@example.com"}}}) for index, key in enumerate(keys)]
    (folder / "keys.log").write_text("\n".join(lines) + "\n")
    return folder


@pytest.mark.parametrize(
    ("command", "format_name"),
    [*(("scan", name) for name in SCAN_FORMATS), *(("inventory", name) for name in sorted(INVENTORY_FORMATS))],
)
def test_a_json_key_of_any_personal_kind_is_masked_in_every_format(
    command: str, format_name: str, keyed_log: Path
) -> None:
    result = run_pdscan(command, "keys.log", "--format", format_name, cwd=keyed_log, text=False)
    assert result.returncode in (0, 1), decoded(result.stderr)  # 1: findings not declared
    texts = {"stdout": decoded(result.stdout), "stderr": decoded(result.stderr)}
    assert leaks(texts, PERSONAL_KEYS.values()) == {}
    assert "1234-5678" not in texts["stdout"] and "12345678" not in texts["stdout"]


def test_a_json_key_that_only_holds_digits_is_shown_as_it_is(keyed_log: Path) -> None:
    result = run_pdscan("scan", "keys.log", "--format", "ndjson", cwd=keyed_log, text=False)
    fields = {json.loads(line)["field"] for line in decoded(result.stdout).splitlines()}
    assert {f"by.{key}.e" for key in TECHNICAL_KEYS} <= fields
    assert {"by.+81 *-****-**78.e", "by.+81********78.e"} <= fields, "phone numbers show their masks"


# User agents that are personal values: a client, a proxy or a log writer putting an address,
# an e-mail, a card or a phone number where the product goes.
AGENT_VALUES = {
    "ip": "198.51.100.23",
    "email": "sachiko.ueda@example.org",
    "card": "4111 1111 1111 1111",
    "card_compact": "5500000000000004",
    "phone": "+81 90-1234-5678",
    "phone_compact": "+819012345678",
}


@pytest.fixture(scope="module")
def agent_logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An IIS log and a JSON log whose user agents hold personal values, and one real agent."""
    folder = tmp_path_factory.mktemp("agents")
    agents = [*AGENT_VALUES.values(), "Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0"]
    w3c = [f"2026-11-24 10:00:00 203.0.113.7 {agent.replace(' ', '+')}" for agent in agents]
    (folder / "u_ex1.log").write_text("\n".join(["#Fields: date time c-ip cs(User-Agent)", *w3c]) + "\n")
    jsonl = [json.dumps({"msg": "request", "user_agent": f"{agent} (via proxy)"}) for agent in agents]
    (folder / "agents.jsonl").write_text("\n".join(jsonl) + "\n")
    return folder


@pytest.mark.parametrize("format_name", SCAN_FORMATS)
def test_a_user_agent_that_is_a_personal_value_is_masked_in_every_format(format_name: str, agent_logs: Path) -> None:
    """The user-agent mask keeps the first word, the product: when that word is itself a
    personal value it shows the value's own mask, or nothing."""
    result = run_pdscan(
        "scan", "u_ex1.log", "agents.jsonl", "--format", format_name, "--fail-on", "never", cwd=agent_logs, text=False
    )
    assert result.returncode == 0, decoded(result.stderr)
    texts = {"stdout": decoded(result.stdout), "stderr": decoded(result.stderr)}
    assert leaks(texts, AGENT_VALUES.values()) == {}
    assert "9012345678" not in texts["stdout"] and "1234-5678" not in texts["stdout"]


def test_a_real_user_agent_still_shows_its_product(agent_logs: Path) -> None:
    result = run_pdscan("scan", "u_ex1.log", "agents.jsonl", "--format", "ndjson", cwd=agent_logs, text=False)
    agents = {record["value"] for record in map(json.loads, decoded(result.stdout).splitlines())
              if record["category"] == "device"}  # fmt: skip
    assert "Mozilla/5.0 …" in agents
    shown = run_pdscan("scan", "u_ex1.log", "--format", "ndjson", "--show-data", cwd=agent_logs, text=False)
    assert "198.51.100.23" in decoded(shown.stdout), "--show-data still shows the values"


# Names that hold personal values: a table named after a person's e-mail, columns named after
# an IBAN and card numbers (one after `t_`, one after `t-`), a log named after an e-mail whose
# keys hold an IBAN and an address. Beside them ordinary names, so the scan finds something.
NAME_VALUES = {
    "email": "alice@example.com",
    "iban": "GB82WEST12345698765432",
    "card": "4111111111111111",
    "visa": "4916338506082832",
    "mastercard": "5500000000000004",
    "ipv4": "203.0.113.77",
}
NAMED_DDL = """\
CREATE TABLE "backup_alice@example.com" (
  id integer PRIMARY KEY,
  email text,
  iban_GB82WEST12345698765432 text,
  card_number_4111111111111111 text,
  "phone-5500000000000004" text
);
CREATE TABLE t_4916338506082832 (id integer, email text, "ip_203.0.113.77" text);
CREATE TABLE users (id integer, email text, ipv4_address text, v1_2_3_4 text);
"""


@pytest.fixture(scope="module")
def named_sources(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("names")
    (folder / "schema.sql").write_text(NAMED_DDL)
    lines = [
        {"msg": "login", "email": "bob@example.org", "ip": "198.51.100.7"},
        {"backup_GB82WEST12345698765432": {"email": "carol@example.net"}},
        {"host-203.0.113.77": {"email": "dave@example.net"}},
    ]
    (folder / "user_alice@example.com.log").write_text("".join(json.dumps(line) + "\n" for line in lines))
    with sqlite3.connect(folder / "backup.db") as database:
        database.executescript(NAMED_DDL)
        database.execute(
            'INSERT INTO "backup_alice@example.com" VALUES (1, ?, ?, ?, ?)',
            ("erin@example.org", "DE89370400440532013000", "5105105105105100", "+81 90-1234-5678"),
        )
    database.close()
    return folder


NAMED_TARGETS = ("schema.sql", "user_alice@example.com.log", "backup.db")


@pytest.mark.parametrize("show_data", [False, True], ids=["masked", "show-data"])
@pytest.mark.parametrize(
    ("command", "format_name"),
    [*(("scan", name) for name in SCAN_FORMATS), *(("inventory", name) for name in sorted(INVENTORY_FORMATS))],
)
def test_a_name_holding_a_personal_value_is_masked_in_every_format(
    command: str, format_name: str, show_data: bool, named_sources: Path, tmp_path: Path
) -> None:
    """Table, column, field and file names go through the value detectors: the values in them
    are in no output, --debug and --show-data (which shows values, not names) included."""
    output = tmp_path / f"report.{format_name}"
    options = ["--fail-on", "never", "--output", str(output)] if command == "scan" else []
    shown = ["--show-data"] if show_data and command == "scan" else []
    result = run_pdscan(
        "--debug", command, *NAMED_TARGETS, "--format", format_name, *options, *shown, cwd=named_sources, text=False
    )
    assert result.returncode == 0, decoded(result.stderr)
    texts = {"stdout": decoded(result.stdout), "stderr": decoded(result.stderr)}
    if output.exists():
        texts["report"] = decoded(output.read_bytes())
    assert leaks(texts, NAME_VALUES.values()) == {}
    shown = _views("\n".join(texts.values()))  # Markdown escapes the stars
    assert any("iban_gb******************32" in view and "card_number_4***********1111" in view for view in shown)
    assert any("***@*******.com" in view for view in shown), "the masked table and log names are there"
    assert any("ipv4_address" in view for view in shown), "an ordinary name is shown as it is"


def _fingerprints(baseline: Path) -> dict[tuple[str, str | None, str | None, str], str]:
    entries = json.loads(baseline.read_text())["entries"]
    return {(e["source"], e["table"], e["column"], e["category"]): e["fingerprint"] for e in entries}


def test_the_data_map_and_the_baseline_name_masked_places_with_stable_fingerprints(
    named_sources: Path, tmp_path: Path
) -> None:
    data_map, first, second = tmp_path / "pdscan.yml", tmp_path / "first.json", tmp_path / "second.json"
    results = {
        "init": run_pdscan("init", *NAMED_TARGETS, "--output", str(data_map), cwd=named_sources, text=False),
        "baseline 1": run_pdscan("baseline", *NAMED_TARGETS, "--output", str(first), cwd=named_sources, text=False),
        "baseline 2": run_pdscan("baseline", *NAMED_TARGETS, "--output", str(second), cwd=named_sources, text=False),
    }
    texts = {"pdscan.yml": data_map.read_text(), "baseline.json": first.read_text()}
    for command, result in results.items():
        assert result.returncode == 0, decoded(result.stderr)
        texts |= {f"{command} stdout": decoded(result.stdout), f"{command} stderr": decoded(result.stderr)}
    assert leaks(texts, NAME_VALUES.values()) == {}
    assert first.read_text() == second.read_text(), "the same scan, the same fingerprints"
    fingerprints = _fingerprints(first)
    source = Path(os.path.relpath(named_sources / "schema.sql", tmp_path)).as_posix()
    assert (source, "***@*******.com", "iban_GB******************32", "bank_account") in fingerprints
    assert any(table == "t_4***********2832" for _, table, _, _ in fingerprints)
    # The masked names written are the names the next scan finds: every finding is known to the
    # baseline, and the data map's places are all found (none stale).
    with_both = run_pdscan(
        "scan", *NAMED_TARGETS, "--baseline", str(first), "--config", str(data_map), "--format", "json",
        cwd=named_sources, text=False,
    )  # fmt: skip
    assert with_both.returncode == 0, decoded(with_both.stderr)
    report = json.loads(with_both.stdout)
    assert {finding["baseline_state"] for finding in report["findings"]} == {"unchanged"}
    assert report["stale_declarations"] == []


def test_a_name_holding_no_value_keeps_its_fingerprint(named_sources: Path, tmp_path: Path) -> None:
    """Existing baselines stay valid: `users.email` is fingerprinted from its name as it is."""
    baseline = tmp_path / "baseline.json"
    assert (
        run_pdscan("baseline", "schema.sql", "--output", str(baseline), cwd=named_sources, text=False).returncode == 0
    )
    source = Path(os.path.relpath(named_sources / "schema.sql", tmp_path)).as_posix()
    identity = "\x1f".join((source, "users", "email", "email"))
    expected = hashlib.sha256(identity.encode("utf-8")).hexdigest()[:16]
    assert _fingerprints(baseline)[(source, "users", "email", "email")] == expected


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("backup_alice@example.com", "***@*******.com"),
        ("x-alice@example.com", "***@*******.com"),
        ("jean-pierre@my-example.com", "***@**********.com"),  # one address, not `pierre@…`
        ("t_4111111111111111", "t_4***********1111"),
        ("t-4111111111111111", "t-4***********1111"),
        ("t_4916338506082832", "t_4***********2832"),
        ("card_4111_1111_1111_1111", "card_4***_****_****_1111"),
        ("card_number_4111111111111111", "card_number_4***********1111"),
        ("iban_GB82WEST12345698765432", "iban_GB******************32"),
        ("iban-DE89370400440532013000-old", "iban-DE******************00-old"),
        ("imei-490154203237518", "imei-*************18"),
        ("host_203.0.113.5", "host_203.0.113.x"),
        ("ip_198.51.100.7-old", "ip_198.51.100.x-old"),
        ("mac_00-1A-2B-3C-4D-5E", "mac_0***E (17 chars)"),
        ("logs/192.0.2.10.log.gz", "logs/192.0.2.x.log.gz"),
        ("s3://bucket/users/alice@example.com/app.log", "s3://bucket/users/***@*******.com/app.log"),
        ("public.t_5500000000000004", "public.t_5***********0004"),
    ],
)
def test_a_value_in_a_name_is_masked_at_underscores_and_hyphens(name: str, masked: str) -> None:
    assert mask_name(name) == masked


@pytest.mark.parametrize(
    "name",
    [
        "ipv4_address", "v1_2_3_4", "ip_v4", "users", "customer_emails", "t_2024_01_01", "events_20240101",
        "order_123456789", "app_v1.2.3.4.log", "x509_cert", "sha256_digest", "utf8mb4_bin",
        "api-v2", "access.log.1", "2026-11-24.log", "logo@2x.png",
    ],
)  # fmt: skip
def test_a_name_that_only_looks_like_a_value_is_kept(name: str) -> None:
    assert mask_name(name) == name


def test_a_data_map_naming_a_place_by_its_raw_name_still_declares_it(named_sources: Path, tmp_path: Path) -> None:
    """A data map written before names were masked (`"backup_alice@example.com"`) matches the
    masked place, and no message echoes the raw name back."""
    data_map = tmp_path / "pdscan.yml"
    data_map.write_text(
        textwrap.dedent(
            """\
            version: 1
            databases:
              schema:
                tables:
                  "backup_alice@example.com":
                    columns:
                      iban_GB82WEST12345698765432: [payment]
            logs:
              "user_alice@example.com.log":
                fields:
                  backup_GB82WEST12345698765432.email: [inquiries]
            """
        )
    )
    result = run_pdscan(
        "scan", *NAMED_TARGETS, "--config", str(data_map), "--format", "json", cwd=named_sources, text=False
    )
    assert leaks({"stdout": decoded(result.stdout), "stderr": decoded(result.stderr)}, NAME_VALUES.values()) == {}
    report = json.loads(result.stdout)
    declared = {
        (finding["location"]["column"], tuple(finding["declared_purposes"]))
        for finding in report["findings"]
        if finding["declared_purposes"]
    }
    assert declared == {
        ("iban_GB******************32", ("payment",)),
        ("backup_GB******************32.email", ("inquiries",)),
    }
    assert report["stale_declarations"] == []
