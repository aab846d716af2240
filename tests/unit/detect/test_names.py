"""Column classification beyond the per-rule examples: evidence in words, confidence, surrogate
keys, type exclusions, table context (by name and by sibling columns), speed."""

from __future__ import annotations

import pytest

from pdscan.detect.names import NameClassifier, type_family
from pdscan.model import Column, Detection, Location, SourceKind, Table
from pdscan.sentences import sentence
from pdscan.sources.ddl.source import scan_ddl_text

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
    assert [(e.kind, sentence(e)) for e in detection.evidence] == [
        ("name", "column name `name` means full name"),
        ("table", "table `customers` is about people"),
    ]
    assert 0 < detection.confidence < 1


def test_abbreviations_are_explained() -> None:
    (detection,) = classify("access_log", "remote_addr")
    assert detection.data_type == "user.device.ip_address"
    assert sentence(detection.evidence[0]) == "column name `remote_addr` means a remote (client) address"


def test_a_whole_name_match_is_surer_than_a_partial_one() -> None:
    (whole,) = classify("users", "email")
    (partial,) = classify("users", "backup_email")
    assert whole.confidence > partial.confidence
    assert sentence(partial.evidence[0]).startswith("column name `backup_email` contains `email`")


def test_a_fitting_sql_type_adds_evidence_and_confidence() -> None:
    (typed,) = classify("sessions_log", "ip_address", "inet")
    (untyped,) = classify("sessions_log", "ip_address", "varchar(45)")
    assert typed.confidence > untyped.confidence
    assert ("type", "SQL type `inet` fits IP address") in [(e.kind, sentence(e)) for e in typed.evidence]


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
        (e.kind, sentence(e)) for e in status.evidence
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
    assert type_family("macaddr") == "mac"


@pytest.mark.parametrize(
    ("orm_type", "family"),
    [
        ("BooleanField", "boolean"),
        ("NullBooleanField", "boolean"),
        ("PositiveBigIntegerField", "integer"),
        ("BigAutoField", "integer"),
        ("BigInteger", "integer"),
        ("DecimalField", "numeric"),
        ("DateTimeField", "date"),
        ("LargeBinary", "binary"),
        ("GenericIPAddressField", "network"),
        ("EmailField", "email"),
        ("CharField", None),
        ("String(255)", None),
    ],
)
def test_orm_field_types_fall_into_the_families_of_their_sql_types(orm_type: str, family: str | None) -> None:
    assert type_family(orm_type) == family


def test_an_orm_field_type_is_evidence_as_a_sql_type_is() -> None:
    assert [d.data_type for d in CLASSIFIER.classify_name("contact", "members", "EmailField")] == ["user.contact.email"]
    assert [d.data_type for d in CLASSIFIER.classify_name("seen_from", "visits", "GenericIPAddressField")] == [
        "user.device.ip_address"
    ]
    assert CLASSIFIER.classify_name("email", "members", "BooleanField") == ()


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ("shop_customer", "user.contact.phone_number"),  # Django's <app>_<model>: the head noun says customers
        ("company_employees", "user.contact.phone_number"),
        ("store_locations", None),
        ("customer_groups", None),
    ],
)
def test_the_head_noun_of_a_table_says_whose_rows_they_are(table: str, expected: str | None) -> None:
    found = [d.data_type for d in CLASSIFIER.classify_name("phone", table, "varchar(32)")]
    assert found == ([expected] if expected else [])


# --- table context, SQL types, people versus things, native scripts (issue 16) ----------------


@pytest.mark.parametrize(
    ("table", "column", "expected"),
    [
        ("user_emails", "address", "user.contact.email"),
        ("email_addresses", "address", "user.contact.email"),
        ("customer_addresses", "address", "user.contact.address"),
        ("phone_numbers", "number", "user.contact.phone_number"),
        ("invoices", "number", None),
        ("password_resets", "token", "user.authorization.credentials"),
        ("remember_me_tokens", "token", "user.authorization.session_token"),
        ("job_locks", "token", None),
        ("user_metadata", "name", None),
        ("customers", "name", "user.name.full"),
    ],
)
def test_the_table_decides_what_a_generic_name_holds(table: str, column: str, expected: str | None) -> None:
    assert data_type(table, column) == expected


