"""Log scanning speed and memory: pdscan against single-threaded ripgrep on the same mixed log file.

Usage: python benchmarks/logs.py --size 200M [--variant dense|sparse|access|w3c|zeek|json|both|all]
       [--jobs N [N ...]] [--repeat 3] [--workdir DIR]

Generates a deterministic mixed log file (seeded; default 200 MB, decimal units: 200M = 200,000,000
bytes) per variant and reuses it on later runs from --workdir:
  dense   nearly every line holds personal data: Apache combined access-log lines (IPv4/IPv6 clients,
          user agents, e-mails in query strings), JSON lines with "email"/"client_ip", Luhn-valid card
          numbers (plain, spaced, dashed), mod-97-valid IBANs, phone numbers, MAC addresses, IMEIs and
          sshd "Failed password ... from IP" lines;
  sparse  about 1 line in 50 holds personal values of the dense kinds; the rest are application log lines
          with timestamps, request UUIDs, version strings (Firefox/2.0.0.4, bundle-7.3.1.12.js), durations,
          order ids and epoch-millisecond timestamps, decoys that look like IPs, cards or IBANs but are
          not. About 1 line in 13 is a static-asset line whose `ua="Mozilla/5.0 ... Firefox/2.0.0.4"`
          carries its version-string decoys inside a user agent, which pdscan reports as device
          information by its key (ripgrep's patterns do not look for user agents);
  access  an nginx/Apache combined access log alone, with the repeats of a real one: a few hundred
          clients (some far busier than others), a few hundred paths of which a share carry e-mails in
          query strings, a handful of referers and user agents (`both` runs dense and sparse only,
          `all` every variant);
  w3c     an IIS W3C extended log (`#Fields:` header) with the access variant's repeats: path stem and
          query in two columns, cs-username mostly `-` (some DOMAIN\\user names and e-mails), agents
          and referers with `+` for spaces;
  zeek    a Zeek http.log (`#separator \\x09`, `#fields`, `#types` headers; tab-separated, `-` unset,
          `(empty)` empty sets) with the same repeats; a uid per line (no two connections share one)
          and ephemeral client ports;
  json    a JSON application log, one object per line as structured loggers write them: timestamps,
          levels, request and trace ids, nested objects; about one line in four names a user (e-mail,
          IP, name, some non-ASCII as `\\u` escapes), with escaped quotes, arrays, nulls and numbers in
          other lines.
Only documentation addresses (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32) and
example.com/example.org e-mails are used.

pdscan's modules are first compiled to bytecode (`compileall`), as installing a wheel leaves them.
Then measures, best wall time and best CPU time (user + system) of --repeat runs each:
  ripgrep  one `rg --no-config -j1 --count-matches` with 7 PII patterns (e-mail, IPv4, IPv6,
           card, IBAN, phone, MAC), output to /dev/null: the speed baseline (skipped, loudly, without rg);
  pdscan   `python -m pdscan scan FILE --format json --output ... --quiet --fail-on never --jobs N` for
           N = 1, 2 and os.cpu_count() when above 2 (or each --jobs given): MB/s by wall and by CPU time,
           MB/s per core, ratio to ripgrep (by wall and by CPU time: on a shared machine, trust CPU), speed-up over
           one job and peak RSS of the pdscan process (ru_maxrss from os.wait4: the largest single process
           among pdscan and the workers it reaped, not their sum).
Targets: pdscan (1 job) >= 0.3x ripgrep on dense, >= 0.5x on sparse, >= 0.08x on access, w3c and zeek,
>= 0.04x on json; >= 1.8x speed-up from 1 to 2 jobs; peak RSS < 250 MB on a 1 GB file. A measurement, not a
test: prints figures, asserts nothing, exits 0 (a failing pdscan command is reported with its stderr and the run
carries on).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MB = 1_000_000
UNITS = {"": 1, "K": 10**3, "M": 10**6, "G": 10**9}
GENERATOR_VERSION = 2  # bump when the generated content changes, so cached files are not reused
VARIANTS = ("dense", "sparse", "access", "w3c", "zeek", "json")
POOL_SIZE = 5000  # pre-generated lines per variant, sampled with the seeded RNG
SPARSE_EVERY = 50  # sparse: one line in this many holds personal data
TICK = 16  # consecutive lines sharing one timestamp
BATCH_LINES = 8192  # lines rendered per write
START_EPOCH = 1_709_251_200.0  # 2024-03-01T00:00:00Z

Line = tuple[str, str, str]  # head, timestamp kind (a key of `stamps`), tail ending in "\n"
Maker = Callable[[random.Random], Line]

TARGET_RATIO = {"dense": 0.3, "sparse": 0.5, "access": 0.08, "w3c": 0.08, "zeek": 0.08, "json": 0.04}
TARGET_SPEEDUP = 1.8
TARGET_RSS_MB = 250.0
RSS_TARGET_FILE_MB = 1000.0

IPV6_PATTERN = (
    r"(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}"
    r"|(?:[0-9A-Fa-f]{1,4}:){1,7}:"
    r"|(?:[0-9A-Fa-f]{1,4}:){1,6}:[0-9A-Fa-f]{1,4}"
    r"|(?:[0-9A-Fa-f]{1,4}:){1,5}(?::[0-9A-Fa-f]{1,4}){1,2}"
    r"|(?:[0-9A-Fa-f]{1,4}:){1,4}(?::[0-9A-Fa-f]{1,4}){1,3}"
    r"|(?:[0-9A-Fa-f]{1,4}:){1,3}(?::[0-9A-Fa-f]{1,4}){1,4}"
    r"|(?:[0-9A-Fa-f]{1,4}:){1,2}(?::[0-9A-Fa-f]{1,4}){1,5}"
    r"|[0-9A-Fa-f]{1,4}:(?::[0-9A-Fa-f]{1,4}){1,6}"
    r"|::(?:[0-9A-Fa-f]{1,4}:){0,5}[0-9A-Fa-f]{1,4}"
)
OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
RG_PATTERNS = {
    "email": r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}",
    "ipv4": rf"\b(?:{OCTET}\.){{3}}{OCTET}\b",
    "ipv6": IPV6_PATTERN,
    "card": r"\b[0-9](?:[ -]?[0-9]){12,18}\b",
    "iban": r"\b[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b",
    "phone": r"\+[0-9]{1,3}(?:[ .-][0-9]{1,4}){2,5}",
    "mac": r"\b[0-9A-Fa-f]{2}(?:[:-][0-9A-Fa-f]{2}){5}\b",
}

FIRST_NAMES = ("aiko", "jan", "maria", "lena", "omar", "sofia", "kenji", "priya", "lucas", "emma", "noah", "chloe")
LAST_NAMES = ("sato", "kowalski", "garcia", "mueller", "haddad", "rossi", "tanaka", "sharma", "martin", "dubois")
USER_AGENTS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 "
    "Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 "
    "Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Windows; U; Windows NT 5.1; en-US; rv:1.8.1.4) Gecko/20070515 Firefox/2.0.0.4",
    "curl/8.5.0",
    "python-requests/2.31.0",
)
TEST_CARDS = (
    "4111111111111111",
    "5555555555554444",
    "378282246310005",
    "6011111111111117",
    "4012888888881881",
    "5105105105105100",
    "3530111333300000",
)
CARD_PREFIXES = (("4", 16), ("51", 16), ("55", 16), ("2221", 16), ("34", 15), ("37", 15), ("6011", 16), ("4", 19))
IBAN_LAYOUTS = {"GB": "AAAA" + "9" * 14, "DE": "9" * 18, "NL": "AAAA" + "9" * 10, "FR": "9" * 23, "ES": "9" * 20}
BANK_CODES = ("WEST", "NWBK", "BARC", "MIDL", "ABNA", "RABO", "INGB")


# --- values -------------------------------------------------------------------------------------


def digits(rng: random.Random, count: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(count))


def luhn_digit(payload: str) -> str:
    """The check digit that makes payload + digit Luhn-valid."""
    total = 0
    for index, char in enumerate(reversed(payload)):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return str(-total % 10)


def luhn_valid(number: str) -> bool:
    return luhn_digit(number[:-1]) == number[-1]


def not_luhn(number: str) -> str:
    """number itself when it fails Luhn, else with its last digit changed so that it does."""
    return number if not luhn_valid(number) else number[:-1] + str((int(number[-1]) + 1) % 10)


def email(rng: random.Random) -> str:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    local = rng.choice((f"{first}.{last}", f"{first[0]}{last}", f"{first}+news", f"{last}{rng.randint(1, 99)}"))
    return f"{local}@{rng.choice(('example.com', 'example.org', 'mail.example.com'))}"


def ipv4(rng: random.Random) -> str:
    return f"{rng.choice(('192.0.2', '198.51.100', '203.0.113'))}.{rng.randint(1, 254)}"


def ipv6(rng: random.Random) -> str:
    groups = [f"{rng.getrandbits(16):x}" for _ in range(6)]
    shape = rng.randrange(3)
    if shape == 0:
        return "2001:db8:" + ":".join(groups)
    if shape == 1:
        return f"2001:db8:{groups[0]}::{groups[1]}"
    return f"2001:db8:{groups[0]}:{groups[1]}::{groups[2]}:{groups[3]}"


def client_ip(rng: random.Random) -> str:
    return ipv4(rng) if rng.random() < 0.6 else ipv6(rng)


def card(rng: random.Random) -> str:
    if rng.random() < 0.4:
        number = rng.choice(TEST_CARDS)
    else:
        prefix, length = rng.choice(CARD_PREFIXES)
        payload = prefix + digits(rng, length - len(prefix) - 1)
        number = payload + luhn_digit(payload)
    separator = rng.choice(("", " ", "-"))
    return separator.join(number[i : i + 4] for i in range(0, len(number), 4))


def iban(rng: random.Random) -> str:
    if rng.random() < 0.2:
        value = "GB82WEST12345698765432"
    else:
        country, layout = rng.choice(list(IBAN_LAYOUTS.items()))
        bban = rng.choice(BANK_CODES) + digits(rng, len(layout) - 4) if layout[0] == "A" else digits(rng, len(layout))
        numeric = "".join(str(int(char, 36)) for char in bban + country + "00")
        value = f"{country}{98 - int(numeric) % 97:02d}{bban}"
    return value if rng.random() < 0.6 else " ".join(value[i : i + 4] for i in range(0, len(value), 4))


def phone(rng: random.Random) -> str:
    shape = rng.randrange(6)
    if shape == 0:
        return f"+81 3-{digits(rng, 4)}-{digits(rng, 4)}"
    if shape == 1:
        return f"+44 20 7946 0{digits(rng, 3)}"
    if shape == 2:
        return f"+1 202-555-01{digits(rng, 2)}"
    if shape == 3:
        return f"+49 30 {digits(rng, 7)}"
    if shape == 4:
        return "+33 1 " + " ".join(digits(rng, 2) for _ in range(4))
    return f"+61 2 {digits(rng, 4)} {digits(rng, 4)}"


def mac(rng: random.Random) -> str:
    text = rng.choice((":", "-")).join(f"{rng.getrandbits(8):02x}" for _ in range(6))
    return text.upper() if rng.random() < 0.3 else text


def imei(rng: random.Random) -> str:
    payload = rng.choice(("35", "49", "86", "99")) + digits(rng, 12)
    return payload + luhn_digit(payload)


def request_id(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def epoch_ms(rng: random.Random) -> str:
    return not_luhn(str(rng.randint(1_700_000_000_000, 1_720_000_000_000)))


def order_id(rng: random.Random) -> str:
    return not_luhn(str(rng.randint(10**12, 10**16)))


# --- lines with personal data ------------------------------------------------------------------


def request_path(rng: random.Random) -> str:
    address = email(rng)
    shape = rng.randrange(7)
    if shape == 0:
        return f"/login?email={address.replace('@', '%40')}&next=%2Faccount"
    if shape == 1:
        return f"/newsletter/subscribe?email={address}&src=footer"
    if shape == 2:
        return f"/account/reset?email={address}&token={rng.getrandbits(64):016x}"
    if shape == 3:
        return f"/products/{rng.randint(1000, 99999)}?ref=home"
    if shape == 4:
        return f"/api/v1/cart/{request_id(rng)}"
    if shape == 5:
        return f"/static/js/bundle-7.3.1.{rng.randint(1, 40)}.js"
    return f"/search?q=running+shoes&page={rng.randint(1, 20)}"


def apache_line(rng: random.Random) -> Line:
    method = "POST" if rng.random() < 0.2 else "GET"
    status = rng.choice((200, 200, 200, 302, 304, 404, 500))
    referer = rng.choice(("-", "https://www.example.org/", f"https://shop.example.com/c/{rng.randint(1, 300)}"))
    tail = (
        f'] "{method} {request_path(rng)} HTTP/1.1" {status} {rng.randint(200, 90000)} '
        f'"{referer}" "{rng.choice(USER_AGENTS)}"\n'
    )
    return f"{client_ip(rng)} - - [", "apache", tail


def json_line(rng: random.Random) -> Line:
    event = rng.choice(("user.login", "user.signup", "checkout.completed", "password.reset"))
    extra = f',"card":"{card(rng)}"' if event == "checkout.completed" else ""
    tail = (
        f'","level":"info","event":"{event}","email":"{email(rng)}","client_ip":"{client_ip(rng)}"{extra},'
        f'"request_id":"{request_id(rng)}","duration_ms":{rng.uniform(1, 900):.1f}}}\n'
    )
    return '{"ts":"', "iso", tail


def payment_line(rng: random.Random) -> Line:
    tail = (
        f" INFO [pay-worker-{rng.randint(1, 8)}] payments - charge ok card={card(rng)} "
        f"amount={rng.uniform(5, 500):.2f} EUR order_id=ORD-{order_id(rng)} client_ip={ipv4(rng)}\n"
    )
    return "", "iso", tail


def iban_line(rng: random.Random) -> Line:
    name = f"{rng.choice(FIRST_NAMES).title()} {rng.choice(LAST_NAMES).title()}"
    tail = f' INFO [sepa] mandate created iban={iban(rng)} holder="{name}" email={email(rng)}\n'
    return "", "iso", tail


def phone_line(rng: random.Random) -> Line:
    tail = f" WARN [sms-gateway] delivery failed to={phone(rng)} attempt={rng.randint(1, 5)} code=30003\n"
    return "", "iso", tail


def mac_line(rng: random.Random) -> Line:
    tail = f" gw01 dhcpd[812]: DHCPACK on {ipv4(rng)} to {mac(rng)} (laptop-{rng.randint(1, 400)}) via eth0\n"
    return "", "syslog", tail


def imei_line(rng: random.Random) -> Line:
    tail = f" INFO [mdm] device enrolled imei={imei(rng)} user={email(rng)} os=Android 14\n"
    return "", "iso", tail


def sshd_line(rng: random.Random) -> Line:
    pid, port = rng.randint(1000, 65000), rng.choice((22, rng.randint(30000, 65000)))
    shape = rng.randrange(3)
    if shape == 0:
        message = (
            f"Failed password for {rng.choice(('root', 'admin', 'deploy'))} from {client_ip(rng)} port {port} ssh2"
        )
    elif shape == 1:
        message = f"Accepted publickey for deploy from {client_ip(rng)} port {port} ssh2: ED25519 SHA256:x3Jk9"
    else:
        message = f"Invalid user oracle from {ipv4(rng)} port {port}"
    return "", "syslog", f" bastion sshd[{pid}]: {message}\n"


PERSONAL_MAKERS: tuple[Maker, ...] = (
    apache_line,
    apache_line,
    apache_line,
    json_line,
    json_line,
    payment_line,
    iban_line,
    phone_line,
    mac_line,
    imei_line,
    sshd_line,
)


# --- lines without personal data (decoys) ------------------------------------------------------


def app_line(rng: random.Random) -> Line:
    tail = (
        f" INFO [http-nio-8080-exec-{rng.randint(1, 200)}] c.e.shop.OrderController - order_id={order_id(rng)} "
        f"status=SHIPPED request_id={request_id(rng)} duration_ms={rng.uniform(0.5, 2500):.1f}\n"
    )
    return "", "iso", tail


def asset_line(rng: random.Random) -> Line:
    tail = (
        f" DEBUG [static] GET /assets/bundle-7.3.1.{rng.randint(1, 40)}.js 200 {rng.randint(900, 400000)}B "
        f'{rng.randint(1, 90)}ms ua="Mozilla/5.0 (Windows; U; Windows NT 5.1; en-US; rv:1.8.1.4) Gecko/20070515 '
        'Firefox/2.0.0.4"\n'
    )
    return "", "iso", tail


def metrics_line(rng: random.Random) -> Line:
    tail = (
        f" INFO [metrics] cache=product hits={rng.randint(0, 10**6)} misses={rng.randint(0, 10**4)} "
        f"ratio={rng.random():.4f} heap_used_mb={rng.randint(100, 4000)} gc_pause_ms={rng.uniform(0, 80):.2f}\n"
    )
    return "", "iso", tail


def job_line(rng: random.Random) -> Line:
    elapsed = f"{rng.randint(0, 3):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}.{rng.randint(0, 999):03d}"
    tail = (
        f" INFO [scheduler] job=nightly-export run_id={request_id(rng)} rows={rng.randint(0, 10**7)} "
        f"elapsed={elapsed} next_run_epoch_ms={epoch_ms(rng)}\n"
    )
    return "", "iso", tail


def boot_line(rng: random.Random) -> Line:
    version = ".".join(str(rng.randint(0, 20)) for _ in range(4))
    tail = (
        f" INFO [boot] starting shop-api version={version} build=20240301.{rng.randint(1, 99)} "
        f"git={rng.getrandbits(28):07x} python=3.11.7 kernel=6.1.0-18-amd64\n"
    )
    return "", "iso", tail


def consumer_line(rng: random.Random) -> Line:
    tail = (
        f" INFO [consumer-{rng.randint(1, 6)}] topic=orders partition={rng.randint(0, 11)} "
        f"offset={rng.randint(10**6, 10**10)} lag={rng.randint(0, 500)} event_ts={epoch_ms(rng)} "
        f"key=order-{order_id(rng)}\n"
    )
    return "", "iso", tail


def catalog_line(rng: random.Random) -> Line:
    sku = "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(2)) + digits(rng, 2)
    sku += "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789") for _ in range(12))
    tail = (
        f" INFO [catalog] reindexed sku={sku} price={rng.uniform(1, 300):.2f} currency=EUR "
        f"stock={rng.randint(0, 900)} tz=+05:30\n"
    )
    return "", "iso", tail


def retry_line(rng: random.Random) -> Line:
    tail = (
        f" ERROR [worker-{rng.randint(1, 16)}] RetryableException: timeout after 30000 ms "
        f"(attempt {rng.randint(1, 5)}/5) upstream=inventory-svc:8443 trace={rng.getrandbits(128):032x}\n"
    )
    return "", "iso", tail


def cron_line(rng: random.Random) -> Line:
    tail = f" web01 CRON[{rng.randint(1000, 65000)}]: (root) CMD (run-parts /etc/cron.hourly)\n"
    return "", "syslog", tail


CLEAN_MAKERS: tuple[Maker, ...] = (
    app_line,
    app_line,
    app_line,
    asset_line,
    metrics_line,
    job_line,
    boot_line,
    consumer_line,
    consumer_line,
    catalog_line,
    retry_line,
    cron_line,
)


# --- access variant: a combined access log with realistic repeats ----------------------------------

ACCESS_CLIENTS = 400  # distinct client addresses
ACCESS_PATHS = 600  # distinct request paths (with their query strings)


def site_values(rng: random.Random) -> tuple[list[str], list[float], list[str]]:
    """Clients (with long-tail weights) and paths a site's log repeats, as in the access variant."""
    clients = [client_ip(rng) for _ in range(ACCESS_CLIENTS)]
    client_weights = [1 / (rank + 1) for rank in range(ACCESS_CLIENTS)]
    paths = [request_path(rng) for _ in range(ACCESS_PATHS)]
    return clients, client_weights, paths


