"""A mistyped purpose, category or data-type id names the closest valid ids ("did you mean
`customer_identification`?"), wherever a person types one: the data map, an inline DDL comment,
`--category` and `--fail-on`. A word close to nothing gets no suggestion."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.command import run_pdscan
from support.paths import REPO

SCHEMA = "CREATE TABLE customers (\n  id int,\n  email text,\n  phone text\n);\n"
MAP_HEAD = "databases:\n  schema:\n    tables:\n      customers:\n        columns:\n"


def project(tmp_path: Path, data_map: str, schema: str = SCHEMA) -> Path:
    (tmp_path / "db").mkdir()
    (tmp_path / "db" / "schema.sql").write_text(schema)
    (tmp_path / "pdscan.yml").write_text(data_map)
    return tmp_path


@pytest.mark.parametrize(
    ("data_map", "where", "said"),
    [
        (
            MAP_HEAD + "          email: [customer_identifcation]\n",
            "pdscan.yml:6:19",
            "unknown purpose 'customer_identifcation' (the policy's purposes: `pdscan policy`); "
            "did you mean `customer_identification`?",
        ),
        (
            MAP_HEAD + "          email: {purposes: [delivery], category: emial}\n",
            "pdscan.yml:6:51",
            "unknown category 'emial' (the policy's categories: `pdscan policy`); did you mean `email`?",
        ),
        (
            "logs:\n  app.log:\n    categories:\n      ipaddress: [fraud_prevention]\n",
            "pdscan.yml:4:7",
            "unknown category 'ipaddress' (the policy's categories: `pdscan policy`); did you mean `ip_address`?",
        ),
        (
            "ignore:\n  - place: notes.*\n    category: user.health_medical\n    reason: fixtures\n",
            "pdscan.yml:3:15",
            "did you mean `user.health_and_medical`?",
        ),
    ],
)
def test_a_mistyped_id_in_the_data_map_names_the_closest(tmp_path: Path, data_map: str, where: str, said: str) -> None:
    done = run_pdscan("scan", "db", cwd=project(tmp_path, data_map))
    assert done.returncode == 2
    line = next(line for line in done.stderr.splitlines() if where in line)
    assert said in line


def test_an_id_close_to_nothing_gets_no_suggestion(tmp_path: Path) -> None:
    done = run_pdscan("scan", "db", cwd=project(tmp_path, MAP_HEAD + "          email: [spam]\n"))
    assert done.returncode == 2
    assert "unknown purpose 'spam'" in done.stderr and "did you mean" not in done.stderr


def test_a_mistyped_inline_purpose_names_the_closest(tmp_path: Path) -> None:
    schema = "CREATE TABLE customers (\n  email text -- pdscan: purpose=delivry\n);\n"
    done = run_pdscan("scan", "db", cwd=project(tmp_path, "version: 1\n", schema))
    assert done.returncode == 2
    assert "db/schema.sql:2:1: unknown purpose 'delivry'" in done.stderr
    assert "did you mean `delivery`?" in done.stderr


def test_a_mistyped_category_option_names_the_closest(tmp_path: Path) -> None:
    done = run_pdscan("inventory", "db", "--category", "emails", cwd=project(tmp_path, "version: 1\n"))
    assert done.returncode == 2 and done.stdout == ""
    assert "unknown category emails" in done.stderr and "did you mean `email`?" in done.stderr


def test_a_mistyped_fail_on_names_the_closest(tmp_path: Path) -> None:
    done = run_pdscan("scan", "db", "--fail-on", "undeclard", cwd=project(tmp_path, "version: 1\n"))
    assert done.returncode == 2 and done.stdout == ""
    assert "'undeclard' is not one of" in done.stderr and "did you mean `undeclared`?" in done.stderr
    done = run_pdscan("scan", "db", "--fail-on", "xyzzy", cwd=tmp_path)
    assert done.returncode == 2 and "did you mean" not in done.stderr


def test_a_mistyped_id_in_a_policy_names_the_closest(tmp_path: Path) -> None:
    bundled = (REPO / "rules" / "policy.yaml").read_text(encoding="utf-8")
    mistyped = bundled.replace("data_types: [user.contact.email]", "data_types: [user.contact.emial]", 1)
    mistyped = mistyped.replace("purposes: [inquiries, delivery,", "purposes: [inquiries, delivry,", 1)
    (tmp_path / "policy.yaml").write_text(mistyped, encoding="utf-8")
    done = run_pdscan("policy", "--check", "policy.yaml", cwd=tmp_path)
    assert done.returncode == 2
    assert "'delivry' is not a purpose defined under 'purposes'; did you mean `delivery`?" in done.stderr
    assert "did you mean `user.contact.email`?" in done.stderr
