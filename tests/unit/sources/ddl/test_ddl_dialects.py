"""The DDL source on dumps of each dialect, with the traps real dumps carry: one fixture pair per
case (tests/fixtures/ddl/<dialect>/<case>.sql, or a folder of migrations, beside
<case>.expected.yml: the dialect the scan detects, the tables, columns, types, comments, lines
and the categories their names give). support/fixture_pairs.py says how to add a case. Below the
generic test, what the reader does with statements too small to need a file."""

from pathlib import Path

import pytest
from support.fixture_pairs import FixturePair, Flow, check_pair, fixture_pairs

from pdscan.detect.names import NameClassifier
from pdscan.model import Column, SchemaScan, Table
from pdscan.policy import load_policy
from pdscan.sources.ddl.source import migration_order, scan_ddl_files, scan_ddl_text

CLASSIFIER = NameClassifier.bundled()
POLICY = load_policy()


def tables(result: SchemaScan) -> dict[str, Table]:
    return {table.name: table for table in result.tables}


def categories(column: Column, table: Table) -> list[str]:
    """The categories a column's name (and its comment) gives it, as a scan reports them."""
    found = {POLICY.category_for(d.data_type) for d in CLASSIFIER.classify(column, table)}
    return sorted(category.id if category else "not_in_policy" for category in found)


def column_entry(column: Column, table: Table) -> Flow:
    entry = {
        "name": column.name,
        "type": column.sql_type,
        "at": f"{Path(column.location.source).name}:{column.location.line}",
    }
    entry |= {key: value for key, value in (("comment", column.comment), ("annotation", column.annotation)) if value}
    return Flow(entry, categories=categories(column, table))


@pytest.mark.parametrize("pair", fixture_pairs("ddl", ".sql"))
def test_a_dump_is_read_as_its_expected_file_says(pair: FixturePair) -> None:
    files = migration_order(pair.path.iterdir()) if pair.path.is_dir() else [pair.path]
    result = scan_ddl_files(files, database=pair.name)
    assert result.dialect == pair.family, "the dialect is detected, and the case sits in its folder"
    assert all(c.location.database == pair.name for t in result.tables for c in t.columns)
    found: dict[str, object] = {"dialect": result.dialect}
    if pair.path.is_dir():
        found["replayed"] = [path.name for path in files]
    found["skipped"] = [str(item) for item in result.skipped]
    found["notes"] = list(result.notes)
    found["tables"] = [
        {"name": table.name}
        | ({"comment": table.comment} if table.comment else {})
        | {"columns": [column_entry(column, table) for column in table.columns]}
        for table in result.tables
    ]
    check_pair(pair, found)


@pytest.mark.parametrize(
    ("names", "ordered"),
    [
        (["10_c.sql", "2_b.sql", "1_a.sql"], ["1_a.sql", "2_b.sql", "10_c.sql"]),
        (
            ["V2__x.sql", "V1.1__y.sql", "V1__z.sql", "R__views.sql"],
            ["V1__z.sql", "V1.1__y.sql", "V2__x.sql", "R__views.sql"],
        ),
        (["20240102000000_b.sql", "20231231235959_a.sql"], ["20231231235959_a.sql", "20240102000000_b.sql"]),
    ],
)
def test_migration_order_is_natural(names: list[str], ordered: list[str]) -> None:
    assert [p.name for p in migration_order(Path(n) for n in names)] == ordered


def test_schema_qualified_default_schemas_are_dropped_others_kept() -> None:
    result = scan_ddl_text(
        'CREATE TABLE public.a (x int); CREATE TABLE "dbo"."B" (y int); CREATE TABLE crm.c (z int);',
        source="s.sql",
        database="s.sql",
    )
    assert [t.name for t in result.tables] == ["a", "B", "crm.c"]


def test_odd_identifiers_are_unquoted_and_unescaped() -> None:
    result = scan_ddl_text(
        'CREATE TABLE "we""ird" ("Full Name" text, "naïve" text, `back``tick` int);',
        source="s.sql",
        database="s.sql",
        dialect="generic",
    )
    (table,) = result.tables
    assert table.name == 'we"ird'
    assert [c.name for c in table.columns] == ["Full Name", "naïve", "back`tick"]


def test_create_table_like_and_inherits() -> None:
    result = scan_ddl_text(
        "CREATE TABLE base (email text); CREATE TABLE child (extra int) INHERITS (base);",
        source="s.sql",
        database="s.sql",
        dialect="postgres",
    )
    assert [c.name for c in tables(result)["child"].columns] == ["email", "extra"]


def test_the_fast_reader_and_the_token_reader_agree() -> None:
    statement = (
        "CREATE TABLE public.orders (\n  id bigint NOT NULL,\n  `ship to` varchar (64) COMMENT 'purpose: delivery',\n"
        "  total numeric(10,2) DEFAULT 0,\n  created_at timestamp with time zone,\n  PRIMARY KEY (id),\n"
        "  CONSTRAINT fk FOREIGN KEY (id) REFERENCES x (id)\n) COMMENT='Orders';"
    )
    plain = scan_ddl_text(statement, source="a.sql", database="a.sql", dialect="mysql")
    commented = scan_ddl_text(
        statement + " -- forces the token reader", source="a.sql", database="a.sql", dialect="mysql"
    )

    def shape(result: SchemaScan) -> list[tuple[str, str | None, int | None, str | None]]:
        (table,) = result.tables
        return [(c.name, c.sql_type, c.location.line, c.comment) for c in table.columns] + [
            (table.name, table.comment, 0, None)
        ]

    assert shape(plain) == shape(commented)
    assert shape(plain)[1] == ("ship to", "varchar(64)", 3, "purpose: delivery")


@pytest.mark.parametrize("tail", ["", " -- forces the token reader"])
def test_serial_is_a_type_not_a_constraint(tail: str) -> None:
    result = scan_ddl_text(
        f"CREATE TABLE t (id serial PRIMARY KEY, email text);{tail}", source="s.sql", database="s.sql"
    )
    assert [(c.name, c.sql_type) for c in result.tables[0].columns] == [("id", "serial"), ("email", "text")]