def access_pool(rng: random.Random) -> list[Line]:
    """Access-log lines whose clients, paths, referers and agents repeat as in a real site's log:
    clients drawn with a long tail (a few busy ones), paths from a fixed set, a handful of agents."""
    clients, client_weights, paths = site_values(rng)
    pool = []
    for _ in range(POOL_SIZE):
        client = rng.choices(clients, weights=client_weights)[0]
        method = "POST" if rng.random() < 0.1 else "GET"
        status = rng.choice((200, 200, 200, 200, 302, 304, 404))
        referer = rng.choice(("-", "-", "https://www.example.org/", f"https://shop.example.com/c/{rng.randint(1, 30)}"))
        tail = (
            f'] "{method} {rng.choice(paths)} HTTP/1.1" {status} {rng.randint(200, 90000)} '
            f'"{referer}" "{rng.choice(USER_AGENTS)}"\n'
        )
        pool.append((f"{client} - - [", "apache", tail))
    return pool


# --- W3C extended (IIS) and Zeek http logs: positional columns named by a header line ------------
# The same repeats as the access variant (a few hundred clients with a long tail, a few hundred
# paths, a handful of agents), in the columns IIS and Zeek write by default. IIS writes a space in
# a value as `+` and an unset value as `-`; Zeek separates values by tabs, writes `-` for unset
# and `(empty)` for an empty set, and gives each connection a uid.

