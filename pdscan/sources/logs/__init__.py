"""Log files: read, cut into units, parsed by format and judged, in one process or many."""
