"""The DDL source on hand-written dumps of each dialect, with the traps real dumps carry."""

from pathlib import Path

import pytest
from support.paths import TESTS

from pdscan.model import Column, SchemaScan, Table
from pdscan.sources.ddl.source import migration_order, scan_ddl_files, scan_ddl_text

FIXTURES = TESTS / "fixtures" / "ddl"


def scan(name: str, dialect: str | None = None) -> SchemaScan:
    return scan_ddl_files([FIXTURES / name], database=name, dialect=dialect)


def tables(result: SchemaScan) -> dict[str, Table]:
    return {table.name: table for table in result.tables}


def columns(table: Table) -> dict[str, Column]:
    return {column.name: column for column in table.columns}


def test_pg_dump_tables_columns_comments_and_lines() -> None:
    result = scan("pg_dump.sql")
    assert result.dialect == "postgres"
    assert not result.skipped
    found = tables(result)
    assert sorted(found) == ["billing.invoices", "users"], "function bodies and COPY data are not tables"
    users = columns(found["users"])
    assert list(users) == ["id", "Email", "full_name", "remote_addr", "tags", "created_at"]
    assert users["Email"].sql_type == "character varying(255)"
    assert users["created_at"].sql_type == "timestamp with time zone"
    assert users["tags"].sql_type == "text[]"
    assert users["full_name"].comment == "Name as typed; purpose: customer_support"
    assert users["remote_addr"].location.line == 27
    assert columns(found["billing.invoices"])["amount"].sql_type == "numeric(12, 2)"


def test_rails_structure_sql() -> None:
    found = tables(scan("rails_structure.sql"))
    assert list(columns(found["accounts"])) == [
        "id",
        "encrypted_password",
        "reset_password_token",
        "sign_in_count",
        "current_sign_in_ip",
        "created_at",
    ]
    assert columns(found["accounts"])["created_at"].sql_type == "timestamp(6) without time zone"


def test_mysqldump_with_conditional_comments_triggers_and_data() -> None:
    result = scan("mysqldump.sql")
    assert result.dialect == "mysql"
    assert not result.skipped
    found = tables(result)
    assert sorted(found) == ["customer", "store_location"], "INSERT data with `;` and DROP TABLE text is data"
    customer = columns(found["customer"])
    assert list(customer) == ["customer_id", "firstname", "telephone", "newsletter", "email_verified", "date_added"]
    assert customer["telephone"].comment == "purpose: customer_support, delivery"
    assert customer["email_verified"].sql_type == "tinyint(1)"
    assert found["customer"].comment == "Shop customers"
    assert customer["firstname"].location.line == 9


def test_navicat_dump_keeps_japanese_comments() -> None:
    member = tables(scan("navicat.sql"))["member"]
    assert {c.name: c.comment for c in member.columns} == {
        "id": "ID",
        "shimei": "氏名",
        "jusho": "住所",
        "denwa": "電話番号",
    }
    assert member.comment == "会員"


def test_sqlite_schema_dump() -> None:
    result = scan("sqlite_schema.sql")
    assert result.dialect == "sqlite"
    found = tables(result)
    assert sorted(found) == ["profiles", "user_search"], "sqlite_sequence is SQLite's own"
    profiles = columns(found["profiles"])
    assert list(profiles) == ["user_id", "displayname", "avatar_url", "lat", "lng"]
    assert profiles["displayname"].annotation == "pdscan: purpose=registration"
    assert list(columns(found["user_search"])) == ["user_id", "display_name"], "fts4 options are not columns"


def test_tsql_batches_brackets_extended_properties_and_renames() -> None:
    result = scan("tsql.sql")
    assert result.dialect == "tsql"
    assert not result.skipped
    found = tables(result)
    assert sorted(found) == ["Customers", "Sales.Orders"]
    customers = columns(found["Customers"])
    assert list(customers) == ["CustomerID", "FirstName", "E Mail", "IsActive", "Telephone", "BirthDate", "Nickname"]
    assert customers["E Mail"].comment == "Customer e-mail. purpose: user_notifications"
    assert customers["IsActive"].sql_type == "bit"
    assert customers["Telephone"].location.line == 19, "a renamed column points at its rename"


def test_migrations_replay_into_the_final_schema() -> None:
    files = migration_order((FIXTURES / "migrations").iterdir())
    assert [f.name for f in files] == ["001_init.sql", "002_rename.sql", "010_mysql_style.sql"]
    result = scan_ddl_files(files, database="migrations")
    found = tables(result)
    assert list(found) == ["members"], "renamed users, dropped legacy_contacts"
    members = columns(found["members"])
    assert list(members) == ["id", "mobile_phone", "screen_name", "email"]
    where = {name: (Path(c.location.source).name, c.location.line) for name, c in members.items()}
    assert where == {
        "id": ("001_init.sql", 2),
        "mobile_phone": ("002_rename.sql", 1),
        "screen_name": ("010_mysql_style.sql", 1),
        "email": ("010_mysql_style.sql", 3),
    }
    assert members["screen_name"].comment == "purpose: registration"
    assert members["email"].sql_type == "varchar(320)"
    assert all(c.location.database == "migrations" for c in members.values())


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