W3C_FIELDS = (
    "date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) "
    "sc-status sc-substatus sc-win32-status time-taken"
)
W3C_HEADER = (
    "#Software: Microsoft Internet Information Services 10.0\n#Version: 1.0\n"
    f"#Date: 2024-03-01 00:00:00\n#Fields: {W3C_FIELDS}\n"
)
W3C_DOMAIN_USERS = ("SHOP\\svc-reports", "SHOP\\jsmith", "SHOP\\a.tanaka")
ZEEK_FIELDS = (
    ("ts", "time"),
    ("uid", "string"),
    ("id.orig_h", "addr"),
    ("id.orig_p", "port"),
    ("id.resp_h", "addr"),
    ("id.resp_p", "port"),
    ("trans_depth", "count"),
    ("method", "string"),
    ("host", "string"),
    ("uri", "string"),
    ("referrer", "string"),
    ("version", "string"),
    ("user_agent", "string"),
    ("origin", "string"),
    ("request_body_len", "count"),
    ("response_body_len", "count"),
    ("status_code", "count"),
    ("status_msg", "string"),
    ("info_code", "count"),
    ("info_msg", "string"),
    ("tags", "set[enum]"),
    ("username", "string"),
    ("password", "string"),
    ("proxied", "set[string]"),
    ("orig_fuids", "vector[string]"),
    ("orig_filenames", "vector[string]"),
    ("orig_mime_types", "vector[string]"),
    ("resp_fuids", "vector[string]"),
    ("resp_filenames", "vector[string]"),
    ("resp_mime_types", "vector[string]"),
)
ZEEK_HEADER = (
    "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\thttp\n"
    "#open\t2024-03-01-00-00-00\n"
    "#fields\t" + "\t".join(name for name, _ in ZEEK_FIELDS) + "\n"
    "#types\t" + "\t".join(kind for _, kind in ZEEK_FIELDS) + "\n"
)
ZEEK_UID_CHARACTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
HEADERS = {"w3c": W3C_HEADER, "zeek": ZEEK_HEADER}  # written once, at the top of the file
STATUS_MESSAGES = {200: "OK", 302: "Found", 304: "Not Modified", 404: "Not Found"}


