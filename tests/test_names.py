"""Column classification beyond the per-rule examples: evidence, confidence, type exclusions."""

from pdscan.detect.names import NameClassifier, type_family
from pdscan.model import Column, Location, SourceKind, Table

CLASSIFIER = NameClassifier.bundled()


def column(table: str, name: str, sql_type: str | None = None) -> tuple[Column, Table]:
    location = Location("schema.sql", SourceKind.DDL, table=table, column=name, line=3, database="schema.sql")
    col = Column(location, name, sql_type)
    return col, Table(location, table, (col,))


def test_a_finding_says_why_in_words() -> None:
    (detection,) = CLASSIFIER.classify(*column("customers", "name", "text"))
    assert detection.data_type == "user.name.full"
    texts = [e.text for e in detection.evidence]
    assert "column name `name`" in texts
    assert "in `customers`, a person table" in texts
    assert 0 < detection.confidence < 1


def test_a_whole_name_match_is_surer_than_a_partial_one() -> None:
    (whole,) = CLASSIFIER.classify(*column("users", "email"))
    (partial,) = CLASSIFIER.classify(*column("users", "backup_email"))
    assert whole.confidence > partial.confidence


def test_the_longest_pattern_wins_between_data_types() -> None:
    assert CLASSIFIER.classify(*column("users", "ip_address"))[0].data_type == "user.device.ip_address"
    assert CLASSIFIER.classify(*column("users", "email_address"))[0].data_type == "user.contact.email"
    assert CLASSIFIER.classify(*column("orders", "shipping_address"))[0].data_type == "user.contact.address.street"


def test_traps_are_not_personal_data() -> None:
    for table, name, sql_type in [
        ("products", "name", "varchar(255)"),
        ("oc_location", "address", "text"),
        ("stores", "telephone", "varchar(32)"),
        ("users", "email_verified", "boolean"),
        ("notifications", "email_template", "text"),
        ("orders", "customer_id", "bigint"),
        ("settings", "ip_allowlist_enabled", "tinyint(1)"),
    ]:
        assert CLASSIFIER.classify(*column(table, name, sql_type)) == (), (table, name)


def test_romanised_japanese_and_russian_names() -> None:
    expected = {
        "shimei": "user.name.full",
        "jusho": "user.contact.address.street",
        "denwa_bangou": "user.contact.phone_number",
        "familiya": "user.name.last",
        "telefon": "user.contact.phone_number",
        "data_rozhdeniya": "user.demographic.date_of_birth",
    }
    for name, data_type in expected.items():
        assert CLASSIFIER.classify(*column("kokyaku", name))[0].data_type == data_type, name


def test_sql_types_fall_into_families() -> None:
    assert type_family("tinyint(1)") == "boolean"
    assert type_family("TINYINT(4)") == "integer"
    assert type_family("character varying(255)") is None
    assert type_family("timestamp with time zone") == "date"
    assert type_family("numeric(10, 2)") == "numeric"
    assert type_family(None) is None
