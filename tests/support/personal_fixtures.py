"""Sources holding known personal values, for the tests that prove nothing leaks and nothing
changes: a plain log and JSON lines, two SQLite databases (one in WAL mode), SQL DDL whose
DEFAULTs, CHECKs and COMMENTs quote values, and the same rows in live PostgreSQL and MariaDB
databases read by a user whose password is a distinctive string.

Every value is listed per kind of source, so a test can look for each one in every output.
"""

from __future__ import annotations

import json
import sqlite3
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pymysql

from support.db_servers import SUPERUSER_PASSWORD, MariaDBServer, PostgresServer

DB_USER = "leak_auditor"
DB_PASSWORD = "Zq9-Leak-Canary!pw"  # distinctive: found anywhere, it leaked
DB_NAME = "noleak"
ROWS = 40

LOG_VALUES = {
    "email": "hanako.yamada@mail.example.org",
    "encoded_email": "michiko@example.com",  # written `michiko%40example.com` in a URL
    "ipv4": "203.0.113.201",
    "ipv6": "2001:db8:85a3::8a2e:370:7344",
    "card": "4111 1111 1111 1111",
    "iban": "GB82 WEST 1234 5698 7654 32",
    "mac": "00:1A:2B:3C:4D:5E",
    "imei": "490154203237518",
    "user": "kenji.sato",
    "session": "8f14e45fceea167a5a36dedd4bea2543",
    "dob": "1985-04-12",
    "ssh_user": "akiko.tanaka",
    "ssh_ip": "192.0.2.44",
    "phone": "+81 3-1234-5678",  # in free text
}
APP_LOG = (
    f"2026-11-25T06:00:00Z INFO signup email={LOG_VALUES['email']} ip={LOG_VALUES['ipv4']}\n"
    f"2026-11-25T06:00:01Z INFO payment card={LOG_VALUES['card']} iban={LOG_VALUES['iban']}\n"
    f"2026-11-25T06:00:02Z INFO device mac={LOG_VALUES['mac']} imei={LOG_VALUES['imei']} ipv6={LOG_VALUES['ipv6']}\n"
    f"2026-11-25T06:00:03Z INFO login user={LOG_VALUES['user']} sid={LOG_VALUES['session']} dob={LOG_VALUES['dob']}\n"
    "2026-11-25T06:00:04Z INFO GET /unsubscribe?email=michiko%40example.com HTTP/1.1 200\n"
    f"2026-11-25T06:00:05Z WARN Failed password for invalid user {LOG_VALUES['ssh_user']} "
    f"from {LOG_VALUES['ssh_ip']} port 22 ssh2\n"
    f"2026-11-25T06:00:06Z INFO call back {LOG_VALUES['phone']} about order 1700000000123\n"
)
JSONL_VALUES = {
    "email": "taro.suzuki@example.net",
    "phone": "+44 20 7946 0958",
    "name": "Taro Suzuki",
    "passport": "TZ1234567",
    "birth_date": "1979-11-30",
    "ip": "198.51.100.23",
    "card": "3782 822463 10005",
    "user_agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Edge/120.0",
    "session": "Zx81KqPm2Lw9Rt5Yb7Vn3Hc6",
}
EVENTS_JSONL = (
    json.dumps(
        {
            "ts": "2026-11-25T06:00:00Z",
            "msg": "checkout",
            "customer": {
                "email": JSONL_VALUES["email"],
                "phone": JSONL_VALUES["phone"],
                "name": JSONL_VALUES["name"],
                "passport_number": JSONL_VALUES["passport"],
                "birth_date": JSONL_VALUES["birth_date"],
            },
            "client_ip": JSONL_VALUES["ip"],
            "card": JSONL_VALUES["card"],
            "request": {
                "headers": {"User-Agent": JSONL_VALUES["user_agent"], "Cookie": f"session={JSONL_VALUES['session']}"}
            },
        }
    )
    + "\n"
)
DDL_VALUES = (
    "ddl.default@example.org",
    "ddl.check@example.org",
    "+81 3-3333-4444",
    "6011 0009 9013 9424",
    "ddl.comment@example.org",
    "198.51.100.201",
    "DE89 3704 0044 0532 0130 00",
    "ddl.mysql@example.org",
    "ddl.mysqlcomment@example.org",
    "+81 6-6666-7777",
)
POSTGRES_DDL = f"""CREATE TABLE accounts (
    id integer PRIMARY KEY,
    email text DEFAULT '{DDL_VALUES[0]}' CHECK (email <> '{DDL_VALUES[1]}'),
    phone text DEFAULT '{DDL_VALUES[2]}',
    card_number text CHECK (card_number <> '{DDL_VALUES[3]}'),
    notes text
);
COMMENT ON COLUMN accounts.notes IS 'e.g. {DDL_VALUES[4]} from {DDL_VALUES[5]}, IBAN {DDL_VALUES[6]}';
"""
MYSQL_DDL = f"""CREATE TABLE `legacy_users` (
  `id` int NOT NULL,
  `mail` varchar(255) DEFAULT '{DDL_VALUES[7]}' COMMENT 'was {DDL_VALUES[8]}',
  `tel` varchar(32) COMMENT 'like {DDL_VALUES[9]}',
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
"""


