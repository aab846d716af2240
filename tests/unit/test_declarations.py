"""Declarations: the data map (purposes adding downwards, globs, short and long forms) and inline DDL purposes."""

from __future__ import annotations

from pathlib import Path

import pytest

from pdscan.declarations import DataMap, DeclarationError, Declarations, load_data_map
from pdscan.model import Column, Location, SourceKind, Table
from pdscan.policy import Policy, load_policy
from pdscan.sentences import sentence
from pdscan.sources.ddl.source import scan_ddl_text

SHOP_MAP = """\
version: 1
databases:
  shop:
    purposes: [fraud_prevention]
    tables:
      users:
        purposes: [customer_support]
        columns:
          email: [user_notifications]
          "*_name": {purposes: [delivery]}
          notes: {purposes: [stated_at_collection], category: consented}
      "audit_*": [fraud_prevention]
      gone_table: [delivery]
      orders:
        columns:
          ghost_column: [payment]
          "ship_*": [delivery]
  elsewhere:
    tables:
      not_scanned: [delivery]
"""


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy()


def write_map(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "pdscan.yml"
    path.write_text(text, encoding="utf-8")
    return path


def location(table: str, column: str | None, database: str = "db/shop.sql", line: int = 1) -> Location:
    return Location(database, SourceKind.DDL, table, column, line, database)


def table(name: str, *columns: str, database: str = "db/shop.sql", comment: str | None = None) -> Table:
    return Table(
        location(name, None, database),
        name,
        tuple(Column(location(name, column, database, n + 2), column) for n, column in enumerate(columns)),
        comment=comment,
    )


SCANNED = (
    table("users", "email", "first_name", "last_name", "notes", "phone"),
    table("audit_log", "ip"),
    table("orders", "ship_city"),
)


@pytest.fixture()
def shop_map(tmp_path: Path, policy: Policy) -> DataMap:
    return load_data_map(write_map(tmp_path, SHOP_MAP), policy)


def test_purposes_add_up_from_database_to_table_to_column(shop_map: DataMap, policy: Policy) -> None:
    declarations = Declarations.build(shop_map, SCANNED, policy)
    place = declarations.for_location(location("users", "email"))
    assert place.purposes == ("fraud_prevention", "customer_support", "user_notifications")
    assert [where.rsplit(":", 1)[1] for where in place.declared_in] == ["3", "6", "9"]
    assert all(where.startswith(str(shop_map.path)) for where in place.declared_in)


def test_a_column_without_its_own_entry_still_gets_table_and_database_purposes(
    shop_map: DataMap, policy: Policy
) -> None:
    place = Declarations.build(shop_map, SCANNED, policy).for_location(location("users", "phone"))
    assert place.purposes == ("fraud_prevention", "customer_support")
    assert place.category_override is None


def test_globs_match_table_and_column_names_case_insensitively(shop_map: DataMap, policy: Policy) -> None:
    declarations = Declarations.build(shop_map, SCANNED, policy)
    assert "delivery" in declarations.for_location(location("USERS", "Last_Name")).purposes
    assert declarations.for_location(location("audit_log", "ip")).purposes == ("fraud_prevention",)
    assert "delivery" not in declarations.for_location(location("users", "email")).purposes


def test_long_form_assigns_a_category(shop_map: DataMap, policy: Policy) -> None:
    place = Declarations.build(shop_map, SCANNED, policy).for_location(location("users", "notes"))
    assert place.category_override == "consented"
    assert place.purposes[-1] == "stated_at_collection"


def test_a_database_entry_matches_by_file_stem_directory_name_or_files_glob(tmp_path: Path, policy: Policy) -> None:
    path = write_map(
        tmp_path,
        "databases:\n"
        "  migrations: {purposes: [delivery]}\n"
        "  main:\n"
        "    files: [legacy/*.SQL]\n"
        "    purposes: [payment]\n",
    )
    declarations = Declarations.build(load_data_map(path, policy), (), policy)
    by_directory = Location("db/migrations/001.sql", SourceKind.DDL, "t", "c", 1, "db/migrations")
    assert declarations.for_location(by_directory).purposes == ("delivery",)
    legacy = str(tmp_path / "legacy" / "dump.sql")
    by_glob = Location(legacy, SourceKind.DDL, "t", "c", 1, legacy)
    assert declarations.for_location(by_glob).purposes == ("payment",)
    other = Location("other.sql", SourceKind.DDL, "t", "c", 1, "other.sql")
    assert declarations.for_location(other).purposes == ()


def test_a_schema_qualified_table_answers_to_its_last_part(tmp_path: Path, policy: Policy) -> None:
    path = write_map(tmp_path, "databases:\n  '*':\n    tables:\n      invoices: [payment]\n")
    declarations = Declarations.build(load_data_map(path, policy), (), policy)
    assert declarations.for_location(location("billing.invoices", "total")).purposes == ("payment",)


def test_stale_entries_are_exact_names_missing_from_a_scanned_schema(shop_map: DataMap, policy: Policy) -> None:
    stale = Declarations.build(shop_map, SCANNED, policy).stale(SCANNED)
    assert [entry.place for entry in stale] == ["shop.gone_table", "shop.orders.ghost_column"]
    assert [entry.declared_in.rsplit(":", 1)[1] for entry in stale] == ["13", "16"]
    assert "remove or rename" in sentence(stale[0])
    # globs ("audit_*", "ship_*") and the unscanned database `elsewhere` are never stale


def test_no_data_map_no_stale_entries(policy: Policy) -> None:
    assert Declarations.build(None, SCANNED, policy).stale(SCANNED) == ()


@pytest.mark.parametrize(
    ("text", "line", "column", "message"),
    [
        ("databases:\n  shop:\n    purposes: [fraud_prevention, spam]\n", 3, 34, "unknown purpose 'spam'"),
        ("databases:\n  shop:\n    tables:\n      users: [delivry]\n", 4, 15, "unknown purpose 'delivry'"),
        (
            "databases:\n  s:\n    tables:\n      t:\n        columns:\n          c: {category: consent}\n",
            6,
            25,
            "unknown category 'consent'",
        ),
        ("databases:\n  shop:\n    tabels: {}\n", 3, 5, "unknown key 'tabels' in database 'shop'"),
        ("version: 2\ndatabases: {}\n", 1, 10, "unsupported data map version"),
        ("databases:\n  shop:\n    purposes: delivery\n", 3, 15, "purposes must be a list"),
        ("databases:\n  shop: [delivery]\n", 2, 9, "database 'shop' must be a mapping"),
        ("databases:\n  s:\n    tables:\n      t:\n        columns:\n          c: delivery\n", 6, 14, "column 'c'"),
        ("databases:\n  shop:\n    files: shop.db\n", 3, 12, "'files' must be a list of globs"),
        ("log:\n  nginx: {}\n", 1, 1, "unknown key 'log' in the data map"),
        ("logs:\n  'nginx/*.log':\n    categories:\n      ip: [fraud_prevention]\n", 4, 7, "unknown category 'ip'"),
        ("logs:\n  'nginx/*.log':\n    fields:\n      remote_addr: [spam]\n", 4, 21, "unknown purpose 'spam'"),
        ("databases:\n  a: {}\n  a: {}\n", 3, 3, "duplicate key 'a'"),
    ],
)
def test_data_map_mistakes_name_file_line_and_column(
    tmp_path: Path, policy: Policy, text: str, line: int, column: int, message: str
) -> None:
    path = write_map(tmp_path, text)
    with pytest.raises(DeclarationError) as raised:
        load_data_map(path, policy)
    found = [problem for problem in raised.value.problems if message in problem.message]
    assert found, [str(problem) for problem in raised.value.problems]
    assert (found[0].path, found[0].line, found[0].column) == (str(path), line, column)


def test_every_data_map_problem_is_reported_at_once(tmp_path: Path, policy: Policy) -> None:
    path = write_map(tmp_path, "databases:\n  a: {purposes: [nope]}\n  b: {purposes: [nada]}\n")
    with pytest.raises(DeclarationError) as raised:
        load_data_map(path, policy)
    assert [problem.line for problem in raised.value.problems] == [2, 3]


def test_an_empty_data_map_and_empty_entries_declare_nothing(tmp_path: Path, policy: Policy) -> None:
    data_map = load_data_map(
        write_map(tmp_path, "version: 1\ndatabases:\n  shop:\n    tables:\n      users:\n"), policy
    )
    place = Declarations.build(data_map, SCANNED, policy).for_location(location("users", "email"))
    assert place.purposes == () and place.declared_in == ()
    assert load_data_map(write_map(tmp_path, ""), policy).databases == ()


# --- inline purposes in DDL -------------------------------------------------------------------

PG_DDL = """\
CREATE TABLE users (
    id integer,
    email text,
    phone text, -- pdscan: purpose=delivery,customer_support
    gender text
);
COMMENT ON COLUMN users.email IS 'Customer e-mail. purpose: user_notifications';
COMMENT ON TABLE users IS 'Registered people; purposes: fraud_prevention';
"""

MYSQL_DDL = """\
CREATE TABLE `orders` (
  `id` int NOT NULL,
  `ship_name` varchar(50) COMMENT 'Name on the parcel. Purpose: Delivery',
  `note` text, -- pdscan: purpose=stated_at_collection category=consented
  `kind` varchar(20) COMMENT 'category: books or music'
) ENGINE=InnoDB;
"""


def inline_declarations(policy: Policy, text: str, source: str, dialect: str) -> Declarations:
    return Declarations.build(None, scan_ddl_text(text, source=source, database=source, dialect=dialect).tables, policy)


def test_comment_on_column_and_trailing_annotation_and_table_comment(policy: Policy) -> None:
    declarations = inline_declarations(policy, PG_DDL, "db/pg.sql", "postgres")
    email = declarations.for_location(location("users", "email", "db/pg.sql"))
    assert email.purposes == ("fraud_prevention", "user_notifications")
    assert email.declared_in == ("db/pg.sql:1", "db/pg.sql:3")
    phone = declarations.for_location(location("users", "phone", "db/pg.sql"))
    assert phone.purposes == ("fraud_prevention", "delivery", "customer_support")
    assert phone.declared_in == ("db/pg.sql:1", "db/pg.sql:4")
    gender = declarations.for_location(location("users", "gender", "db/pg.sql"))
    assert gender.purposes == ("fraud_prevention",)


def test_mysql_column_comment_and_pdscan_category(policy: Policy) -> None:
    declarations = inline_declarations(policy, MYSQL_DDL, "my.sql", "mysql")
    assert declarations.for_location(location("orders", "ship_name", "my.sql")).purposes == ("delivery",)
    note = declarations.for_location(location("orders", "note", "my.sql"))
    assert (note.purposes, note.category_override) == (("stated_at_collection",), "consented")
    kind = declarations.for_location(location("orders", "kind", "my.sql"))  # prose "category:" is not ours
    assert (kind.purposes, kind.category_override) == ((), None)


def test_inline_purposes_add_to_the_data_map(tmp_path: Path, policy: Policy) -> None:
    data_map = load_data_map(write_map(tmp_path, "databases:\n  pg:\n    tables:\n      users: [inquiries]\n"), policy)
    tables = scan_ddl_text(PG_DDL, source="db/pg.sql", database="db/pg.sql", dialect="postgres").tables
    place = Declarations.build(data_map, tables, policy).for_location(location("users", "phone", "db/pg.sql"))
    assert place.purposes == ("inquiries", "fraud_prevention", "delivery", "customer_support")


@pytest.mark.parametrize(
    ("comment", "annotation", "message"),
    [
        ("purpose: marketing_spam", None, "unknown purpose 'marketing_spam'"),
        (None, "pdscan: purpose=delivery,bogus", "unknown purpose 'bogus'"),
        (None, "pdscan: category=nonsense", "unknown category 'nonsense'"),
    ],
)
def test_unknown_inline_ids_are_errors_naming_the_ddl_line(
    policy: Policy, comment: str | None, annotation: str | None, message: str
) -> None:
    column = Column(location("users", "email", "db/001.sql", 7), "email", comment=comment, annotation=annotation)
    users = Table(location("users", None, "db/001.sql", 5), "users", (column,))
    with pytest.raises(DeclarationError) as raised:
        Declarations.build(None, (users,), policy)
    [problem] = raised.value.problems
    assert (problem.path, problem.line) == ("db/001.sql", 7)
    assert message in problem.message and "`users.email`" in problem.message


def test_unknown_id_in_a_table_comment_names_the_table_line(policy: Policy) -> None:
    users = table("users", "email", database="db/001.sql", comment="purposes: payment, nope")
    with pytest.raises(DeclarationError, match=r"db/001\.sql:1:1: unknown purpose 'nope'"):
        Declarations.build(None, (users,), policy)


def test_an_exact_table_entry_finds_a_schema_qualified_table_when_judging_staleness(
    tmp_path: Path, policy: Policy
) -> None:
    scanned = (table("audit.events", "ip", database="db/audit.sql"), table("Users", "email", database="db/audit.sql"))
    text = "databases:\n  audit:\n    tables:\n      events: {columns: {ip: [], gone: []}}\n      users: [delivery]\n"
    data_map = load_data_map(write_map(tmp_path, text), policy)
    stale = Declarations.build(data_map, scanned, policy).stale(scanned)
    assert [entry.place for entry in stale] == ["audit.events.gone"]