def w3c_pool(rng: random.Random) -> list[Line]:
    """IIS lines (`#Fields:` as W3C_FIELDS): the stem and query of a path in two columns, the
    user name mostly `-`, agents and referers with `+` for spaces."""
    clients, client_weights, paths = site_values(rng)
    pool = []
    for _ in range(POOL_SIZE):
        stem, _, query = rng.choice(paths).partition("?")
        user = "-" if rng.random() < 0.9 else rng.choice((*W3C_DOMAIN_USERS, email(rng)))
        referer = rng.choice(("-", "-", "https://www.example.org/", f"https://shop.example.com/c/{rng.randint(1, 30)}"))
        status = rng.choice((200, 200, 200, 200, 302, 304, 404))
        tail = (
            f" 192.0.2.{rng.choice((10, 11))} {'POST' if rng.random() < 0.1 else 'GET'} {stem} {query or '-'} 443 "
            f"{user} {rng.choices(clients, weights=client_weights)[0]} {rng.choice(USER_AGENTS).replace(' ', '+')} "
            f"{referer} {status} 0 0 {rng.randint(1, 900)}\n"
        )
        pool.append(("", "w3c", tail))
    return pool


def zeek_uid(rng: random.Random) -> str:
    return "C" + "".join(rng.choices(ZEEK_UID_CHARACTERS, k=17))


