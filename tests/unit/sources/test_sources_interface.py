"""Every source keeps the contract the scanner relies on: its findings come back in the report's
order, so that merging sources needs no sort of every finding (a 200,000-table schema's sort
keys alone were 100 MB), and what it skipped it has told as it went."""

from __future__ import annotations

from support.paths import REPO

from pdscan.detect.names import NameClassifier
from pdscan.detect.values import ValueDetector
from pdscan.policy import load_policy
from pdscan.request import ScanRequest
from pdscan.sources.database.source import DatabaseHooks
from pdscan.sources.discovery import discover_sources
from pdscan.sources.interface import ScanContext

SHOP = REPO / "examples" / "shop"


def test_each_source_of_the_example_shop_returns_its_findings_in_report_order_and_tells_its_skips() -> None:
    request = ScanRequest((str(SHOP),), jobs=1)
    classifier = NameClassifier.bundled()
    told: list[object] = []
    context = ScanContext(
        request,
        load_policy(),
        classifier,
        ValueDetector(classifier.rules.value_detectors),
        told.append,
        lambda note: None,
        None,
        None,
        DatabaseHooks(),
    )
    discovered = discover_sources(request)
    kinds = [type(source).__name__ for source in discovered.sources]
    assert kinds == ["DdlSource", "SqliteSource", "LogSource"], "schema files, SQLite files, then the logs"
    for source in discovered.sources:
        result = source.scan(context)
        assert result.findings, f"{source} found nothing"
        orders = [finding.order for finding in result.findings]
        assert orders == sorted(orders), f"{source}: findings out of the report's order"
        assert all(item in told for item in result.skipped)
