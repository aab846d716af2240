"""`python -m pdscan` runs the command line, as the `pdscan` script does."""

from pdscan.cli.commands import run

run()
