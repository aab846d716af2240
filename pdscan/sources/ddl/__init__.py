"""SQL schema files and migrations: split, parsed and replayed into tables."""
