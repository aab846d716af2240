"""Reports do not change unless a change means them to: every format of the example shop, byte
for byte, and the JSON, SARIF and Russian Markdown reports of every corpus file, by digest.

A refactor must leave all of them alone. A change that means to alter reports regenerates the
expected files and says why in its commit:

    PDSCAN_UPDATE_REPORTS=1 .venv/bin/python -m pytest tests/cli/test_report_stability.py

The example's reports are kept whole so that `git diff` shows what moved; the corpus is not ours
to copy, so only a digest of each of its reports is kept.
"""

from __future__ import annotations

import hashlib
import os
import re

import pytest
from click.testing import CliRunner
from support.paths import REPO

from pdscan.cli.commands import main

EXPECTED = REPO / "tests" / "fixtures" / "reports"
CORPUS = REPO.parent / "shared" / "corpus"
CORPUS_DIGESTS = EXPECTED / "corpus.sha256"
UPDATE = os.environ.get("PDSCAN_UPDATE_REPORTS") == "1"

# What may differ between two runs of the same scan: the clock, and the rules' content hash
# (a refactor may reorder a rule file without changing what it finds).
VOLATILE = (
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00"), "<generated_at>"),
    (re.compile(r"(\d+\.\d+\.\d+)\+[0-9a-f]{12}"), r"\1+<rules>"),
)

SHOP_CASES: dict[str, tuple[str, ...]] = {
    "scan.json": ("scan", "--format", "json"),
    "scan.sarif": ("scan", "--format", "sarif"),
    "scan.csv": ("scan", "--format", "csv"),
    "scan.md": ("scan", "--format", "markdown"),
    "scan.ru.md": ("scan", "--format", "markdown", "--lang", "ru"),
    "scan.html": ("scan", "--format", "html"),
    "scan.ru.html": ("scan", "--format", "html", "--lang", "ru"),
    "scan.fides.yml": ("scan", "--format", "fides"),
    "scan.github.txt": ("scan", "--format", "github"),
    "scan.ndjson": ("scan", "--format", "ndjson"),
    "scan.txt": ("scan", "--format", "table"),
    "scan.ru.txt": ("scan", "--format", "table", "--lang", "ru"),
    "inventory.json": ("inventory", "--format", "json"),
    "inventory.md": ("inventory", "--format", "markdown"),
    "inventory.txt": ("inventory", "--format", "table"),
}

CORPUS_FORMATS: dict[str, tuple[str, ...]] = {
    "json": ("--format", "json"),
    "sarif": ("--format", "sarif"),
    "ru.md": ("--format", "markdown", "--lang", "ru"),
}


def _report(args: tuple[str, ...], monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(REPO)
    result = CliRunner().invoke(main, [*args, "--jobs", "1"], env={"NO_COLOR": "1", "COLUMNS": "160"})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    # SARIF names a file outside the working folder by its absolute URI: where the corpus lies
    # on this machine is not part of the report's content.
    text = result.stdout
    for corpus_uri in {CORPUS.resolve().as_uri(), CORPUS.absolute().as_uri()}:
        text = text.replace(corpus_uri, "file:///corpus")
    for pattern, replacement in VOLATILE:
        text = pattern.sub(replacement, text)
    return text


@pytest.mark.parametrize("name", sorted(SHOP_CASES))
def test_the_example_reports_are_unchanged(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    command, *options = SHOP_CASES[name]
    text = _report((command, "examples/shop", *options), monkeypatch)
    expected = EXPECTED / f"shop.{name}"
    if UPDATE:
        expected.parent.mkdir(parents=True, exist_ok=True)
        expected.write_bytes(text.encode())
    assert text == expected.read_bytes().decode()


def _corpus_files() -> list[str]:
    if not CORPUS.is_dir():
        return []
    return sorted(
        f"{kind}/{path.name}"
        for kind in ("schemas", "logs")
        for path in (CORPUS / kind).iterdir()
        if path.suffix not in (".csv", ".md")
    )


def _recorded_digests() -> dict[str, str]:
    if not CORPUS_DIGESTS.exists():
        return {}
    lines = CORPUS_DIGESTS.read_text(encoding="utf-8").splitlines()
    return {key: digest for digest, key in (line.split("  ", 1) for line in lines if line)}


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"no corpus at {CORPUS}")
@pytest.mark.parametrize("corpus_file", _corpus_files())
def test_the_corpus_reports_are_unchanged(corpus_file: str, monkeypatch: pytest.MonkeyPatch) -> None:
    target = os.path.relpath(CORPUS / corpus_file, REPO)
    digests = {
        f"{corpus_file} {name}": hashlib.sha256(_report(("scan", target, *options), monkeypatch).encode()).hexdigest()
        for name, options in CORPUS_FORMATS.items()
    }
    if UPDATE:
        recorded = _recorded_digests() | digests
        CORPUS_DIGESTS.write_text("".join(f"{recorded[key]}  {key}\n" for key in sorted(recorded)), encoding="utf-8")
    recorded = _recorded_digests()
    assert {key: recorded.get(key) for key in digests} == digests
