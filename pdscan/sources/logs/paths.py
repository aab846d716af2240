"""The switch between a log's fast paths and the line-by-line path they must agree with.

The fast paths (columns of positional formats judged once per distinct value; JSON lines through
a compiled parser with a memo per key path) must find exactly what the line-by-line path finds.
`PDSCAN_LOG_PATH=lines` forces the line-by-line path everywhere, so that tests and benchmarks
can run both on the same logs and compare every finding. It is internal: not an option, and
not documented for users.
"""

from __future__ import annotations

import os

LOG_PATH_VARIABLE = "PDSCAN_LOG_PATH"


def line_by_line() -> bool:
    """Whether the line-by-line path is forced: read once per unit of work, as it starts (tests
    set it per case), and handed to the memos of its fast paths."""
    return os.environ.get(LOG_PATH_VARIABLE) == "lines"
