"""The rules as data, loaded and checked (data types, log rules, the taxonomy), and what they are
written in: identifier words and the named validators and value checks. Imports only pdscan.model
(tests/unit/test_import_layers.py), so detection and every stage above can read it."""
