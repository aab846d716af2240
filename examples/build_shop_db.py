"""Rebuild examples/shop/shop.db, the demo's embedded SQLite database.

Run from the repository root: `python examples/build_shop_db.py`. Every value is reserved
for documentation (example.com addresses, 192.0.2.0/24 and 2001:db8::/32 IPs).
"""

import sqlite3
from pathlib import Path

DATABASE = Path(__file__).parent / "shop" / "shop.db"

SCHEMA = """
CREATE TABLE sessions (
    session_id  TEXT PRIMARY KEY,  -- pdscan: purpose=session_handling,authentication
    customer_id INTEGER NOT NULL,
    ip          TEXT,              -- pdscan: purpose=fraud_prevention
    user_agent  TEXT,
    expires_at  INTEGER NOT NULL
);
CREATE TABLE support_tickets (
    id             INTEGER PRIMARY KEY,
    customer_email TEXT NOT NULL,
    subject        TEXT NOT NULL,
    body           TEXT NOT NULL,
    opened_at      INTEGER NOT NULL
);
CREATE TABLE stores (
    id        INTEGER PRIMARY KEY,
    name      TEXT NOT NULL,
    address   TEXT NOT NULL,
    telephone TEXT NOT NULL
);
"""

ROWS = {
    "sessions": [
        (
            "3f9a1c0e5b7d4a26",
            1,
            "192.0.2.10",
            "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0",
            1767225600,
        ),
        (
            "8c2e6b1d0f4a9e37",
            2,
            "2001:db8::17",
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5)",
            1767229200,
        ),
    ],
    "support_tickets": [
        (
            1,
            "hanako.yamada@example.com",
            "Late delivery",
            "Order 1001 has not arrived.",
            1767139200,
        ),
        (2, "ivan.petrov@example.org", "Invoice", "Please send the invoice again.", 1767142800),
    ],
    "stores": [(1, "Example Shop Shibuya", "1-2-3 Example-cho, Shibuya, Tokyo", "03-5555-0100")],
}


def main() -> None:
    DATABASE.unlink(missing_ok=True)
    with sqlite3.connect(DATABASE) as connection:
        connection.executescript(SCHEMA)
        for table, rows in ROWS.items():
            marks = ", ".join("?" for _ in rows[0])
            connection.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)
    connection.close()


if __name__ == "__main__":
    main()
