"""One fixture scan, every format: the example shop (SQL migrations, a SQLite database, logs and
a data map) copied to a temporary folder and scanned through the installed `pdscan` command."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
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


def run(*args: str, cwd: Path, env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    """The command as users run it, bytes out (the CSV's byte-order mark and CRLF are checked);
    no database password lies in the environment unless `env` puts one there."""
    environment = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "PGPASSWORD", "MYSQL_PWD")}
    environment.update(NO_COLOR="1", COLUMNS="160", **(env or {}))
    return subprocess.run([str(PDSCAN), *args], capture_output=True, cwd=cwd, env=environment, check=False)
