"""Purposes per category at one place: a log field or column holding two categories (a `msg`
field with e-mails and IP addresses) declares each its own purposes; `pdscan init` writes that
form for such places, and a category the place no longer holds is a stale declaration."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from support.command import run_pdscan

from pdscan.declarations import DeclarationError, Declarations, load_data_map
from pdscan.model import Column, Evidence, Finding, Location, Occurrences, SourceKind, Table
from pdscan.policy import Policy, load_policy

EMAIL_AND_IP = "login by user{n}@example.com from 192.0.2.{n}"


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy()


def app_with_two_categories_per_place(root: Path, ip_too: bool = True) -> None:
    """A JSON log whose `msg` field, and a SQLite column `events.detail`, hold e-mails and IPs."""
    (root / "logs").mkdir(exist_ok=True)
    text = EMAIL_AND_IP if ip_too else "login by user{n}@example.com"
    lines = [json.dumps({"level": "info", "msg": text.format(n=n)}) for n in range(1, 21)]
    (root / "logs" / "app.jsonl").write_text("\n".join(lines) + "\n")
    database = root / "shop.db"
    database.unlink(missing_ok=True)
    with sqlite3.connect(database) as connection:
        connection.execute("CREATE TABLE events (id integer, detail text)")
        rows = [(n, f"contact user{n}@example.org via 198.51.100.{n}" if ip_too else f"user{n}@example.org")
                for n in range(1, 21)]  # fmt: skip
        connection.executemany("INSERT INTO events VALUES (?, ?)", rows)
    connection.close()


def scan(root: Path) -> dict:
    done = run_pdscan("scan", "logs", "shop.db", "--format", "json", cwd=root)
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout)


def verdicts(report: dict) -> dict[tuple[str, str], str]:
    return {(f["location"]["column"], f["category"]): f["verdict"] for f in report["findings"]}


def test_init_writes_purposes_per_category_and_filling_them_in_declares_each(tmp_path: Path) -> None:
    app_with_two_categories_per_place(tmp_path)
    written = run_pdscan("init", "logs", "shop.db", cwd=tmp_path)
    assert written.returncode == 0
    assert "(one per category where a place holds several)" in written.stderr, "what init says it wrote"
    text = (tmp_path / "pdscan.yml").read_text()
    for place in ("msg", "detail"):
        entry = text[text.index(f"{place}:") :].splitlines()[1:4]
        assert entry[0].strip().startswith("categories:"), text
        assert entry[1].strip().startswith("email: []  # email (§4d)"), text
        assert entry[2].strip().startswith("ip_address: []  # ip_address (§4i)"), text
    entries = [line.strip() for line in text.splitlines() if not line.startswith("#")]
    assert not any(line.startswith("purposes: []") for line in entries), "no place-wide entry right for one category"
    unchanged = scan(tmp_path)
    assert set(verdicts(unchanged).values()) == {"undeclared"} and unchanged["stale_declarations"] == []
    # Each category gets purposes the policy permits for it, and only for it.
    text = text.replace("email: []", "email: [customer_support]").replace(
        "ip_address: []", "ip_address: [fraud_prevention]"
    )
    (tmp_path / "pdscan.yml").write_text(text)
    report = scan(tmp_path)
    assert set(verdicts(report).values()) == {"ok"}, verdicts(report)
    ip = next(f for f in report["findings"] if f["location"]["column"] == "msg" and f["category"] == "ip_address")
    rows = text.splitlines()
    field = rows.index("      msg:") + 1
    line = next(n for n, row in enumerate(rows[field:], field + 1) if "ip_address: [fraud_prevention]" in row)
    assert ip["declared_purposes"] == ["fraud_prevention"]
    assert ip["declared_in"] == [f"pdscan.yml:{field}", f"pdscan.yml:{line}"], "the field's entry, its category's"


def test_place_wide_and_per_category_purposes_add_up(tmp_path: Path) -> None:
    app_with_two_categories_per_place(tmp_path)
    (tmp_path / "pdscan.yml").write_text(
        "logs:\n"
        "  logs/app.jsonl:\n"
        "    fields:\n"
        "      msg:\n"
        "        purposes: [fraud_prevention]\n"
        "        categories:\n"
        "          email: [customer_support]\n"
    )
    report = scan(tmp_path)
    msg = {f["category"]: f for f in report["findings"] if f["location"]["column"] == "msg"}
    assert msg["email"]["declared_purposes"] == ["fraud_prevention", "customer_support"]
    assert msg["email"]["declared_in"] == ["pdscan.yml:4", "pdscan.yml:7"]
    assert (msg["email"]["verdict"], msg["ip_address"]["verdict"]) == ("ok", "ok")
    assert msg["ip_address"]["declared_purposes"] == ["fraud_prevention"]


def test_a_category_the_place_no_longer_holds_is_stale(tmp_path: Path) -> None:
    app_with_two_categories_per_place(tmp_path)
    assert run_pdscan("init", "logs", "shop.db", cwd=tmp_path).returncode == 0
    app_with_two_categories_per_place(tmp_path, ip_too=False)  # the IPs are gone from both places
    report = scan(tmp_path)
    stale = {entry["place"]: entry for entry in report["stale_declarations"]}
    assert set(stale) == {"logs/app.jsonl.msg.ip_address", "shop.events.detail.ip_address"}, stale
    field = stale["logs/app.jsonl.msg.ip_address"]
    assert "field `msg`" in field["explanation"] and "no `ip_address`" in field["explanation"]
    assert "column `events.detail`" in stale["shop.events.detail.ip_address"]["explanation"]
    text = (tmp_path / "pdscan.yml").read_text().splitlines()
    assert text[int(field["declared_in"].rsplit(":", 1)[1]) - 1].strip().startswith("ip_address: []")
    assert verdicts(report)[("msg", "email")] == "undeclared", "the rest of the entry still applies"


def test_a_place_scanned_without_values_says_nothing_about_its_categories(tmp_path: Path, policy: Policy) -> None:
    """A DDL scan sees names, not values: a category found in values elsewhere is not stale."""
    path = tmp_path / "pdscan.yml"
    path.write_text(
        "databases:\n  shop:\n    tables:\n      users:\n        columns:\n"
        "          contact: {categories: {email: [customer_support], phone: [delivery]}}\n"
    )
    data_map = load_data_map(path, policy)
    where = Location("db/shop.sql", SourceKind.DDL, "users", "contact", 3, "db/shop.sql")
    tables = (Table(Location("db/shop.sql", SourceKind.DDL, "users", None, 1, "db/shop.sql"), "users",
                    (Column(where, "contact"),)),)  # fmt: skip
    said = Evidence("name", "name.means", (("column", "contact"), ("meaning", "a contact")))
    by_name = Finding(where, "user.contact.email", "email", 0.9, (said,))
    declarations = Declarations.build(data_map, tables, policy)
    assert declarations.stale(tables, (by_name,)) == ()
    from_values = Finding(where, "user.contact.email", "email", 0.9, (), Occurrences(3, "", "", ()))
    [stale] = declarations.stale(tables, (from_values,))
    assert (stale.place, stale.declared_in) == ("shop.users.contact.phone", f"{path}:6")


def test_an_explicit_category_picks_the_per_category_purposes(tmp_path: Path, policy: Policy) -> None:
    """An inline `-- pdscan: category=…` decides which category's purposes apply."""
    path = tmp_path / "pdscan.yml"
    path.write_text(
        "databases:\n  shop:\n    tables:\n      users:\n        columns:\n"
        "          note: {categories: {consented: [stated_at_collection], email: [customer_support]}}\n"
    )
    where = Location("db/shop.sql", SourceKind.DDL, "users", "note", 3, "db/shop.sql")
    column = Column(where, "note", annotation="pdscan: category=consented")
    tables = (Table(Location("db/shop.sql", SourceKind.DDL, "users", None, 1, "db/shop.sql"), "users", (column,)),)
    declared = Declarations.build(load_data_map(path, policy), tables, policy).for_location(where, "email")
    assert (declared.category_override, declared.purposes) == ("consented", ("stated_at_collection",))


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (
            "logs:\n  app.log:\n    fields:\n      msg: {categorie: {}}\n",
            4,
            "unknown key 'categorie' in field 'msg' (expected: categories, category, purposes)",
        ),
        (
            "databases:\n  s:\n    tables:\n      t:\n        columns:\n          c: {categorie: {}}\n",
            6,
            "unknown key 'categorie' in column 'c' (expected: categories, category, purposes)",
        ),
        ("logs:\n  app.log:\n    fields:\n      msg: delivery\n", 4, "field 'msg' must be a mapping"),
        (
            "logs:\n  app.log:\n    fields:\n      msg:\n        categories:\n          ip: [fraud_prevention]\n",
            6,
            "unknown category 'ip'",
        ),
        (
            "logs:\n  app.log:\n    fields:\n      msg:\n        categories:\n          email: [spam]\n",
            6,
            "unknown purpose 'spam'",
        ),
        (
            "databases:\n  s:\n    tables:\n      t:\n        columns:\n"
            "          c: {category: consented, categories: {email: [delivery]}}\n",
            6,
            "column 'c' has both 'category'",
        ),
    ],
)
def test_mistakes_name_a_field_a_field_and_a_column_a_column(
    tmp_path: Path, policy: Policy, text: str, line: int, message: str
) -> None:
    path = tmp_path / "pdscan.yml"
    path.write_text(text)
    with pytest.raises(DeclarationError) as raised:
        load_data_map(path, policy)
    found = [problem for problem in raised.value.problems if message in problem.message]
    assert found, [str(problem) for problem in raised.value.problems]
    assert (found[0].path, found[0].line) == (str(path), line)


def test_init_update_marks_a_category_the_place_no_longer_holds_and_unmarks_it_when_back(tmp_path: Path) -> None:
    app_with_two_categories_per_place(tmp_path)
    assert run_pdscan("init", "logs", "shop.db", cwd=tmp_path).returncode == 0
    app_with_two_categories_per_place(tmp_path, ip_too=False)
    done = run_pdscan("init", "logs", "shop.db", "--update", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = (tmp_path / "pdscan.yml").read_text().splitlines()
    marks = [lines[n - 1].strip() for n, line in enumerate(lines) if line.strip().startswith("ip_address: []")]
    assert len(marks) == 2, lines
    assert all(
        mark.endswith(": its place's values no longer hold it (remove the entry, or rename it)") for mark in marks
    )
    app_with_two_categories_per_place(tmp_path)  # the IPs are back: the marks go
    assert run_pdscan("init", "logs", "shop.db", "--update", cwd=tmp_path).returncode == 0
    assert "# gone since" not in (tmp_path / "pdscan.yml").read_text()
