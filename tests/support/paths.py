"""Where the tests find the repository, their fixtures and the shared corpus, wherever a test sits."""

from __future__ import annotations

from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
REPO = TESTS.parent
FIXTURES = TESTS / "fixtures"
SHARED = REPO.parent / "shared"  # the labelled corpus beside the checkout, when it is there
