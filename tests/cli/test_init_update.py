"""`pdscan init --update`: a data map the team has edited gains the places a new scan found,
and keeps everything else byte for byte: purposes, comments, ignores, order, quoting and
indentation. Entries the scan no longer finds are marked `# gone since DATE`; a place that comes
back loses its mark; a second run adds nothing."""

from __future__ import annotations

import difflib
import json
import re
import sqlite3
from pathlib import Path

from support.ci_repo import findings_by_place
from support.command import run_pdscan

from pdscan.declarations import load_data_map
from pdscan.policy import load_policy

FIRST_MIGRATION = """\
CREATE TABLE customers (
  id integer PRIMARY KEY,
  email varchar(255) NOT NULL,
  phone_number varchar(32),
  first_name varchar(100)
);
CREATE TABLE orders (
  id integer PRIMARY KEY,
  shipping_address text,
  ip_address inet
);
"""
SECOND_MIGRATION = """\
ALTER TABLE customers ADD COLUMN last_name varchar(100);
ALTER TABLE customers ADD COLUMN date_of_birth date;
ALTER TABLE customers ADD COLUMN password_hash varchar(255);
ALTER TABLE orders ADD COLUMN user_agent text;
CREATE TABLE payments (id integer PRIMARY KEY, card_number varchar(19));
"""
FIRST_LOG = (
    '{"level": "info", "client_ip": "203.0.113.7", "msg": "login"}\n'
    '{"level": "info", "client_ip": "198.51.100.23", "msg": "order placed"}\n'
)
NEW_LOG_LINE = (
    '{"level": "info", "client_ip": "203.0.113.9", "customer": {"email": "alice@example.com", '
    '"phone": "+1 202 555 0143"}, "msg": "profile"}\n'
)
# What a team makes of the starter map: purposes filled in, its own comments, its order (orders
# before customers), its quoting, four-space indentation in one table, every form of entry.
HAND_EDITED = """\
# Our data map: reviewed by the DPO on 2026-11-02.
version: 1

databases:
  db:                                   # the migrations folder
    files: ['db/*']
    tables:
      orders:
          columns:                      # four spaces here, as Dana writes them
              ip_address: [fraud_prevention]   # checkout fraud rules
              'shipping_address':
                  purposes: [delivery]
      customers:
        # The CRM reads these.
        columns:
          phone_number: {purposes: [delivery, customer_support]}
          email:
            purposes:
              - customer_support
              - user_notifications
          first_name: [delivery]   # printed on the label
          "*_hash": [authentication]
logs:
  logs/app.jsonl:
    fields:
      client_ip: [fraud_prevention]

ignore:
  - place: "customers.date_of_birth"
    category: "*"
    reason: "always NULL: birthdays were never collected (TICKET-7)"

# end of the map
"""
GONE = re.compile(r"^( *)# gone since \d{4}-\d{2}-\d{2}: ")


def project(tmp_path: Path, data_map: str | None = None) -> Path:
    (tmp_path / "db").mkdir()
    (tmp_path / "logs").mkdir()
    (tmp_path / "db" / "001_customers.sql").write_text(FIRST_MIGRATION)
    (tmp_path / "logs" / "app.jsonl").write_text(FIRST_LOG)
    if data_map is not None:
        (tmp_path / "pdscan.yml").write_text(data_map)
    return tmp_path


def added_lines(before: str, after: str) -> list[str]:
    """The lines `after` adds to `before`; fails if it changes or removes any line of `before`."""
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    added = []
    for kind, old_start, old_end, new_start, new_end in difflib.SequenceMatcher(None, old, new).get_opcodes():
        assert kind in ("equal", "insert"), f"{kind}: {old[old_start:old_end]} -> {new[new_start:new_end]}"
        added.extend(new[new_start:new_end] if kind == "insert" else [])
    return added


def update(root: Path, *extra: str) -> tuple[str, str]:
    done = run_pdscan("init", "db", "logs", "--update", *extra, cwd=root)
    assert done.returncode == 0, done.stderr
    return (root / "pdscan.yml").read_text(), done.stderr


