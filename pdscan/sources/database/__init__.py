"""Live databases: SQLite files, PostgreSQL, MySQL and MariaDB, read-only, sampled, concurrent.

`engines.py` lists the servers (schemes, driver, extra, password variable, connecting module);
`target.py` turns a URL into a target (password kept apart, URL shown masked); one module per
kind of database implements `interface.Connector`; `scan.py` reads the catalog and samples
tables concurrently through it.
"""
