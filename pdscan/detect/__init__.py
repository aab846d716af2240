"""Detection: column names, values and log lines classified with the rules. Imports only
pdscan.model and pdscan.ruleset (tests/unit/test_import_layers.py): sources call it, never the reverse."""
