"""What the reports people read say when nothing, or not everything, could be read: a scan that
read nothing says so plainly and claims nothing about personal data; a partial scan never says
that what it skipped has nothing to fix."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.command import run_pdscan

UNREADABLE_LOG = b"\x00\x01\x02\x03binary, not a log\x00" * 64
NO_PERSONAL_DATA = "CREATE TABLE products (id integer PRIMARY KEY, price numeric(10, 2));\n"
CLAIMS_ABOUT_WHAT_WAS_NOT_READ = (
    "Nothing to fix",
    "Nothing to do",
    "No personal data found",
    "No place holds data",
    "some items were skipped",
)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """`app.log` pdscan cannot read (binary), beside `schema.sql` that holds no personal data."""
    (tmp_path / "app.log").write_bytes(UNREADABLE_LOG)
    (tmp_path / "schema.sql").write_text(NO_PERSONAL_DATA, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("command", ["scan", "inventory"])
@pytest.mark.parametrize("format_name", ["table", "markdown", "html"])
def test_a_scan_that_read_nothing_says_nothing_was_scanned(folder: Path, command: str, format_name: str) -> None:
    result = run_pdscan(command, "app.log", "--format", format_name, cwd=folder, text=False)
    assert result.returncode == 2, result.stderr.decode()
    shown = result.stdout.decode()
    assert "Nothing was scanned: every source was skipped" in shown
    assert not [claim for claim in CLAIMS_ABOUT_WHAT_WAS_NOT_READ if claim in shown]
    said = result.stderr.decode()
    assert "nothing could be scanned" in said and "partial scan" not in said


def test_a_database_that_cannot_be_reached_is_nothing_scanned(tmp_path: Path) -> None:
    """The issue's case: a wrong password or a server down, the only source (port 9 on loopback
    refuses at once)."""
    result = run_pdscan("scan", "postgresql://pdscan:wrong-password@127.0.0.1:9/shop", cwd=tmp_path, text=False)
    assert result.returncode == 2
    shown = result.stdout.decode()
    assert shown.rstrip().splitlines()[-1].startswith("Nothing was scanned: every source was skipped")
    assert "wrong-password" not in shown + result.stderr.decode()


def test_the_terminal_report_of_a_scan_that_read_nothing_ends_saying_so(folder: Path) -> None:
    result = run_pdscan("scan", "app.log", cwd=folder, text=False)
    last_line = result.stdout.decode().rstrip().splitlines()[-1]
    assert last_line.startswith("Nothing was scanned: every source was skipped"), last_line
    assert "nothing scanned" in result.stdout.decode()  # the summary's title, not "partial scan"


def test_a_partial_scan_with_nothing_else_to_fix_ends_on_what_it_skipped(folder: Path) -> None:
    result = run_pdscan("scan", "schema.sql", "app.log", cwd=folder, text=False)
    shown = result.stdout.decode()
    assert result.returncode == 0, result.stderr.decode()  # nothing fails; --strict would make it 2
    assert "Nothing to fix" not in shown and "Nothing to do" not in shown
    last_line = shown.rstrip().splitlines()[-1]
    assert last_line.startswith("Next: 1 item(s) were skipped and not checked"), last_line


def test_a_partial_scan_lists_what_it_skipped_after_the_problems_it_found(folder: Path) -> None:
    (folder / "schema.sql").write_text("CREATE TABLE customers (id integer, email varchar(255));\n", encoding="utf-8")
    result = run_pdscan("scan", "schema.sql", "app.log", cwd=folder, text=False)
    last_line = result.stdout.decode().rstrip().splitlines()[-1]
    assert last_line.startswith("Next: 1 place(s) hold personal data without a declared purpose"), last_line
    assert last_line.endswith("Then: 1 skipped and not checked."), last_line


@pytest.mark.parametrize("format_name", ["table", "markdown", "html"])
def test_a_partial_inventory_does_not_say_what_it_skipped_holds_nothing(folder: Path, format_name: str) -> None:
    result = run_pdscan("inventory", "schema.sql", "app.log", "--format", format_name, cwd=folder, text=False)
    shown = result.stdout.decode()
    assert result.returncode == 0, result.stderr.decode()
    assert "No place holds data of this category" not in shown
    assert "No place scanned holds data of this category; the skipped items were not checked." in shown


def test_russian_reports_say_it_too(folder: Path) -> None:
    result = run_pdscan("scan", "app.log", "--format", "markdown", "--lang", "ru", cwd=folder, text=False)
    shown = result.stdout.decode()
    assert "Ничего не просканировано" in shown
    assert "персональные данные не найдены" not in shown


def test_the_github_summary_line_says_what_was_not_scanned(folder: Path) -> None:
    nothing = (
        run_pdscan("scan", "app.log", "--format", "github", cwd=folder, text=False)
        .stdout.decode()
        .rstrip()
        .splitlines()[-1]
    )
    assert nothing == "pdscan: nothing was scanned: every source was skipped", nothing
    partial = run_pdscan("scan", "schema.sql", "app.log", "--format", "github", cwd=folder, text=False).stdout.decode()
    last_line = partial.rstrip().splitlines()[-1]
    assert last_line.endswith("; 1 item(s) skipped and not checked"), last_line


@pytest.mark.parametrize(("format_name", "count"), [("markdown", "**0** places holding"), ("html", ">0<")])
def test_a_scan_that_read_nothing_counts_no_places(folder: Path, format_name: str, count: str) -> None:
    """'0 places holding personal data' under a summary is a claim about what was never read."""
    result = run_pdscan("scan", "app.log", "--format", format_name, cwd=folder, text=False)
    assert result.returncode == 2, result.stderr.decode()
    assert count not in result.stdout.decode()


@pytest.mark.parametrize("quiet", [False, True], ids=["said", "quiet"])
@pytest.mark.parametrize(
    "command", [("scan",), ("inventory",), ("init", "--output", "map.yml"), ("baseline", "--output", "b.json")]
)
def test_a_scan_that_read_nothing_says_why_on_stderr_even_when_quiet(
    folder: Path, command: tuple[str, ...], quiet: bool
) -> None:
    """`pdscan scan /dev/null -q` said "see the lines above" above no line: --quiet silences the
    skip lines, so the error itself names what was skipped and why."""
    result = run_pdscan(command[0], "app.log", *command[1:], *(["-q"] if quiet else []), cwd=folder)
    assert result.returncode == 2, result.stderr
    error = next(line for line in result.stderr.splitlines() if "nothing could be scanned" in line)
    if quiet or "see the lines above" not in error:
        assert "app.log: binary file" in error
    else:
        assert "skipped app.log: binary file" in result.stderr.split(error)[0]