def test_a_contact_medium_column_makes_address_an_email() -> None:
    identities = table_of("user_contact_points", ("medium", "text"), ("address", "text"))
    assert CLASSIFIER.classify(identities.columns[1], identities)[0].data_type == "user.contact.email"


def test_state_and_country_beside_a_postal_address_are_address_parts() -> None:
    people = table_of("staff", ("city", "text"), ("state", "text"), ("country", "text"), ("region", "text"))
    found = [CLASSIFIER.classify(column, people)[0].data_type for column in people.columns[1:]]
    assert found == ["user.contact.address.state", "user.contact.address.country", "user.contact.address.state"]
    alone = table_of("staff", ("state", "text"), ("country", "text"))
    assert [CLASSIFIER.classify(column, alone) for column in alone.columns] == [(), ()]


def test_a_name_beside_a_description_names_a_thing() -> None:
    clients = table_of("customers", ("name", "text"), ("description", "text"))
    assert CLASSIFIER.classify(clients.columns[0], clients) == ()


def test_an_inet_column_holds_ip_addresses_whatever_its_name() -> None:
    (found,) = classify("user_logins", "last_seen_from", "inet")
    assert found.data_type == "user.device.ip_address"
    assert found.evidence[0].kind == "type"
    assert classify("user_logins", "last_seen_from", "text") == ()
    assert classify("user_restrictions", "allowed_subnets", "cidr") == ()  # a range, not a person's address
    assert classify("servers", "address", "inet") == ()  # the business's own hosts
    assert data_type("user_devices", "hw", "macaddr") == "user.device.device_id.mac_address"


@pytest.mark.parametrize("column", ["email", "phone", "ssn", "password", "latitude", "first_name"])
def test_a_boolean_column_is_never_personal_data(column: str) -> None:
    assert classify("users", column, "boolean") == ()
    assert classify("users", column, "tinyint(1)") == ()


@pytest.mark.parametrize(
    ("table", "column", "expected"),
    [
        ("stores", "latitude", None),
        ("map_landmarks", "lat", None),
        ("members", "home_latitude", "user.location.precise"),
        ("organization_info", "email", None),
        ("organization_info", "phone", None),
        ("organization_info", "city", None),
        ("mail_settings", "smtp_password", None),
        ("oauth_clients", "client_secret", None),
        ("orders", "freight", "user.behavior.purchase_history"),
        ("stock_movements", "quantity", None),
    ],
)
def test_things_and_the_organisations_own_data_are_not_a_persons(table: str, column: str, expected: str | None) -> None:
    assert data_type(table, column) == expected


def test_a_column_prefix_that_abbreviates_the_table_is_set_aside() -> None:
    (found,) = classify("hr_emp_children", "ec_name")
    assert found.data_type == "user.name.full"
    assert ("table", "`ec` abbreviates the name of table `hr_emp_children`") in [
        (e.kind, sentence(e)) for e in found.evidence
    ]
    assert data_type("customers", "cust_name") == "user.name.full"
    assert data_type("price_lists", "pl_name") is None  # the rest must still fit the table
    assert data_type("users", "is_email") is None  # a qualifier is no prefix


def test_run_together_words_are_read_apart() -> None:
    assert data_type("employees", "passportIssuedDate") == "user.government_id.passport_number"
    assert data_type("employees", "passportissueddate") == "user.government_id.passport_number"
    assert data_type("contacts", "phonenumberverified") is None  # the qualifier still counts