def zeek_connection(rng: random.Random) -> str:
    """What Zeek writes new on every line, after the timestamp's whole seconds: its microseconds
    and the connection's uid (drawn per line, not from the pool: no two connections share one)."""
    return f".{rng.randrange(1_000_000):06d}\t{zeek_uid(rng)}"


def zeek_pool(rng: random.Random) -> list[Line]:
    """Zeek http.log lines (`#fields` as ZEEK_FIELDS) from the id.orig_h column on (the timestamp's
    fraction and the uid are drawn per line by `zeek_connection`): the site's clients, paths and
    agents, an ephemeral port, unset values `-` and empty sets `(empty)`."""
    clients, client_weights, paths = site_values(rng)
    pool = []
    for _ in range(POOL_SIZE):
        status = rng.choice((200, 200, 200, 200, 302, 304, 404))
        referer = rng.choice(("-", "-", "https://www.example.org/", f"https://shop.example.com/c/{rng.randint(1, 30)}"))
        user = "-" if rng.random() < 0.95 else email(rng)
        mime = rng.choice(("text/html", "application/json", "application/javascript", "image/png"))
        values = (
            rng.choices(clients, weights=client_weights)[0],
            str(rng.randint(32768, 60999)),
            f"192.0.2.{rng.choice((10, 11))}",
            "443",
            str(rng.randint(1, 4)),
            "POST" if rng.random() < 0.1 else "GET",
            "shop.example.com",
            rng.choice(paths),
            referer,
            "1.1",
            rng.choice(USER_AGENTS),
            "-",
            "0",
            str(rng.randint(200, 90000)),
            str(status),
            STATUS_MESSAGES[status],
            "-",
            "-",
            "(empty)",
            user,
            "-",
            "-",
            "-",
            "-",
            "-",
            "F" + zeek_uid(rng)[1:] if status == 200 else "-",
            "-",
            mime if status == 200 else "-",
        )
        pool.append(("", "epoch", "\t" + "\t".join(values) + "\n"))  # after the timestamp and uid
    return pool


PER_LINE = {"zeek": zeek_connection}  # variants with values drawn for every line, not from the pool


# --- JSON application log (variant json) --------------------------------------------------------
# One JSON object per line, as structured loggers write them (timestamp, level, logger, request
# and trace ids, nested objects): about one line in four names a user (e-mail, IP, a name, some
# with non-ASCII letters), the rest are requests, queries and cache lines without personal data;
# some messages hold escaped quotes, some lines arrays, nulls and numbers. Non-ASCII letters are
# written as `\u` escapes, as Python's `json` writes them: ripgrep's `\b` reads a file holding
# UTF-8 letters about 35 times slower, which would flatter the ratio.

