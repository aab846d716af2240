"""Issue 5's scenario end to end: a repository growing migration by migration, scanned the way
CI scans it (the installed `pdscan`, real `git`), quiet about the past and loud about the new."""

from __future__ import annotations

import json
from pathlib import Path

from support.ci_repo import GitRepo, findings_by_place

MIGRATIONS = "db/migrations"
USERS = """\
-- 001: people who sign up.
CREATE TABLE users (
    id    bigint PRIMARY KEY,
    email text NOT NULL
);
"""
PHONE = """\
-- 002: a phone number for deliveries.
ALTER TABLE users ADD COLUMN phone text;
"""
BIRTH_DATE = """\
-- 003: a birthday discount.
ALTER TABLE users ADD COLUMN birth_date date;
"""
RENAME = """\
-- 004: say what kind of phone it is.
ALTER TABLE users RENAME COLUMN phone TO mobile_phone;
"""


def data_map(**columns: list[str]) -> str:
    lines = ["version: 1", "databases:", "  migrations:", "    tables:", "      users:", "        columns:"]
    lines += [f"          {column}: [{', '.join(purposes)}]" for column, purposes in columns.items()]
    return "\n".join(lines) + "\n"


def test_ci_fails_only_on_new_undeclared_personal_data_and_points_at_the_line(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path)

    # Migration 001: users(id, email), email declared for user_notifications -> exit 0.
    repo.write(f"{MIGRATIONS}/001_users.sql", USERS)
    repo.write("pdscan.yml", data_map(email=["user_notifications"]))
    repo.commit("001")
    assert repo.pdscan("scan", MIGRATIONS).returncode == 0

    # Migration 002 adds users.phone, undeclared -> exit 1, SARIF at 002's line of `phone`.
    repo.write(f"{MIGRATIONS}/002_phone.sql", PHONE)
    repo.commit("002")
    sarif, done = repo.sarif(MIGRATIONS)
    assert done.returncode == 1
    [run] = sarif["runs"]
    [phone] = [r for r in run["results"] if r["locations"][0]["logicalLocations"][0]["name"] == "phone"]
    assert phone["ruleId"] == "undeclared" and phone["level"] == "error"
    assert phone["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": f"{MIGRATIONS}/002_phone.sql"},
        "region": {"startLine": 2},
    }
    assert "category `phone`" in phone["message"]["text"] and "§4c" in phone["message"]["text"]
    assert run["tool"]["driver"]["rules"][phone["ruleIndex"]]["id"] == "undeclared"

    # Declaring phone for customer_support -> exit 0.
    repo.write("pdscan.yml", data_map(email=["user_notifications"], phone=["customer_support"]))
    report, done = repo.json(MIGRATIONS)
    assert done.returncode == 0
    assert findings_by_place(report)["users.phone"]["verdict"] == "ok"

    # Declaring phone for advertising -> exit 1: §4c allows no advertising.
    repo.write("pdscan.yml", data_map(email=["user_notifications"], phone=["advertising"]))
    report, done = repo.json(MIGRATIONS)
    assert done.returncode == 1
    phone_finding = findings_by_place(report)["users.phone"]
    assert phone_finding["verdict"] == "purpose_not_permitted"
    assert "advertising" in phone_finding["explanation"] and "§4c" in phone_finding["explanation"]

    # The baseline accepts today's findings; scanning against it passes.
    taken = repo.pdscan("baseline", MIGRATIONS)
    assert taken.returncode == 0, taken.stderr
    baseline = json.loads((tmp_path / ".pdscan-baseline.json").read_text())
    assert [(e["table"], e["column"], e["category"], e["verdict"]) for e in baseline["entries"]] == [
        ("users", "phone", "phone", "purpose_not_permitted")
    ]
    assert repo.pdscan("scan", MIGRATIONS, "--baseline", ".pdscan-baseline.json").returncode == 0
    repo.commit("declarations and baseline")

    # Migration 003 adds birth_date -> exit 1 (no_policy_purpose), phone still accepted.
    repo.write(f"{MIGRATIONS}/003_birth_date.sql", BIRTH_DATE)
    repo.commit("003")
    report, done = repo.json(MIGRATIONS, "--baseline", ".pdscan-baseline.json")
    assert done.returncode == 1
    places = findings_by_place(report)
    assert (places["users.birth_date"]["verdict"], places["users.birth_date"]["baseline_state"]) == (
        "no_policy_purpose",
        "new",
    )
    assert (places["users.phone"]["verdict"], places["users.phone"]["baseline_state"]) == (
        "purpose_not_permitted",
        "unchanged",
    )
    assert report["summary"]["failing"] == 1
    assert len(report["findings"]) == 3, "everything is still reported"

    # --changed-since HEAD~1 sees only 003 (001 and 002 are still replayed for the table).
    report, done = repo.json(MIGRATIONS, "--changed-since", "HEAD~1")
    assert done.returncode == 1
    assert list(findings_by_place(report)) == ["users.birth_date"]
    assert report["changed_since"] == {"ref": "HEAD~1", "files": [f"{MIGRATIONS}/003_birth_date.sql"]}
    assert findings_by_place(report)["users.birth_date"]["location"]["line"] == 2

    # A renamed column keeps its declaration when the data map names the new name ...
    repo.write(f"{MIGRATIONS}/004_rename_phone.sql", RENAME)
    repo.write("pdscan.yml", data_map(email=["user_notifications"], mobile_phone=["customer_support"]))
    repo.commit("004")
    report, done = repo.json(MIGRATIONS, "--baseline", ".pdscan-baseline.json")
    places = findings_by_place(report)
    assert "users.phone" not in places
    mobile = places["users.mobile_phone"]
    assert (mobile["verdict"], mobile["declared_purposes"], mobile["declared_in"]) == (
        "ok",
        ["customer_support"],
        ["pdscan.yml:8"],  # the line naming mobile_phone
    )
    assert mobile["location"]["source"] == f"{MIGRATIONS}/004_rename_phone.sql"
    assert report["stale_declarations"] == []
    # ... and the baseline entry for the old name is reported stale (failing stays birth_date's alone).
    [stale] = report["baseline"]["stale"]
    assert (stale["table"], stale["column"], stale["category"]) == ("users", "phone", "phone")
    assert stale["line"] is not None
    assert f".pdscan-baseline.json:{stale['line']}: stale baseline entry" in done.stderr
    assert done.returncode == 1 and report["summary"]["failing"] == 1
    sarif, _ = repo.sarif(MIGRATIONS, "--baseline", ".pdscan-baseline.json")
    [absent] = [r for r in sarif["runs"][0]["results"] if r.get("baselineState") == "absent"]
    assert absent["ruleId"] == "stale_baseline_entry"
    assert absent["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": ".pdscan-baseline.json"},
        "region": {"startLine": stale["line"]},
    }
