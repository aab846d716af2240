"""Column classification beyond the per-rule examples: evidence in words, confidence, surrogate
keys, type exclusions, table context (by name and by sibling columns), speed."""

from __future__ import annotations

import pytest

from pdscan.detect.names import NameClassifier, type_family
from pdscan.model import Column, Detection, Location, SourceKind, Table

CLASSIFIER = NameClassifier.bundled()


def table_of(name: str, *columns: tuple[str, str | None]) -> Table:
    location = Location("schema.sql", SourceKind.DDL, table=name, line=1, database="schema.sql")
    return Table(location, name, tuple(Column(location, column, sql_type) for column, sql_type in columns))


def classify(table: str, column: str, sql_type: str | None = None) -> tuple[Detection, ...]:
    built = table_of(table, (column, sql_type))
    return CLASSIFIER.classify(built.columns[0], built)


def data_type(table: str, column: str, sql_type: str | None = None) -> str | None:
    found = classify(table, column, sql_type)
    return found[0].data_type if found else None


def test_a_finding_says_why_in_words() -> None:
    (detection,) = classify("customers", "name", "text")
    assert detection.data_type == "user.name.full"
    assert [(e.kind, e.text) for e in detection.evidence] == [
        ("name", "column name `name` means full name"),
        ("table", "table `customers` is about people"),
    ]
    assert 0 < detection.confidence < 1


def test_abbreviations_are_explained() -> None:
    (detection,) = classify("access_log", "remote_addr")
    assert detection.data_type == "user.device.ip_address"
    assert detection.evidence[0].text == "column name `remote_addr` means a remote (client) address"


def test_a_whole_name_match_is_surer_than_a_partial_one() -> None:
    (whole,) = classify("users", "email")
    (partial,) = classify("users", "backup_email")
    assert whole.confidence > partial.confidence
    assert partial.evidence[0].text.startswith("column name `backup_email` contains `email`")


def test_a_fitting_sql_type_adds_evidence_and_confidence() -> None:
    (typed,) = classify("sessions_log", "ip_address", "inet")
    (untyped,) = classify("sessions_log", "ip_address", "varchar(45)")
    assert typed.confidence > untyped.confidence
    assert ("type", "SQL type `inet` fits IP address") in [(e.kind, e.text) for e in typed.evidence]


def test_the_longest_pattern_wins_between_data_types() -> None:
    assert data_type("users", "ip_address") == "user.device.ip_address"
    assert data_type("users", "email_address") == "user.contact.email"
    assert data_type("orders", "shipping_address_1") == "user.contact.address.street"
    assert data_type("orders", "shipping_address") == "user.contact.address"


@pytest.mark.parametrize(
    ("table", "column", "sql_type"),
    [
        ("products", "name", "varchar(255)"),
        ("store_locations", "address", "text"),
        ("stores", "telephone", "varchar(32)"),
        ("settings", "address", "text"),
        ("users", "email_verified", "boolean"),
        ("users", "email", "tinyint(1)"),
        ("users", "first_name", "integer"),
        ("users", "phone", "timestamp"),
        ("notifications", "email_template", "text"),
        ("users", "email_sent_at", "timestamp"),
        ("users", "login_count", "int"),
        ("settings", "ip_allowlist_enabled", "tinyint(1)"),
        ("users", "address_format", "text"),
        ("users", "avatar_type", "text"),
    ],
)
def test_traps_are_not_personal_data(table: str, column: str, sql_type: str) -> None:
    assert classify(table, column, sql_type) == ()


@pytest.mark.parametrize("column", ["id", "user_id", "customer_id", "address_id", "order_id", "email_id", "userId"])
def test_surrogate_and_foreign_keys_are_not_personal_data(column: str) -> None:
    assert classify("orders", column, "bigint") == ()