@pytest.mark.parametrize(
    ("table", "column", "expected"),
    [
        ("会員", "氏名", "user.name.full"),
        ("会員", "姓", "user.name.last"),
        ("会員", "名", "user.name.first"),
        ("会員", "フリガナ", "user.name.full"),
        ("会員", "電話番号", "user.contact.phone_number"),
        ("会員", "携帯電話", "user.contact.phone_number"),
        ("会員", "メールアドレス", "user.contact.email"),
        ("会員", "住所", "user.contact.address"),
        ("会員", "郵便番号", "user.contact.address.postal_code"),
        ("会員", "都道府県", "user.contact.address.state"),
        ("会員", "生年月日", "user.demographic.date_of_birth"),
        ("会員", "性別", "user.demographic.gender"),
        ("会員", "会員電話番号", "user.contact.phone_number"),
        ("会員", "電話番号確認", None),
        ("店舗", "電話番号", None),
        ("клиенты", "фамилия", "user.name.last"),
        ("клиенты", "имя", "user.name.first"),
        ("клиенты", "отчество", "user.name"),
        ("клиенты", "телефон", "user.contact.phone_number"),
        ("клиенты", "адрес", "user.contact.address"),
        ("клиенты", "электронная_почта", "user.contact.email"),
        ("клиенты", "ДатаРождения", "user.demographic.date_of_birth"),
        ("клиенты", "паспорт", "user.government_id.passport_number"),
        ("клиенты", "инн", "user.government_id.tax_id"),
        ("клиенты", "снилс", "user.government_id.national_identification_number"),
        ("пользователи", "пол", "user.demographic.gender"),
    ],
)
def test_native_script_column_names(table: str, column: str, expected: str | None) -> None:
    assert data_type(table, column) == expected


def test_a_ddl_file_in_japanese_and_russian_is_read_and_classified() -> None:
    ddl = (
        "CREATE TABLE 会員 (会員ID integer PRIMARY KEY, 氏名 varchar(100), 電話番号 varchar(20),"
        " 退会フラグ boolean, 都道府県 varchar(10));\n"
        'CREATE TABLE "клиенты" ("id" serial, "фамилия" text, "ДатаРождения" date, "последний_вход" inet);\n'
    )
    result = scan_ddl_text(ddl, source="schema.sql", database="schema.sql")
    found = {
        (table.name, column.name): detections[0].data_type
        for table in result.tables
        for column in table.columns
        if (detections := CLASSIFIER.classify(column, table))
    }
    assert found == {
        ("会員", "氏名"): "user.name.full",
        ("会員", "電話番号"): "user.contact.phone_number",
        ("会員", "都道府県"): "user.contact.address.state",
        ("клиенты", "фамилия"): "user.name.last",
        ("клиенты", "ДатаРождения"): "user.demographic.date_of_birth",
        ("клиенты", "последний_вход"): "user.device.ip_address",
    }


def test_people_in_an_organisations_table_are_still_people() -> None:
    assert data_type("organization_settings", "email") is None
    assert data_type("organization_users", "email") == "user.contact.email"
    assert data_type("app_users", "password") == "user.authorization.credentials"
    assert data_type("company_info", "email") is None


def test_a_table_in_an_unknown_word_whose_rows_have_a_first_name_is_about_people() -> None:
    siblings = ("id", "firstname", "lastname", "gender", "photo")
    assert [d.data_type for d in CLASSIFIER.classify_name("gender", "llx_adherent", "varchar(10)", siblings)] == [
        "user.demographic.gender"
    ]
    assert CLASSIFIER.classify_name("gender", "llx_adherent", "varchar(10)", ("id", "label")) == ()


@pytest.mark.parametrize(
    ("table", "column", "expected"),
    [
        ("verification_tokens", "token", "user.authorization.credentials"),
        ("workspace_invitations", "token", "user.authorization.credentials"),
        ("users", "sign_in_token", "user.authorization.credentials"),
        ("oauth_accounts", "id_token", "user.authorization.session_token"),
        ("members", "pass", "user.authorization.credentials"),
        ("users", "api_key", "user.authorization.credentials"),
        ("payment_gateways", "api_key", None),
        ("members", "birth", "user.demographic.date_of_birth"),
        ("statuses", "language", None),  # the language of what was written, not of a device
        ("users", "locale", "user.device.language"),
    ],
)
def test_credentials_birth_dates_and_languages_by_how_applications_name_them(
    table: str, column: str, expected: str | None
) -> None:
    sql_type = "date" if column == "birth" else "text"
    found = [d.data_type for d in CLASSIFIER.classify_name(column, table, sql_type, ("id", "account_id"))]
    assert found == ([expected] if expected else [])
