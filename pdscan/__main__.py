"""`python -m pdscan` runs the command line, as the `pdscan` script does."""

from pdscan.cli import run

run()
