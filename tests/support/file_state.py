"""What pdscan must leave as it found it: every file's content digest and modification time."""

from __future__ import annotations

import hashlib
from pathlib import Path


def tree_state(root: Path) -> dict[str, tuple[str, int]]:
    return {
        str(path.relative_to(root)): (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns)
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }
