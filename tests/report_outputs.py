"""One fixture scan, every format: the example shop (SQL migrations, a SQLite database, logs and
a data map) copied to a temporary folder and scanned through the installed `pdscan` command."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PDSCAN = Path(sys.executable).parent / "pdscan"
REPORT_FORMATS = ("json", "csv", "markdown", "html", "fides", "table")
INVENTORY_FORMATS = ("json", "csv", "markdown", "html", "fides", "table")


def copy_shop(into: Path) -> Path:
    """The example shop where the scan may not write to the repository; `shop/` inside `into`."""
    shop = into / "shop"
    shutil.copytree(REPO / "examples" / "shop", shop)
    return shop


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    """The command as users run it, bytes out (the CSV's byte-order mark and CRLF are checked)."""
    env = {k: v for k, v in os.environ.items() if k != "FORCE_COLOR"}
    env.update(NO_COLOR="1", COLUMNS="160")
    return subprocess.run([str(PDSCAN), *args], capture_output=True, cwd=cwd, env=env, check=False)