@dataclass(frozen=True)
class Sources:
    """What a test scans (`targets`, from `cwd`) and the personal values they hold, per kind of
    source: log, jsonl, sqlite, sqlite_wal, ddl, postgres, mariadb."""

    cwd: Path
    targets: tuple[str, ...]
    values: dict[str, tuple[str, ...]]
    secrets: tuple[str, ...] = field(default=())  # database passwords: never shown, whatever the options

    def all_values(self) -> tuple[str, ...]:
        return tuple(value for values in self.values.values() for value in values)


def luhn_card(prefix: str) -> str:
    """A 16-digit card number starting with `prefix` that passes Luhn, grouped by four."""
    digits = [int(d) for d in prefix.ljust(15, "0")[:15]]
    total = sum(d if i % 2 else (d * 2 - 9 if d * 2 > 9 else d * 2) for i, d in enumerate(digits))
    number = "".join(map(str, digits)) + str((10 - total % 10) % 10)
    return " ".join(number[i : i + 4] for i in range(0, 16, 4))


@dataclass(frozen=True)
class Member:
    """One row of the sampled tables: every column a known value."""

    id: int
    email: str
    phone: str
    notes: str
    profile: str
    last_ip: str
    card_number: str

    def values(self) -> tuple[str, ...]:
        profile = json.loads(self.profile)
        keyed = next(iter(profile["by_email"]))  # a personal value used as a JSON key
        return (
            self.email,
            self.phone,
            _notes_address(self.notes),
            profile["contact"]["email"],
            keyed,
            self.last_ip,
            self.card_number,
        )


def members(prefix: str, first_host: int) -> list[Member]:
    """ROWS rows whose values all begin with `prefix`, client addresses from `first_host` on (one
    set per database, told apart)."""
    rows = []
    for number in range(1, ROWS + 1):
        profile = {
            "contact": {"email": f"{prefix}.profile{number}@example.com"},
            "by_email": {f"{prefix}.key{number}@example.com": {"email": f"{prefix}.key{number}@example.com"}},
        }
        rows.append(
            Member(
                id=number,
                email=f"{prefix}.member{number}@mail{number % 3}.example.org",
                phone=f"+81 70-4{len(prefix)}44-{2000 + number}",
                notes=f"please invoice {prefix}.notes{number}@billing.example.net",
                profile=json.dumps(profile),
                last_ip=f"203.0.113.{first_host + number}",
                card_number=luhn_card(f"4{len(prefix)}{number:04d}"),
            )
        )
    return rows


def _notes_address(notes: str) -> str:
    return notes.rsplit(" ", 1)[-1]


MEMBER_COLUMNS = "id, email, phone, notes, profile, last_ip, card_number"


def _write_sqlite(path: Path, rows: list[Member], wal: bool) -> None:
    connection = sqlite3.connect(path)
    if wal:
        connection.execute("PRAGMA journal_mode=WAL")
    connection.execute(
        "CREATE TABLE members (id INTEGER PRIMARY KEY, email TEXT, phone TEXT, notes TEXT, profile JSON, "
        "last_ip TEXT, card_number TEXT)"
    )
    connection.executemany(
        f"INSERT INTO members ({MEMBER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(m.id, m.email, m.phone, m.notes, m.profile, m.last_ip, m.card_number) for m in rows],
    )
    connection.commit()
    connection.close()  # the last connection checkpoints a WAL database and removes its -wal and -shm


