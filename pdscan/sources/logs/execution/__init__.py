"""Where log units are scanned: a process pool on this machine, or a Dask cluster.

The log source plans units and merges results; an executor only runs `scan_unit` over the
units and hands the results back in unit order, so every engine gives the same report.
"""
