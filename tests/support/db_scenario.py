"""One shop database, loaded the same into SQLite, PostgreSQL and MariaDB for the tests.

Seeded personal data (e-mail addresses, phones, IPs, names, a JSON profile), decoy columns
that must not be reported (`email_template` repeating the shop's own address, booleans named
`dob_required` and `ip_allowlist_enabled`, version strings), a `payment_memo` repeating one
card number in every row (a card names one person however often it is copied), a `notes` column whose name says
nothing but whose values are e-mail addresses, a binary column, and awkward identifiers: a
space and upper case, both quote characters, Japanese.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass

CUSTOMERS = 300
ODD_TABLE = 'we"ird`name'  # both quote characters in one identifier
SPACED_TABLE = "Customer Accounts"
SPACED_COLUMN = "E-Mail Address"
UNICODE_TABLE = "顧客"
UNICODE_COLUMN = "メール"
FIRST_NAMES = ("Hanako", "Taro", "Yuki", "Ken", "Aiko", "Sora", "Mei", "Riku")
SUPPORT_ADDRESS = "support@shop.example"
TEST_CARD = "4111 1111 1111 1111"


@dataclass(frozen=True)
class Customer:
    id: int
    email: str
    phone: str
    first_name: str
    notes: str
    email_template: str
    dob_required: bool
    ip_allowlist_enabled: bool
    app_version: str
    profile: str
    label_image: bytes
    payment_memo: str


def customers() -> list[Customer]:
    seeded = random.Random(20261124)
    found = []
    for number in range(1, CUSTOMERS + 1):
        email = f"{FIRST_NAMES[number % len(FIRST_NAMES)].lower()}.{number}@mail{number % 7}.example.com"
        phone = f"+81 90-{seeded.randint(1000, 9999)}-{seeded.randint(1000, 9999)}"
        if number % 2:
            notes = f"Customer asked to send the invoice to {email.replace('mail', 'work')} instead."
        else:
            notes = "Prefers delivery in the afternoon; leave the parcel with the concierge."
        template = f"Dear {{{{first_name}}}}, write to {SUPPORT_ADDRESS} if anything is wrong with order {{{{order}}}}."
        profile = json.dumps({"contact": {"email": email, "tel": phone}, "prefs": {"theme": "dark", "items": [1, 2]}})
        found.append(
            Customer(
                id=number,
                email=email,
                phone=phone,
                first_name=FIRST_NAMES[number % len(FIRST_NAMES)],
                notes=notes,
                email_template=template,
                dob_required=bool(number % 3),
                ip_allowlist_enabled=bool(number % 5),
                app_version=f"{seeded.randint(1, 9)}.{seeded.randint(0, 20)}.{seeded.randint(0, 99)}",
                profile=profile,
                label_image=bytes([0, 137, 80, 78, 71]) + bytes(seeded.getrandbits(8) for _ in range(64)),
                payment_memo=f"charged to card {TEST_CARD}",
            )
        )
    return found


def client_ip(number: int) -> str:
    return f"198.51.100.{number % 250 + 1}" if number % 2 else f"2001:db8::{number:x}"


def customer_row(customer: Customer) -> tuple:
    return (
        customer.id,
        customer.email,
        customer.phone,
        customer.first_name,
        customer.notes,
        customer.email_template,
        customer.dob_required,
        customer.ip_allowlist_enabled,
        customer.app_version,
        customer.profile,
        customer.label_image,
        customer.payment_memo,
    )


CUSTOMER_COLUMNS = (
    "id, email, phone, first_name, notes, email_template, dob_required, ip_allowlist_enabled, app_version, "
    "profile, label_image, payment_memo"
)
PRODUCTS = [(n, f"Green tea {n}", f"Loose leaf tea from Shizuoka, batch {n}") for n in range(1, 51)]

# What every scan of this database must find (table, column) -> category, and must not.
EXPECTED = {
    ("customers", "email"): "email",
    ("customers", "phone"): "phone",
    ("customers", "first_name"): "name",
    ("customers", "notes"): "email",
    ("customers", "profile"): "email",
    (SPACED_TABLE, SPACED_COLUMN): "email",
    (UNICODE_TABLE, UNICODE_COLUMN): "email",
    (ODD_TABLE, "ip"): "ip_address",
    ("customers", "payment_memo"): "credit_card",
}
NOT_PERSONAL = (
    ("customers", "email_template"),
    ("customers", "dob_required"),
    ("customers", "ip_allowlist_enabled"),
    ("customers", "app_version"),
    ("customers", "label_image"),
    ("products", "name"),
    ("products", "description"),
)