def test_a_hand_edited_map_survives_byte_for_byte_and_gains_the_new_places(tmp_path: Path) -> None:
    root = project(tmp_path, HAND_EDITED)
    (root / "db" / "002_more.sql").write_text(SECOND_MIGRATION)
    with (root / "logs" / "app.jsonl").open("a") as log:
        log.write(NEW_LOG_LINE)
    text, said = update(root)
    assert "5 place(s) added" in said
    added = added_lines(HAND_EDITED, text)
    keys = sorted(line.strip() for line in added if line.rstrip().endswith(":"))
    assert keys == [
        "card_number:",
        "columns:",
        "customer.email:",
        "customer.phone:",
        "last_name:",
        "payments:",
        "user_agent:",
    ], "the ignored date_of_birth and password_hash (under `*_hash`) are in the map already"
    assert "              user_agent:\n" in added, "a new column takes the indentation of its block"
    assert all("purposes: []  # " in line for line in added if "purposes" in line)
    # Each joined its own block: right after the entries the team wrote there.
    lines = text.splitlines()
    assert lines[lines.index("                  purposes: [delivery]") + 1] == "              user_agent:"
    assert lines[lines.index('          "*_hash": [authentication]') + 1] == "          last_name:"
    assert lines[lines.index("          last_name:") + 2] == "      payments:"
    assert lines[lines.index("      client_ip: [fraud_prevention]") + 1] == "      customer.email:"
    load_data_map(root / "pdscan.yml", load_policy())  # loads as it is
    places = findings_by_place(json.loads(run_pdscan("scan", "db", "--format", "json", cwd=root).stdout))
    assert places["customers.email"]["verdict"] == "ok" and places["customers.last_name"]["verdict"] == "undeclared"
    again, said = update(root)
    assert again == text and "is unchanged: no new place" in said, "a second run adds nothing"


def test_entries_no_longer_found_are_marked_gone_until_their_place_comes_back(tmp_path: Path) -> None:
    root = project(tmp_path)
    assert run_pdscan("init", "db", "logs", cwd=root).returncode == 0
    started = (root / "pdscan.yml").read_text()
    (root / "db" / "002_drop.sql").write_text("ALTER TABLE customers DROP COLUMN phone_number;\nDROP TABLE orders;\n")
    marked, said = update(root)
    assert "2 entry(ies) marked gone" in said
    added = added_lines(started, marked)
    assert len(added) == 2 and all(GONE.match(line) for line in added)
    lines = marked.splitlines()
    for name in ("          phone_number:", "      orders:"):
        mark = GONE.match(lines[lines.index(name) - 1])
        assert mark is not None and len(mark.group(1)) == len(name) - len(name.lstrip()), f"marked above {name}"
    assert update(root)[0] == marked, "marked once"
    (root / "db" / "003_phone_again.sql").write_text("ALTER TABLE customers ADD COLUMN phone_number varchar(32);\n")
    back, said = update(root)
    assert "1 gone mark(s) removed" in said
    lines = back.splitlines()
    assert not GONE.match(lines[lines.index("          phone_number:") - 1]), "back: its mark goes"
    assert GONE.match(lines[lines.index("      orders:") - 1]), "still gone"
    phone_mark = marked.splitlines(keepends=True)[marked.splitlines().index("          phone_number:") - 1]
    assert added_lines(back, marked) == [phone_mark], "nothing else changed"


def test_a_map_that_found_nothing_gains_its_first_places(tmp_path: Path) -> None:
    (tmp_path / "db").mkdir()
    (tmp_path / "logs").mkdir()
    (tmp_path / "db" / "001.sql").write_text("CREATE TABLE settings (id integer, theme text);\n")
    assert run_pdscan("init", "db", cwd=tmp_path).returncode == 0
    assert "databases: {}  # the scan found no personal data" in (tmp_path / "pdscan.yml").read_text()
    (tmp_path / "db" / "002.sql").write_text("CREATE TABLE customers (id integer, email text);\n")
    (tmp_path / "logs" / "api.jsonl").write_text(FIRST_LOG)
    (tmp_path / "logs" / "web.jsonl").write_text(FIRST_LOG)
    done = run_pdscan("init", "logs", "db", "--update", cwd=tmp_path)  # new logs and a new schema, at one line
    assert done.returncode == 0, done.stderr
    text = (tmp_path / "pdscan.yml").read_text()
    assert "databases:\n  db:\n" in text and "          email:\n" in text and "found no personal data" not in text
    assert text.count("\nlogs:\n") == 1, "two new logs under one `logs:`"
    assert '\n  "logs/api.jsonl":\n' in text and '\n  "logs/web.jsonl":\n' in text
    load_data_map(tmp_path / "pdscan.yml", load_policy())