JSON_NAMES = ("Aiko Sato", "Jan Kowalski", "Zoë Müller", "Søren Dahl", "佐藤 花子", "Priya Sharma", "Émile Dubois")
JSON_PATHS = ("/api/v1/products/{n}", "/api/v1/cart/{n}/items", "/api/v1/orders/{n}", "/healthz", "/api/v1/search")


def json_app_line(fields: str) -> Line:
    return '{"ts":"', "iso", f'",{fields}}}\n'


def json_request_line(rng: random.Random) -> Line:
    path = rng.choice(JSON_PATHS).format(n=rng.randint(1, 99999))
    user = "null" if rng.random() < 0.7 else f'{{"id":{rng.randint(1, 10**6)},"ip":"{client_ip(rng)}"}}'
    return json_app_line(
        f'"level":"info","logger":"shop.http","msg":"request completed","request_id":"{request_id(rng)}",'
        f'"trace_id":"{rng.getrandbits(128):032x}","http":{{"method":"{rng.choice(("GET", "GET", "POST"))}",'
        f'"path":"{path}","status":{rng.choice((200, 200, 201, 304, 404))},'
        f'"duration_ms":{rng.uniform(0.5, 900):.1f}}},"user":{user}'
    )


def json_login_line(rng: random.Random) -> Line:
    roles = '"customer","beta"' if rng.random() < 0.3 else '"customer"'
    return json_app_line(
        f'"level":"info","logger":"shop.auth","msg":"login succeeded","request_id":"{request_id(rng)}",'
        f'"user":{{"id":{rng.randint(1, 10**6)},"name":{json.dumps(rng.choice(JSON_NAMES))},"email":"{email(rng)}",'
        f'"roles":[{roles}]}},'
        f'"client":{{"ip":"{client_ip(rng)}","user_agent":"{rng.choice(USER_AGENTS)}"}},'
        f'"mfa":{str(rng.random() < 0.4).lower()}'
    )


def json_query_line(rng: random.Random) -> Line:
    return json_app_line(
        f'"level":"debug","logger":"shop.db","msg":"query","request_id":"{request_id(rng)}",'
        f'"db":{{"statement":"SELECT id, sku, price FROM products WHERE id = $1","rows":{rng.randint(0, 40)},'
        f'"duration_ms":{rng.uniform(0.1, 80):.2f},"pool":{{"size":20,"idle":{rng.randint(0, 20)}}}}}'
    )


def json_cache_line(rng: random.Random) -> Line:
    return json_app_line(
        f'"level":"debug","logger":"shop.cache","msg":"{rng.choice(("cache hit", "cache miss"))}",'
        f'"key":"product:{rng.randint(1, 99999)}","ttl_s":{rng.choice((60, 300, 3600))},"tags":["catalog","v2"]'
    )


def json_order_line(rng: random.Random) -> Line:
    return json_app_line(
        f'"level":"info","logger":"shop.orders","msg":"order placed","request_id":"{request_id(rng)}",'
        f'"order":{{"id":"ORD-{order_id(rng)}","total":{rng.uniform(5, 500):.2f},"currency":"EUR",'
        f'"items":[{{"sku":"SKU-{rng.randint(1, 9999)}","qty":{rng.randint(1, 4)}}}]}},'
        f'"customer":{{"email":"{email(rng)}","phone":"{phone(rng)}"}},"coupon":null'
    )


def json_error_line(rng: random.Random) -> Line:
    return json_app_line(
        f'"level":"error","logger":"shop.upstream","msg":"inventory-svc said \\"timeout after 30000 ms\\"",'
        f'"request_id":"{request_id(rng)}","error":{{"type":"TimeoutError","attempt":{rng.randint(1, 5)},'
        f'"stack":["inventory.py:{rng.randint(10, 400)}","http.py:88"]}}'
    )


JSON_APP_MAKERS: tuple[Maker, ...] = (
    json_request_line,
    json_request_line,
    json_request_line,
    json_request_line,
    json_login_line,
    json_query_line,
    json_query_line,
    json_cache_line,
    json_cache_line,
    json_order_line,
    json_error_line,
)


# --- generation --------------------------------------------------------------------------------


def build_pool(variant: str, rng: random.Random) -> list[Line]:
    """Pre-generated lines; sampling uniformly from the sparse pool gives 1 personal line in SPARSE_EVERY."""
    if variant == "access":
        return access_pool(rng)
    if variant == "w3c":
        return w3c_pool(rng)
    if variant == "zeek":
        return zeek_pool(rng)
    if variant == "json":
        return [rng.choice(JSON_APP_MAKERS)(rng) for _ in range(POOL_SIZE)]
    if variant == "dense":
        personal, clean = POOL_SIZE, POOL_SIZE // 25
    else:
        personal, clean = POOL_SIZE // SPARSE_EVERY, POOL_SIZE - POOL_SIZE // SPARSE_EVERY
    pool = [rng.choice(PERSONAL_MAKERS)(rng) for _ in range(personal)]
    pool += [rng.choice(CLEAN_MAKERS)(rng) for _ in range(clean)]
    return pool