@pytest.mark.parametrize(
    ("column", "expected"),
    [
        ("device_id", "user.device.device_id"),
        ("idfa", "user.device.device_id.advertising_id"),
        ("advertising_id", "user.device.device_id.advertising_id"),
        ("tax_id", "user.government_id.tax_id"),
        ("national_id", "user.government_id.national_identification_number"),
        ("passport_id", "user.government_id.passport_number"),
        ("push_token", "user.device.device_id.push_token"),
    ],
)
def test_identifier_types_named_with_id_are_personal_data(column: str, expected: str) -> None:
    assert data_type("user_devices", column, "varchar(64)") == expected


def test_a_session_id_is_a_session_token_only_where_the_session_lives() -> None:
    assert data_type("sessions", "session_id") == "user.authorization.session_token"
    assert data_type("encryption_keys", "session_id") is None  # key material, not a web session
    assert data_type("audit_events", "session_id") is None  # a reference to a session elsewhere


def test_sibling_columns_give_table_context() -> None:
    presence = table_of("presence", ("user_id", "text"), ("status_msg", "text"), ("lang", "text"))
    (status,) = CLASSIFIER.classify(presence.columns[1], presence)
    assert status.data_type == "user.content.profile"
    assert ("table", "table `presence` links each row to a person (column `user_id`)") in [
        (e.kind, e.text) for e in status.evidence
    ]
    assert CLASSIFIER.classify(presence.columns[2], presence)[0].data_type == "user.device.language"
    jobs = table_of("jobs", ("status_msg", "text"), ("lang", "text"))
    assert CLASSIFIER.classify(jobs.columns[0], jobs) == ()
    assert CLASSIFIER.classify(jobs.columns[1], jobs) == ()


def test_schema_prefixes_do_not_hide_table_context() -> None:
    assert data_type("billing.customers", "name") == "user.name.full"
    assert data_type("catalog.products", "name") is None


@pytest.mark.parametrize(
    ("column", "expected"),
    [
        ("shimei", "user.name.full"),
        ("furigana", "user.name.full"),
        ("sei", "user.name.last"),
        ("mei", "user.name.first"),
        ("jusho", "user.contact.address"),
        ("yuubin_bangou", "user.contact.address.postal_code"),
        ("denwa_bangou", "user.contact.phone_number"),
        ("keitai", "user.contact.phone_number"),
        ("seinengappi", "user.demographic.date_of_birth"),
        ("meruado", "user.contact.email"),
        ("familiya", "user.name.last"),
        ("imya", "user.name.first"),
        ("otchestvo", "user.name"),
        ("fio", "user.name.full"),
        ("adres", "user.contact.address"),
        ("telefon", "user.contact.phone_number"),
        ("pochta", "user.contact.email"),
        ("data_rozhdeniya", "user.demographic.date_of_birth"),
        ("pasport", "user.government_id.passport_number"),
        ("inn", "user.government_id.tax_id"),
        ("snils", "user.government_id.national_identification_number"),
    ],
)
def test_romanised_japanese_and_russian_names(column: str, expected: str) -> None:
    assert data_type("kokyaku", column) == expected


@pytest.mark.parametrize(
    ("column", "expected"),
    [
        ("dob", "user.demographic.date_of_birth"),
        ("fname", "user.name.first"),
        ("lname", "user.name.last"),
        ("cc_num", "user.financial.credit_card.number"),
        ("pan", "user.financial.credit_card.number"),
        ("ua", "user.device.user_agent"),
        ("gaid", "user.device.device_id.advertising_id"),
        ("imei", "user.device.device_id.imei"),
        ("msisdn", "user.contact.phone_number"),
        ("zip", "user.contact.address.postal_code"),
        ("tel", "user.contact.phone_number"),
        ("HTTP_USER_AGENT", "user.device.user_agent"),
        ("X-Forwarded-For", "user.device.ip_address"),
    ],
)
def test_common_abbreviations(column: str, expected: str) -> None:
    assert data_type("customers", column) == expected


def test_sql_types_fall_into_families() -> None:
    assert type_family("tinyint(1)") == "boolean"
    assert type_family("TINYINT(4)") == "integer"
    assert type_family("character varying(255)") is None
    assert type_family("timestamp with time zone") == "date"
    assert type_family("numeric(10, 2)") == "numeric"
    assert type_family("inet") == "network"
    assert type_family(None) is None
