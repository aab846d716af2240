"""A schema of about seventy places, as a real application's: a templated table prefix
(`%TABLE_PREFIX%staff`), most places declared and permitted, some undeclared, one category the
policy gives no purpose, one ignored column and one place assigned to the category with the
longest Russian title. Written into a temporary folder with its data map, for the report
layout tests (reports of a few places hide what a long one does)."""

from __future__ import annotations

from pathlib import Path

# column -> the category its name makes it (by the bundled rules)
COLUMNS = {
    "username": "account",
    "passwd": "account",
    "email": "email",
    "first_name": "name",
    "last_name": "name",
    "phone": "phone",
    "birth_date": "date_of_birth",
    "passport_number": "identity_document",
    "last_login_ip": "ip_address",
    "user_agent": "device",
    "device_id": "device_id",
    "gender": "voluntary",
    "street_address": "address",
    "city": "address",
    "postal_code": "address",
    "session_token": "cookie",
    "latitude": "location",
}
PERMITTED_PURPOSE = {
    "account": "authentication",
    "email": "customer_support",
    "name": "delivery",
    "phone": "delivery",
    "identity_document": "identity_verification",
    "ip_address": "fraud_prevention",
    "device": "fraud_prevention",
    "device_id": "fraud_prevention",
    "voluntary": "registration",
    "address": "delivery",
    "cookie": "session_handling",
    "location": "fraud_prevention",
}
DECLARED_TABLES = ("%TABLE_PREFIX%staff", "customers", "marketplace_sellers")
UNDECLARED_TABLE = "newsletter_subscribers"
IGNORE_REASON = "subject-line templates, not addresses"
LONGEST_RU_CATEGORY = "consented"  # «Любая другая информация, предоставленная по предварительному согласию»


def write_wide_schema(into: Path) -> Path:
    """`wide/` inside `into`: `db/001_schema.sql` and `pdscan.yml`; returns the folder."""
    folder = into / "wide"
    (folder / "db").mkdir(parents=True)
    statements = []
    for table in (*DECLARED_TABLES, UNDECLARED_TABLE):
        columns = ",\n".join(f"  {column} varchar(255)" for column in COLUMNS)
        statements.append(f"CREATE TABLE {table} (\n  id integer PRIMARY KEY,\n{columns}\n);\n")
    statements.append(
        "CREATE TABLE customer_mailings (\n  id integer PRIMARY KEY,\n  reply_email text,\n  interests text\n);\n"
    )
    (folder / "db" / "001_schema.sql").write_text("".join(statements), encoding="utf-8")
    data_map = ["version: 1", "databases:", "  db:", "    tables:"]
    for table in DECLARED_TABLES:
        data_map += [f'      "{table}":', "        columns:"]
        data_map += [
            f"          {column}: [{PERMITTED_PURPOSE[category]}]"
            for column, category in COLUMNS.items()
            if category in PERMITTED_PURPOSE
        ]
    data_map += [
        "      customer_mailings:",
        "        columns:",
        f"          interests: {{category: {LONGEST_RU_CATEGORY}, purposes: [stated_at_collection]}}",
        "ignore:",
        "  - place: customer_mailings.reply_email",
        '    category: "*"',
        f'    reason: "{IGNORE_REASON}"',
    ]
    (folder / "pdscan.yml").write_text("\n".join(data_map) + "\n", encoding="utf-8")
    return folder
