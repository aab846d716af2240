"""The documentation points at things that exist: every relative link (and its #anchor) and
every path it names in the repository's folders (`pdscan/...`, `docs/...`, and `tests/...`,
`rules/...`, `benchmarks/...`, `examples/...`, which move as the code does), in README.md,
CONTRIBUTING.md, SECURITY.md and docs/*.md; and the README stays an introduction, the details
living in docs/."""

from __future__ import annotations

import configparser
import re
import unicodedata
from pathlib import Path

import pytest
from support.paths import REPO

README_MAX_LINES = 350
FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"(`+).+?\1", re.DOTALL)
INLINE_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
# A path followed by `<` is a template (`tests/cli/test_<topic>.py`), not a path.
NAMED_PATH = re.compile(r"(?<![\w./-])((?:pdscan|docs|tests|rules|benchmarks|examples)/[\w./*-]*)(?![\w./*<-])")
EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)


def installed_elsewhere() -> dict[str, str]:
    """Installed paths whose files live elsewhere in the repository (setup.cfg's package_dir:
    `pdscan/rules/policy.yaml` is the repository's `rules/policy.yaml`)."""
    setup = configparser.ConfigParser()
    setup.read(REPO / "setup.cfg")
    mapping = {}
    for line in setup.get("options", "package_dir", fallback="").splitlines():
        if "=" in line:
            package, folder = (part.strip() for part in line.split("="))
            mapping[package.replace(".", "/") + "/"] = folder + "/"
    return mapping


def documents() -> list[Path]:
    return [REPO / "README.md", REPO / "CONTRIBUTING.md", REPO / "SECURITY.md", *sorted((REPO / "docs").glob("*.md"))]


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens."""
    text = heading.strip().lower()
    kept = "".join(c for c in text if c in " -_" or unicodedata.category(c)[0] in "LN")
    return kept.replace(" ", "-")


def anchors(markdown: str) -> set[str]:
    found: set[str] = set()
    for line in FENCE.sub("", markdown).splitlines():
        if match := re.match(r"#{1,6}\s+(.*?)\s*#*\s*$", line):
            anchor = base = slug(match.group(1))
            number = 0
            while anchor in found:
                number += 1
                anchor = f"{base}-{number}"
            found.add(anchor)
    return found


def broken_links(document: Path, markdown: str) -> list[str]:
    """Relative links (outside code) whose file, or #anchor in a Markdown file, is missing."""
    broken = []
    for target in INLINE_LINK.findall(CODE_SPAN.sub("", FENCE.sub("", markdown))):
        if EXTERNAL.match(target):
            continue
        path_part, _, fragment = target.partition("#")
        linked = (document.parent / path_part).resolve() if path_part else document
        if not linked.exists():
            broken.append(f"{target}: no such file")
        elif fragment and linked.suffix == ".md":
            text = markdown if linked == document else linked.read_text(encoding="utf-8")
            if fragment not in anchors(text):
                broken.append(f"{target}: no heading gives #{fragment}")
    return broken


def missing_paths(markdown: str) -> list[str]:
    """Repository paths named anywhere in the text (globs too) that name nothing."""
    missing = []
    for named in NAMED_PATH.findall(markdown):
        path = named.rstrip(".")
        for installed, folder in installed_elsewhere().items():
            if path.startswith(installed):
                path = folder + path.removeprefix(installed)
        found = list(REPO.glob(path)) if "*" in path else [REPO / path] if (REPO / path).exists() else []
        if not found:
            missing.append(path)
    return missing


@pytest.mark.parametrize("document", documents(), ids=lambda path: str(path.relative_to(REPO)))
def test_every_relative_link_leads_somewhere(document: Path) -> None:
    assert broken_links(document, document.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("document", documents(), ids=lambda path: str(path.relative_to(REPO)))
def test_every_named_repository_path_exists(document: Path) -> None:
    assert missing_paths(document.read_text(encoding="utf-8")) == []


def test_the_checks_catch_a_broken_link_anchor_and_path() -> None:
    text = (
        "# Title\n\nSee [the data map](docs/data-map.md#ignoring-places), [gone](docs/no-such-page.md),\n"
        "[a lost anchor](docs/report.md#no-such-section), [here](#title), [there](#elsewhere),\n"
        "`pdscan/audit.py`, `pdscan/no_such_module.py`, `pdscan/formats/*.py`, docs/missing.md,\n"
        "`tests/test_moved_away.py::test_x` and `rules/policy.yaml`.\n"
        "```sh\n[not a link](nowhere.md)\n```\nA pattern, `[a-z](?:[a-z0-9-]*)`, is code, not a link.\n"
    )
    assert broken_links(REPO / "README.md", text) == [
        "docs/no-such-page.md: no such file",
        "docs/report.md#no-such-section: no heading gives #no-such-section",
        "#elsewhere: no heading gives #elsewhere",
    ]
    assert missing_paths(text) == [
        "docs/no-such-page.md",
        "pdscan/no_such_module.py",
        "docs/missing.md",
        "tests/test_moved_away.py",
    ]


def test_github_anchors_drop_punctuation_and_number_repeats() -> None:
    markdown = "## Keeping it up to date: `pdscan init --update`\n## Logs\n## Logs\n```\n# not a heading\n```\n"
    assert anchors(markdown) == {"keeping-it-up-to-date-pdscan-init---update", "logs", "logs-1"}


def test_the_readme_stays_an_introduction() -> None:
    lines = (REPO / "README.md").read_text(encoding="utf-8").count("\n")
    assert lines < README_MAX_LINES, f"README.md has {lines} lines: move details into docs/"