def write_files(folder: Path) -> Sources:
    """The file sources in `folder`: app.log, events.jsonl, shop.db, sessions.db (WAL), schema/."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "app.log").write_text(APP_LOG, encoding="utf-8")
    (folder / "events.jsonl").write_text(EVENTS_JSONL, encoding="utf-8")
    shop, sessions = members("sqlite", 0), members("walmode", ROWS)
    _write_sqlite(folder / "shop.db", shop, wal=False)
    _write_sqlite(folder / "sessions.db", sessions, wal=True)
    (folder / "schema").mkdir(exist_ok=True)
    (folder / "schema" / "001_accounts.sql").write_text(POSTGRES_DDL, encoding="utf-8")
    (folder / "schema" / "002_legacy.sql").write_text(MYSQL_DDL, encoding="utf-8")
    return Sources(
        cwd=folder,
        targets=("app.log", "events.jsonl", "shop.db", "sessions.db", "schema"),
        values={
            "log": tuple(LOG_VALUES.values()),
            "jsonl": tuple(JSONL_VALUES.values()),
            "sqlite": tuple(v for m in shop for v in m.values()),
            "sqlite_wal": tuple(v for m in sessions for v in m.values()),
            "ddl": DDL_VALUES,
        },
    )


def _quoted_password() -> str:
    return urllib.parse.quote(DB_PASSWORD, safe="")


def load_postgres(server: PostgresServer) -> tuple[str, tuple[str, ...]]:
    """The `noleak` database with ROWS members, readable by DB_USER; its URL (password in it)
    and its values."""
    rows = members("pgrow", 2 * ROWS)
    with psycopg.connect(server.url(), autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {DB_NAME}")
        admin.execute(f"CREATE DATABASE {DB_NAME}")
        admin.execute(f"DROP ROLE IF EXISTS {DB_USER}")
        admin.execute(f"CREATE ROLE {DB_USER} LOGIN PASSWORD '{DB_PASSWORD}'")
    with psycopg.connect(server.url(database=DB_NAME)) as connection:
        connection.execute(
            "CREATE TABLE members (id integer PRIMARY KEY, email text, phone text, notes text, profile jsonb, "
            "last_ip inet, card_number text)"
        )
        connection.execute("COMMENT ON COLUMN members.notes IS 'e.g. pg.comment@example.org'")
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO members ({MEMBER_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s)",
                [(m.id, m.email, m.phone, m.notes, m.profile, m.last_ip, m.card_number) for m in rows],
            )
        connection.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {DB_USER}")
        connection.commit()
    url = f"postgresql://{DB_USER}:{_quoted_password()}@127.0.0.1:{server.port}/{DB_NAME}"
    return url, (*(v for m in rows for v in m.values()), "pg.comment@example.org")


def mariadb_admin(server: MariaDBServer, database: str | None = DB_NAME) -> pymysql.Connection:
    return pymysql.connect(
        unix_socket=server.socket, user="root", password=SUPERUSER_PASSWORD, database=database, autocommit=True
    )


def load_mariadb(server: MariaDBServer) -> tuple[str, tuple[str, ...]]:
    """The same in MariaDB; its URL carries the password as a `?password=` option."""
    rows = members("mariarow", 3 * ROWS)
    connection = mariadb_admin(server, None)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {DB_NAME}")
        cursor.execute(f"CREATE DATABASE {DB_NAME} CHARACTER SET utf8mb4")
        cursor.execute(f"USE {DB_NAME}")
        cursor.execute(
            "CREATE TABLE members (id int PRIMARY KEY, email varchar(255), phone varchar(32), "
            "notes text COMMENT 'e.g. maria.comment@example.org', profile JSON, last_ip varchar(45), "
            "card_number varchar(32))"
        )
        cursor.executemany(
            f"INSERT INTO members ({MEMBER_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s)",
            [(m.id, m.email, m.phone, m.notes, m.profile, m.last_ip, m.card_number) for m in rows],
        )
        for host in ("localhost", "127.0.0.1"):
            cursor.execute(f"CREATE OR REPLACE USER '{DB_USER}'@'{host}' IDENTIFIED BY %s", (DB_PASSWORD,))
            cursor.execute(f"GRANT SELECT ON {DB_NAME}.* TO '{DB_USER}'@'{host}'")
    connection.close()
    url = f"mariadb://{DB_USER}@127.0.0.1:{server.port}/{DB_NAME}?password={_quoted_password()}"
    return url, (*(v for m in rows for v in m.values()), "maria.comment@example.org")


def password_forms(password: str = DB_PASSWORD) -> tuple[str, ...]:
    """The password as typed and URL-encoded both ways: any of them found, it leaked."""
    return tuple({password, urllib.parse.quote(password, safe=""), urllib.parse.quote_plus(password)})
