"""One fixture scan, every format: the example shop (SQL migrations, a SQLite database, logs and
a data map) copied to a temporary folder, for the command (`support.command.run_pdscan`) to scan."""

from __future__ import annotations

import shutil
from pathlib import Path

from support.paths import REPO

REPORT_FORMATS = ("json", "csv", "markdown", "html", "fides", "table")
INVENTORY_FORMATS = ("json", "csv", "markdown", "html", "fides", "table")


def copy_shop(into: Path) -> Path:
    """The example shop where the scan may not write to the repository; `shop/` inside `into`."""
    shop = into / "shop"
    shutil.copytree(REPO / "examples" / "shop", shop)
    return shop