def test_update_refuses_what_it_cannot_do_and_leaves_the_map_alone(tmp_path: Path) -> None:
    root = project(tmp_path)
    done = run_pdscan("init", "db", "--update", cwd=root)
    assert done.returncode == 2 and "pdscan.yml: no such data map to update" in done.stderr
    assert not (root / "pdscan.yml").exists()
    (root / "pdscan.yml").write_text(HAND_EDITED)
    for options, said in (
        (("pdscan.yml",), "is pdscan.yml, which this command scans"),  # pdscan never writes to what it scans
        (("--force",), "not with --force or --output -"),
        (("--output", "-"), "not with --force or --output -"),
    ):
        done = run_pdscan("init", "db", *options, "--update", cwd=root)
        assert done.returncode == 2 and said in done.stderr, done.stderr
    (root / "pdscan.yml").write_text(HAND_EDITED.replace("[delivery]", "[delivry]"))
    done = run_pdscan("init", "db", "--update", cwd=root)
    assert done.returncode == 2 and "pdscan.yml:12:30: unknown purpose 'delivry'" in done.stderr
    assert (root / "pdscan.yml").read_text() == HAND_EDITED.replace("[delivery]", "[delivry]")


def test_new_schemas_and_new_logs_each_join_their_own_block(tmp_path: Path) -> None:
    root = project(tmp_path)
    assert run_pdscan("init", "db", cwd=root).returncode == 0  # no `logs:` yet
    started = (root / "pdscan.yml").read_text()
    (root / "billing").mkdir()
    (root / "billing" / "001.sql").write_text("CREATE TABLE invoices (id integer, customer_email text);\n")
    (root / "audit").mkdir()
    (root / "audit" / "web.jsonl").write_text(FIRST_LOG)  # `audit` sorts first: its log comes first in the report
    done = run_pdscan("init", "audit", "logs", "db", "billing", "--update", cwd=root)
    assert done.returncode == 0, done.stderr
    text = (root / "pdscan.yml").read_text()
    added_lines(started, text)
    tops = [line for line in text.splitlines() if re.match(r"[a-z]|  \S", line)]
    assert tops == [
        "version: 1",
        "databases:",
        "  db:",
        "  billing:",
        "logs:",
        '  "audit/web.jsonl":',
        '  "logs/app.jsonl":',
    ]
    load_data_map(root / "pdscan.yml", load_policy())


PER_CATEGORY_MAP = """\
logs:
  logs/app.jsonl:
    fields:
      msg:
        categories:   # support answers these
          email: [customer_support]
          ip_address: [fraud_prevention]
"""


def test_a_category_new_to_a_per_category_field_joins_its_categories(tmp_path: Path) -> None:
    """`msg` declared per category (e-mail, IP) now also holds phone numbers: the field entry
    declares nothing for them, so the scan says undeclared and --update adds the category."""
    root = project(tmp_path, PER_CATEGORY_MAP)
    (root / "db" / "001_customers.sql").unlink()
    (root / "logs" / "app.jsonl").write_text(
        '{"msg": "reset for alice@example.com from 203.0.113.7"}\n'
        '{"msg": "call back bob@example.org on +1 202 555 0143 from 198.51.100.23"}\n'
    )
    done = run_pdscan("init", "logs", "--update", cwd=root)
    assert done.returncode == 0, done.stderr
    text = (root / "pdscan.yml").read_text()
    added = added_lines(PER_CATEGORY_MAP, text)
    assert [line.split("#")[0] for line in added] == ["          phone: []  "]
    lines = text.splitlines()
    assert lines[lines.index("          ip_address: [fraud_prevention]") + 1].startswith("          phone: []  # phone")
    load_data_map(root / "pdscan.yml", load_policy())


def test_a_category_new_to_a_per_category_column_joins_its_categories(tmp_path: Path) -> None:
    """The same for a column whose sampled values hold a category its entry does not list."""
    data_map = """\
databases:
  support:
    tables:
      tickets:
        columns:
          detail:
            categories:
              email: [customer_support]
"""
    (tmp_path / "pdscan.yml").write_text(data_map)
    with sqlite3.connect(tmp_path / "support.db") as db:
        db.execute("CREATE TABLE tickets (id integer PRIMARY KEY, detail text)")
        db.executemany(
            "INSERT INTO tickets (detail) VALUES (?)",
            [(f"user{i}@example.net wrote from 203.0.113.{i + 1}",) for i in range(20)],
        )
    done = run_pdscan("init", "support.db", "--update", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    added = added_lines(data_map, (tmp_path / "pdscan.yml").read_text())
    assert [line.split("#")[0] for line in added] == ["              ip_address: []  "]
