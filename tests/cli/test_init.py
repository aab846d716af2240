"""`pdscan init`: a starter pdscan.yml listing every place with `purposes: []` and a comment
saying what was found, that loads as it is and becomes the data map once filled in."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from support.ci_repo import findings_by_place
from support.command import run_pdscan
from support.paths import REPO

from pdscan.declarations import load_data_map
from pdscan.policy import load_policy

EXAMPLE = REPO / "examples" / "shop"


def shop_without_map(tmp_path: Path) -> Path:
    shop = tmp_path / "shop"
    shutil.copytree(EXAMPLE, shop)
    (shop / "pdscan.yml").unlink()
    return shop


def verdicts(cwd: Path, *args: str) -> dict[str, dict]:
    done = run_pdscan("scan", *args, "--format", "json", cwd=cwd)
    assert done.returncode in (0, 1), done.stderr
    report = json.loads(done.stdout)
    assert report["stale_declarations"] == []
    return {f"{f['location']['source']}:{f['location']['table']}.{f['location']['column']}:{f['category']}": f
            for f in report["findings"]}  # fmt: skip


def test_every_place_is_listed_and_the_file_loads_as_it_is(tmp_path: Path) -> None:
    shop = shop_without_map(tmp_path)
    before = verdicts(shop, ".")
    done = run_pdscan("init", ".", cwd=shop)
    assert done.returncode == 0, done.stderr
    assert "place(s) holding personal data" in done.stderr
    text = (shop / "pdscan.yml").read_text()
    load_data_map(shop / "pdscan.yml", load_policy())  # no error
    for finding in before.values():
        name = finding["location"]["column"] or finding["category"]
        assert re.search(rf"^\s+\"?{re.escape(name)}\"?:", text, re.MULTILINE), f"{name} is listed"
    phone = next(line for line in text.splitlines() if line.strip().startswith("purposes: []  # phone (§4c)"))
    assert "column name `phone_number` means phone number" in phone and "permitted: inquiries, delivery" in phone
    assert "date_of_birth (§3a): the policy names no purpose for it" in text
    # Unchanged, it declares nothing: the same verdicts, and no entry is stale.
    after = verdicts(shop, ".")
    assert {k: v["verdict"] for k, v in after.items()} == {k: v["verdict"] for k, v in before.items()}


def test_filling_in_a_purpose_declares_the_place(tmp_path: Path) -> None:
    shop = shop_without_map(tmp_path)
    assert run_pdscan("init", ".", cwd=shop).returncode == 0
    path = shop / "pdscan.yml"
    lines = path.read_text().splitlines()
    index = next(i for i, line in enumerate(lines) if line.strip() == "gender:")
    lines[index + 1] = lines[index + 1].replace("purposes: []", "purposes: [registration]")
    path.write_text("\n".join(lines) + "\n")
    gender = next(f for f in verdicts(shop, ".").values() if f["location"]["column"] == "gender")
    assert (gender["verdict"], gender["declared_in"]) == ("ok", [f"pdscan.yml:{index + 1}"])


def test_names_yaml_would_misread_stay_names(tmp_path: Path) -> None:
    (tmp_path / "db").mkdir()
    schema = 'CREATE TABLE "on" (id int, email text, "no" text);\nCREATE TABLE "yes" (phone text);\n'
    (tmp_path / "db" / "schema.sql").write_text(schema)
    assert run_pdscan("init", "db", cwd=tmp_path).returncode == 0
    text = (tmp_path / "pdscan.yml").read_text()
    assert '"on":' in text and '"yes":' in text
    text = text.replace("purposes: []", "purposes: [customer_support]")
    (tmp_path / "pdscan.yml").write_text(text)
    places = findings_by_place(json.loads(run_pdscan("scan", "db", "--format", "json", cwd=tmp_path).stdout))
    assert {place: f["verdict"] for place, f in places.items()} == {"on.email": "ok", "yes.phone": "ok"}


def test_an_existing_file_is_kept_unless_forced_and_dash_prints(tmp_path: Path) -> None:
    shop = shop_without_map(tmp_path)
    (shop / "pdscan.yml").write_text("# ours\n")
    done = run_pdscan("init", ".", cwd=shop)
    assert done.returncode == 2
    assert "pdscan.yml exists: edit it, add what is new with --update, or replace it with --force" in done.stderr
    assert (shop / "pdscan.yml").read_text() == "# ours\n"
    printed = run_pdscan("init", ".", "--output", "-", cwd=shop)
    assert printed.returncode == 0 and printed.stdout.startswith("# pdscan data map, started by `pdscan init`")
    assert (shop / "pdscan.yml").read_text() == "# ours\n"
    assert run_pdscan("init", ".", "--force", cwd=shop).returncode == 0
    assert (shop / "pdscan.yml").read_text() == printed.stdout, "the same scan gives the same text"
    assert (shop / "pdscan.yml").stat().st_mode & 0o777 == 0o644, "a file for the repository"


def test_paths_are_relative_to_where_the_file_is_written(tmp_path: Path) -> None:
    shop_without_map(tmp_path)
    (tmp_path / "config").mkdir()
    assert run_pdscan("init", "shop", "--output", "config/pdscan.yml", cwd=tmp_path).returncode == 0
    path = tmp_path / "config" / "pdscan.yml"
    text = path.read_text()
    assert 'files: ["../shop/migrations/*"]' in text and '"../shop/logs/access.log":' in text
    # Filled in, its entries reach the places they name from the file's own folder.
    text = re.sub(r"(remote_host:\n\s+purposes: )\[\]", r"\1[fraud_prevention]", text)
    text = re.sub(r"(gender:\n\s+purposes: )\[\]", r"\1[registration]", text)
    path.write_text(text)
    found = verdicts(tmp_path, "shop", "--config", "config/pdscan.yml").values()
    wanted = ("remote_host", "gender")
    judged = {f["location"]["column"]: f["verdict"] for f in found if f["location"]["column"] in wanted}
    assert judged == {"remote_host": "ok", "gender": "ok"}
