"""docs/rules.md is the rules written out (names, detectors, checks, masks, examples): a page
that no longer says what rules/*.yaml say misleads every reader, so a stale one fails here."""

from __future__ import annotations

from support.paths import REPO

from pdscan.policy import load_policy
from pdscan.rules_reference import COMMAND, reference
from pdscan.ruleset.datatypes import bundled_rules
from pdscan.ruleset.log_rules import bundled_log_rules

PAGE = REPO / "docs" / "rules.md"


def test_docs_rules_md_says_what_the_rules_say() -> None:
    expected = reference(bundled_rules(), bundled_log_rules(), load_policy())
    written = PAGE.read_text(encoding="utf-8") if PAGE.exists() else ""
    assert written == expected, f"docs/rules.md is stale: regenerate it with `{COMMAND}`"


def test_every_data_type_has_its_section_with_its_mask_and_check() -> None:
    page = reference(bundled_rules(), bundled_log_rules(), load_policy())
    for rule in bundled_rules().data_types:
        section = page.split(f"\n### {rule.data_type}\n", 1)[1].split("\n### ", 1)[0]
        assert "- mask: `" in section and "- check: " in section and "- names: " in section
    assert "- mask: `keep_digits` (first 1, last 4)" in page.split("\n### user.financial.credit_card.number\n")[1]
    assert "- check: `phone`" in page.split("\n### user.contact.phone_number\n")[1]