def stamps(epoch: float) -> dict[str, str]:
    moment = time.gmtime(epoch)
    return {
        "apache": time.strftime("%d/%b/%Y:%H:%M:%S +0000", moment),
        "iso": time.strftime("%Y-%m-%dT%H:%M:%S", moment) + f".{int(epoch * 1000) % 1000:03d}Z",
        "syslog": time.strftime("%b ", moment) + f"{moment.tm_mday:2d} " + time.strftime("%H:%M:%S", moment),
        "w3c": time.strftime("%Y-%m-%d %H:%M:%S", moment),
        "epoch": str(int(epoch)),  # Zeek's whole seconds; the line's tail holds the microseconds
    }


def render_batch(
    pool: list[Line], rng: random.Random, clock: float, per_line: Callable[[random.Random], str] | None = None
) -> tuple[bytes, float]:
    """Lines drawn from the pool, TICK to a timestamp; `per_line` writes what no two lines share
    just after the timestamp."""
    parts: list[str] = []
    for _ in range(BATCH_LINES // TICK):
        now = stamps(clock)
        clock += rng.uniform(0.0, 0.5)
        lines = rng.choices(pool, k=TICK)
        if per_line is None:
            parts.extend(head + now[kind] + tail for head, kind, tail in lines)
        else:
            parts.extend(head + now[kind] + per_line(rng) + tail for head, kind, tail in lines)
    return "".join(parts).encode("utf-8"), clock


def write_log(path: Path, variant: str, size: int, seed: int) -> None:
    """Write about size bytes (cut at the first line end past size), atomically through a .part file."""
    rng = random.Random(f"{seed}-{variant}")
    pool = build_pool(variant, rng)
    clock, written = START_EPOCH, 0
    partial = path.with_name(path.name + ".part")
    with partial.open("wb") as out:
        header = HEADERS.get(variant, "").encode("utf-8")
        out.write(header)
        written += len(header)
        while written < size:
            data, clock = render_batch(pool, rng, clock, PER_LINE.get(variant))
            if written + len(data) > size:
                data = data[: data.index(b"\n", size - written - 1) + 1]
            out.write(data)
            written += len(data)
    partial.replace(path)


def ensure_log(workdir: Path, variant: str, size: int, seed: int) -> Path:
    path = workdir / f"logs-{variant}-{size}-seed{seed}-v{GENERATOR_VERSION}.log"
    if path.exists():
        print(f"reusing {path}")
        return path
    started = time.perf_counter()
    write_log(path, variant, size, seed)
    seconds = time.perf_counter() - started
    print(f"generated {path} ({path.stat().st_size / MB:.1f} MB in {seconds:.1f} s)")
    return path


# --- measurement -------------------------------------------------------------------------------


@dataclass
class Timing:
    seconds: float | None = None  # best wall time; None when not measured
    cpu_seconds: float | None = None  # best user + system time of the process and the children it reaped
    peak_rss_mb: float | None = None
    failure: str = ""

    def best(self, seconds: float, cpu_seconds: float) -> None:
        self.seconds = seconds if self.seconds is None else min(self.seconds, seconds)
        self.cpu_seconds = cpu_seconds if self.cpu_seconds is None else min(self.cpu_seconds, cpu_seconds)


def time_rg(path: Path, repeat: int) -> Timing:
    rg = shutil.which("rg")
    if rg is None:
        banner = "!" * 100
        print(f"\n{banner}\n!!! ripgrep (rg) is not installed (apt-get install ripgrep): no ratio to rg.\n{banner}")
        return Timing(failure="rg not installed")
    command = [rg, "--no-config", "-j1", "--count-matches"]
    for pattern in RG_PATTERNS.values():
        command += ["-e", pattern]
    command.append(str(path))
    timing = Timing()
    for _ in range(repeat):
        code, seconds, cpu_seconds, _, stderr = run_child(command, path.parent)
        if code not in (0, 1):  # 1: no match
            print(f"rg failed (exit {code}):\n{stderr}")
            return Timing(failure=f"rg exit {code}")
        timing.best(seconds, cpu_seconds)
    return timing


def run_child(command: list[str], cwd: Path) -> tuple[int, float, float, float, str]:
    """Exit code, wall seconds, CPU seconds (user + system, its reaped children included), peak RSS
    in MB (ru_maxrss via os.wait4) and stderr of one child. CPU time is what a shared machine
    disturbs least."""
    with tempfile.TemporaryFile(mode="w+") as errors:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        errors.seek(0)
        cpu_seconds = usage.ru_utime + usage.ru_stime
        return process.returncode, seconds, cpu_seconds, usage.ru_maxrss / 1024, errors.read()


def time_pdscan(python: str, path: Path, jobs: int, repeat: int, workdir: Path) -> Timing:
    report = workdir / f"pdscan-{path.stem}-jobs{jobs}.json"
    command = [python, "-m", "pdscan", "scan", str(path), "--format", "json", "--output", str(report)]
    command += ["--quiet", "--fail-on", "never", "--jobs", str(jobs)]
    timing = Timing()
    for _ in range(repeat):
        code, seconds, cpu_seconds, rss_mb, stderr = run_child(command, workdir)
        if code != 0:
            tail = "\n".join(stderr.strip().splitlines()[-25:])
            print(f"\npdscan --jobs {jobs} failed (exit {code}): {' '.join(command)}\n{tail}\n")
            return Timing(failure=f"failed (exit {code})")
        timing.best(seconds, cpu_seconds)
        timing.peak_rss_mb = max(timing.peak_rss_mb or 0.0, rss_mb)
    return timing


# --- report ------------------------------------------------------------------------------------


def speed(size_mb: float, timing: Timing) -> float | None:
    return None if timing.seconds is None else size_mb / timing.seconds


def cpu_speed(size_mb: float, timing: Timing) -> float | None:
    """MB per CPU second: per core busy, whatever else the machine runs."""
    return None if not timing.cpu_seconds else size_mb / timing.cpu_seconds


def speeds(size_mb: float, timing: Timing) -> str:
    wall, cpu = speed(size_mb, timing), cpu_speed(size_mb, timing)
    if wall is None or cpu is None or timing.cpu_seconds is None:
        return timing.failure
    return f"{wall:.1f} MB/s wall, {cpu:.1f} MB/s CPU ({timing.cpu_seconds:.1f} s)"


def verdict(ok: bool | None) -> str:
    return "" if ok is None else ("ok" if ok else "MISS")


def row(label: str, value: str, target: str = "", ok: bool | None = None) -> None:
    print(f"  {label:26} {value:>26}   {target:36} {verdict(ok)}".rstrip())


def report(variant: str, path: Path, rg: Timing, runs: dict[int, Timing]) -> None:
    size_mb = path.stat().st_size / MB
    rg_speed = speed(size_mb, rg)
    one = speed(size_mb, runs[1])
    print(f"\n== {variant}: {size_mb:.1f} MB  {path}")
    row("measure", "measured", "target")
    row("ripgrep -j1, 7 patterns", speeds(size_mb, rg) if rg_speed else f"skipped ({rg.failure})")
    for jobs, timing in runs.items():
        rate = speed(size_mb, timing)
        row(f"pdscan --jobs {jobs}", f"{speeds(size_mb, timing)} ({rate / jobs:.1f}/core)" if rate else timing.failure)
        if jobs == 1:
            report_ratio(variant, one, rg_speed)
            report_ratio(variant, cpu_speed(size_mb, timing), cpu_speed(size_mb, rg), "by CPU time")
        elif rate and one:
            goal = TARGET_SPEEDUP if jobs == 2 else None
            target = f">= {goal}x" if goal else ""
            row(
                f"speed-up 1 -> {jobs} jobs", f"{rate / one:.2f}x", target, None if goal is None else rate / one >= goal
            )
    report_memory(size_mb, runs)


def report_ratio(variant: str, one: float | None, rg_speed: float | None, by: str = "by wall time") -> None:
    goal = TARGET_RATIO[variant]
    label = f"1 job / rg {by}"
    if one is None or rg_speed is None:
        row(label, "n/a", f">= {goal}x")
        return
    row(label, f"{one / rg_speed:.3f}x", f">= {goal}x", one / rg_speed >= goal)


def report_memory(size_mb: float, runs: dict[int, Timing]) -> None:
    full = size_mb >= RSS_TARGET_FILE_MB * 0.95
    target = f"< {TARGET_RSS_MB:.0f} MB on a 1 GB file" + ("" if full else " (--size 1G)")
    for jobs, timing in runs.items():
        if timing.peak_rss_mb is not None:
            ok = timing.peak_rss_mb < TARGET_RSS_MB if full else None
            row(f"peak RSS --jobs {jobs}", f"{timing.peak_rss_mb:.1f} MB", target, ok)


# --- command line ------------------------------------------------------------------------------


def parse_size(text: str) -> int:
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMG]?)B?\s*", text, flags=re.IGNORECASE)
    if match is None or float(match[1]) <= 0:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (e.g. 200M, 1G, 500K)")
    return int(float(match[1]) * UNITS[match[2].upper()])


