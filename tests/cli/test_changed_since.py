"""--changed-since REF: only places defined in files that differ from REF, the whole history
still replayed; a revision git does not know is one line and exit 2, before any scanning."""

from __future__ import annotations

import json
from pathlib import Path

from support.ci_repo import GitRepo, findings_by_place
from support.command import run_pdscan

USERS = "CREATE TABLE users (\n    id bigint,\n    email text\n);\n"


def repo_with_users(tmp_path: Path) -> GitRepo:
    repo = GitRepo(tmp_path)
    repo.write("db/001_users.sql", USERS)
    repo.commit("001")
    return repo


def test_uncommitted_and_untracked_migrations_count_as_changed(tmp_path: Path) -> None:
    repo = repo_with_users(tmp_path)
    report, done = repo.json("db", "--changed-since", "HEAD")
    assert (report["findings"], done.returncode) == ([], 0), "nothing differs from HEAD"
    assert report["changed_since"] == {"ref": "HEAD", "files": []}
    repo.write("db/002_phone.sql", "ALTER TABLE users ADD COLUMN phone text;\n")  # untracked
    repo.write("db/001_users.sql", USERS.replace("email text", "email text,\n    fax text"))  # modified
    report, done = repo.json("db", "--changed-since", "HEAD")
    assert sorted(findings_by_place(report)) == ["users.email", "users.fax", "users.phone"]
    assert report["changed_since"]["files"] == ["db/001_users.sql", "db/002_phone.sql"]


def test_a_column_renamed_in_a_changed_file_is_that_files(tmp_path: Path) -> None:
    repo = repo_with_users(tmp_path)
    repo.write("db/002_rename.sql", "ALTER TABLE users RENAME COLUMN email TO contact_email;\n")
    report, _ = repo.json("db", "--changed-since", "HEAD")
    [renamed] = report["findings"]
    assert (renamed["location"]["column"], renamed["location"]["source"]) == ("contact_email", "db/002_rename.sql")


def test_it_works_from_a_subfolder_of_the_repository(tmp_path: Path) -> None:
    repo = repo_with_users(tmp_path)
    repo.write("db/002_phone.sql", "ALTER TABLE users ADD COLUMN phone text;\n")
    done = run_pdscan("scan", ".", "--changed-since", "HEAD", "--format", "json", cwd=tmp_path / "db")
    assert list(findings_by_place(json.loads(done.stdout))) == ["users.phone"]


def test_a_revision_git_does_not_know_is_exit_2_before_scanning(tmp_path: Path) -> None:
    repo_with_users(tmp_path)
    done = run_pdscan("scan", "db", "--changed-since", "no-such-branch", cwd=tmp_path)
    assert done.returncode == 2 and done.stdout == ""
    [line] = done.stderr.splitlines()
    assert line.startswith("pdscan: error: --changed-since no-such-branch: git does not know this revision")
    done = run_pdscan("scan", "db", "--changed-since", "--output=/tmp/x", cwd=tmp_path)
    assert done.returncode == 2 and "git does not know this revision" in done.stderr, "never read as a git option"


def test_outside_a_repository_is_exit_2(tmp_path: Path) -> None:
    (tmp_path / "db").mkdir()
    (tmp_path / "db" / "001_users.sql").write_text(USERS)
    done = run_pdscan("scan", "db", "--changed-since", "HEAD", cwd=tmp_path)
    assert done.returncode == 2
    [line] = done.stderr.splitlines()
    assert "is not inside a git repository" in line


def test_a_log_counts_as_changed_when_any_of_its_rotated_copies_changed(tmp_path: Path) -> None:
    """Rotated copies share their log's place (`logs/rot.log`): a card added to `rot.log.1` is listed."""
    repo = GitRepo(tmp_path)
    repo.write("logs/rot.log.1", "email=r@example.com\n")
    repo.write("logs/rot.log", "hello\n")
    repo.write("logs/other.log", "email=o@example.com\n")
    repo.commit("logs")
    repo.write("logs/rot.log.1", "email=r@example.com\ncard=4111 1111 1111 1111\n")
    report, done = repo.json("logs", "--changed-since", "HEAD")
    assert report["changed_since"]["files"] == ["logs/rot.log.1"]
    listed = {(f["location"]["source"], f["category"]) for f in report["findings"]}
    assert listed == {("logs/rot.log", "credit_card"), ("logs/rot.log", "email")}, "other.log did not change"
    assert done.returncode == 1
    annotations = repo.pdscan("scan", "logs", "--changed-since", "HEAD", "--format", "github").stdout
    assert "::error file=logs/rot.log.1,line=2," in annotations


def test_a_file_whose_name_holds_a_personal_value_is_matched_and_shown_masked(tmp_path: Path) -> None:
    repo = repo_with_users(tmp_path)
    repo.write("db/002_alice@example.com.sql", "ALTER TABLE users ADD COLUMN phone text;\n")
    report, done = repo.json("db", "--changed-since", "HEAD")
    assert list(findings_by_place(report)) == ["users.phone"]
    assert report["changed_since"]["files"] == ["db/***@*******.***.sql"]  # `.sql` read as part of the domain
    assert "alice" not in done.stdout + done.stderr