def default_python() -> str:
    venv = REPO / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=parse_size, default=200 * MB, help="log file size, e.g. 200M, 1G (decimal)")
    parser.add_argument("--variant", choices=(*VARIANTS, "both", "all"), default="both", help="both: dense and sparse")
    parser.add_argument(
        "--jobs", type=int, nargs="+", action="extend", help="job counts to run, e.g. --jobs 1 2 (default 1, 2, CPUs)"
    )
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "pdscan-bench-logs")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the best wall time counts")
    parser.add_argument("--seed", type=int, default=20240301)
    parser.add_argument("--python", default=default_python(), help="interpreter that runs `-m pdscan`")
    arguments = parser.parse_args()
    if arguments.repeat < 1:
        parser.error("--repeat must be at least 1")
    return arguments


def compile_bytecode(python: str) -> None:
    """pdscan's modules compiled to bytecode, as installing a wheel leaves them: an editable
    checkout run with PYTHONDONTWRITEBYTECODE set (as CI machines often are) would otherwise
    compile every module again at each run, some 0.2 s of each measurement."""
    result = subprocess.run([python, "-m", "compileall", "-q", str(REPO / "pdscan")], capture_output=True, text=True)
    compiled = result.returncode == 0
    print("bytecode compiled (as a wheel installs it)" if compiled else f"compileall failed: {result.stderr}")


def job_counts() -> list[int]:
    cores = os.cpu_count() or 1
    return [1, 2] + ([cores] if cores > 2 else [])


def main() -> None:
    arguments = parse_arguments()
    arguments.workdir.mkdir(parents=True, exist_ok=True)
    chosen = {"both": ("dense", "sparse"), "all": VARIANTS}
    variants = chosen.get(arguments.variant, (arguments.variant,))
    print(f"python {arguments.python}; {os.cpu_count()} CPUs; best of {arguments.repeat}")
    compile_bytecode(arguments.python)
    for variant in variants:
        path = ensure_log(arguments.workdir, variant, arguments.size, arguments.seed)
        rg = time_rg(path, arguments.repeat)
        runs = {
            jobs: time_pdscan(arguments.python, path, jobs, arguments.repeat, arguments.workdir)
            for jobs in arguments.jobs or job_counts()
        }
        report(variant, path, rg, runs)


if __name__ == "__main__":
    main()
