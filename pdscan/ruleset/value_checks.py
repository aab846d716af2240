"""Checks on a value whose field name already says what it is (rules/logs.yaml `value:`).

A key is strong evidence but not proof: `"location": "https://…"` is a redirect, not a
place, and `"dob": true` is a flag. Each check answers whether this value can be what the key
says, and host values say whether they are an address or a host name.
"""

from __future__ import annotations

import ipaddress
import re
import urllib.parse
from collections.abc import Callable

import phonenumbers

from pdscan.ruleset.validators import DOMAIN_LABEL, card_number, ip_host_name

HOST_NAME = "user.device.host_name"
IP_ADDRESS = "user.device.ip_address"
PERSON_NAME = "user.name"
_DATE = re.compile(
    r"(?:19|20)\d\d[-/.](?:0?[1-9]|1[0-2])[-/.](?:0?[1-9]|[12]\d|3[01])(?:[T ].*)?"
    r"|(?:0?[1-9]|[12]\d|3[01])[-/.](?:0?[1-9]|1[0-2])[-/.](?:19|20)\d\d"
    r"|(?:0?[1-9]|1[0-2])/(?:0?[1-9]|[12]\d|3[01])/(?:19|20)\d\d"
    r"|(?:19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
    r"|(?:19|20)\d\d年\d{1,2}月\d{1,2}日"
)
_NUMBER = re.compile(r"[-+]?\d{1,3}(?:\.\d+)?")
_TOKEN = re.compile(r"[\x21-\x7e]{6,}")
_DEVICE_ID = re.compile(r"[0-9A-Za-z][0-9A-Za-z:._-]{6,}[0-9A-Za-z]")
_LOGIN = re.compile(r"[^\s\"'<>;]{1,64}")
_ALL_ZERO_ID = re.compile(r"[0:.-]+")
# Letters and digits in groups, as documents print them: `TX1234567`, `4509 123456`, `AB12345678CD`
_DOCUMENT_NUMBER = re.compile(r"[0-9A-Za-z]+(?:[ ./-][0-9A-Za-z]+)*")
_DOCUMENT_CHARACTERS = (6, 20)  # letters and digits, separators aside
_DOCUMENT_DIGITS = 4  # every passport, licence and national number holds at least these
_MY_NUMBER = re.compile(r"\d{12}|\d{4}([ -])\d{4}\1\d{4}")
_MY_NUMBER_WEIGHTS = (6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
# Where a national number after a phone word may be from, the default region aside.
_NEAR_WORD_REGIONS = ("US", "GB", "DE", "FR", "IN", "IL", "RU", "CN", "KR", "AU", "BR")
_DATE_IN_NUMBER = re.compile(r"(?:19|20)\d\d-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])")
_POSTAL_CODE = re.compile(r"[0-9A-Za-z]{2,5}(?:[ -][0-9A-Za-z]{2,5})?")
_SSN = re.compile(r"(\d{3})(-?)(\d{2})\2(\d{4})")
# A session id a program prints as a number (`sessionid:0x14ed93111f20027`, logind's `session=12`,
# Windows servicing's `Session: 30546173_4261722401`): a service's connection or an operating
# system's session, never a web cookie, whose value is random text.
_PROGRAM_SESSION = re.compile(r"0x[0-9A-Fa-f]+|\d+(?:[_.:-]\d+)*")
# A secret's value: one run of printable characters; a path (`PWD=/home/alice` in sudo lines is
# the working directory) or a flag is none.
_SECRET = re.compile(r"[^\s/~.][\x21-\x7e]{3,}")
_FLAGS = frozenset({"true", "false", "yes", "no", "on", "off", "set", "required", "enabled", "disabled"})
# What programs print where a secret could stand: an object (`android.os.BinderProxy@2bd79ce`,
# Java's `toString()`) or a type's name (`token=Token{a64f992 …}`), not a value.
_NOT_A_SECRET = re.compile(r"(?:[A-Za-z_$][\w$]*\.)*[A-Za-z_$][\w$]*@[0-9a-f]+|[A-Z][a-z]*(?:[A-Z][a-z]*)*")
# A written person's name: two to four capitalised words (an initial may stand between), or a
# CJK name of two to four ideographs, or kana.
_NAME_WORD = re.compile(r"[^\W\d_](?:['\u2019-]?[^\W\d_])*")
_INITIAL = re.compile(r"[^\W\d_]\.")
_KANA = "[\u3040-\u309f\u30a0-\u30ff]"
_CJK_NAME = re.compile(rf"[\u4e00-\u9fff]{{2,4}}|{_KANA}{{2,8}}[ \u3000]?{_KANA}{{0,8}}")
# Words that name things people run, not people: a value holding one is a job, service or team.
_THING_WORDS = frozenset(
    {
        "admin",
        "agent",
        "api",
        "app",
        "application",
        "backup",
        "batch",
        "bot",
        "build",
        "cache",
        "check",
        "cleanup",
        "cluster",
        "cron",
        "daemon",
        "daily",
        "database",
        "default",
        "deploy",
        "export",
        "gateway",
        "group",
        "hourly",
        "import",
        "job",
        "manager",
        "monitor",
        "nightly",
        "node",
        "pipeline",
        "process",
        "proxy",
        "queue",
        "release",
        "report",
        "scheduler",
        "server",
        "service",
        "sync",
        "system",
        "task",
        "team",
        "test",
        "update",
        "weekly",
        "worker",
        "account",
        "artifacts",
        "billing",
        "center",
        "centre",
        "cloud",
        "console",
        "core",
        "dashboard",
        "data",
        "docker",
        "engine",
        "events",
        "finance",
        "home",
        "hub",
        "image",
        "index",
        "logs",
        "mail",
        "main",
        "marketing",
        "metrics",
        "network",
        "operations",
        "platform",
        "portal",
        "registry",
        "sales",
        "security",
        "site",
        "storage",
        "store",
        "support",
        "web",
    }
)


def text(value: str, region: str) -> str | None:
    """Any real text: something more than punctuation."""
    del region
    return "" if any(character.isalnum() for character in value) else None


def token(value: str, region: str) -> str | None:
    """A cookie, session id or token: six or more printable characters."""
    del region
    return "" if _TOKEN.search(value) else None


def device_id(value: str, region: str) -> str | None:
    """An identifier: 8+ characters of hex, letters, digits and separators, not all zeros."""
    del region
    value = value.strip()
    return "" if _DEVICE_ID.fullmatch(value) and not _ALL_ZERO_ID.fullmatch(value) else None


def host(value: str, region: str) -> str | None:
    """An IP address (not loopback or unspecified) or a DNS host name with at least one dot."""
    del region
    value = value.strip().strip("[]")
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        labels = value.rstrip(".").split(".")
        if len(labels) < 2 or not labels[-1].isalpha() or not all(DOMAIN_LABEL.fullmatch(label) for label in labels):
            return None
        # a provider's or a cloud's name for one address (`c-198-51-100-7.example.net`) is the address
        return IP_ADDRESS if ip_host_name(value.rstrip(".")) else HOST_NAME
    return None if address.is_loopback or address.is_unspecified else IP_ADDRESS


def login(value: str, region: str) -> str | None:
    """A login name: one word, not a number-only id; a person's written name under a user key
    (`"user": {"name": "Hanako Yamada"}`) is a name."""
    if person_name(value, region) is not None:
        return PERSON_NAME
    return "" if _LOGIN.fullmatch(value) and not value.isdigit() else None


def authenticated_user(value: str, region: str) -> str | None:
    """The login a server authenticated: any text up to 64 characters, spaces and all, not a
    number-only id; a person's written name is a name, as under any user key."""
    if person_name(value, region) is not None:
        return PERSON_NAME
    return "" if text(value, region) is not None and len(value) <= 64 and not value.isdigit() else None


def person_name(value: str, region: str) -> str | None:
    """A person's name as people write it: `Hanako Yamada`, `Jane Q. Doe`, `Иван Петров`,
    `山田太郎`; not a job, file or service (`Nightly Backup`, `report-export`, `Invoice 2026.pdf`)."""
    del region
    value = value.strip()
    if _CJK_NAME.fullmatch(value):
        return ""
    words = value.split()
    names = [word for word in words if not _INITIAL.fullmatch(word)]
    if not 2 <= len(names) <= 4 or len(words) > 5:
        return None
    for word in names:
        if not _NAME_WORD.fullmatch(word) or not word[0].isupper() or word.isupper() or word.lower() in _THING_WORDS:
            return None
    return ""


def session_token(value: str, region: str) -> str | None:
    """A session id a person's browser or app holds: a token, not a number a program printed."""
    if _PROGRAM_SESSION.fullmatch(value.strip()):
        return None
    return token(value, region)


def device_model(value: str, region: str) -> str | None:
    """A phone's or computer's model or name (`Pixel 8`, `iPhone15,2`, `SM-G991B`), not a
    device node of the kernel (`sda1`, `eth0`, `nvme0n1`, `/dev/tty1`): those are lower case."""
    value = value.strip()
    if value.startswith("/") or not any(character.isupper() for character in value):
        return None
    return text(value, region)


def secret(value: str, region: str) -> str | None:
    """A password, one-time code or key: four or more printable characters, not a path or a flag."""
    del region
    value = value.strip()
    if not _SECRET.fullmatch(value) or value.lower() in _FLAGS or _NOT_A_SECRET.fullmatch(value):
        return None
    return ""


def card(value: str, region: str) -> str | None:
    """A payment card number: the card pattern's validator (issuer range, length, Luhn)."""
    del region
    return "" if card_number(value.strip()) else None


def postal_code(value: str, region: str) -> str | None:
    """A postal code: 3-10 letters and digits, at least two digits (`100-0001`, `SW1A 1AA`)."""
    del region
    value = value.strip()
    return "" if _POSTAL_CODE.fullmatch(value) and sum(c.isdigit() for c in value) >= 2 else None


def word(value: str, region: str) -> str | None:
    """One token after a phrase that names it (`Invalid user 0 from`): the phrase is the proof."""
    del region
    return "" if _LOGIN.fullmatch(value) else None


def phone(value: str, region: str) -> str | None:
    """A number `phonenumbers` holds valid: as written with `+`, else in the default region."""
    return "" if _valid_phone(urllib.parse.unquote(value), region) else None


def phone_near_word(value: str, region: str) -> str | None:
    """A national number after a phone word: valid in the default region or in one of the
    regions whose numbers logs of international services hold most; never a date."""
    if _DATE.match(value.strip()) or _DATE_IN_NUMBER.search(value):
        return None
    return "" if any(_valid_phone(value, where) for where in (region, *_NEAR_WORD_REGIONS)) else None


def date(value: str, region: str) -> str | None:
    """A calendar date in a usual written form."""
    del region
    return "" if _DATE.fullmatch(value.strip()) else None


def coordinate(value: str, region: str) -> str | None:
    """A latitude or longitude, or a `lat,lon` pair: numbers within ±180 with decimals."""
    del region
    parts = [part for part in re.split(r"[\s,;]+", value.strip().strip("[]()")) if part]
    if not 1 <= len(parts) <= 2 or not all(_NUMBER.fullmatch(part) and "." in part for part in parts):
        return None
    return "" if all(abs(float(part)) <= 180 for part in parts) else None


def document_number(value: str, region: str) -> str | None:
    """An identity document's number: 6-20 letters and digits, four or more of them digits.

    The key says which document; the check only turns away what no document prints: flags and
    states (`true`, `verified`, `pending`), small counts, dates, one character repeated.
    """
    del region
    value = value.strip()
    if not _DOCUMENT_NUMBER.fullmatch(value) or _DATE.fullmatch(value):
        return None
    characters = [character for character in value if character.isalnum()]
    digits = sum(character.isdigit() for character in characters)
    low, high = _DOCUMENT_CHARACTERS
    if not low <= len(characters) <= high or digits < _DOCUMENT_DIGITS or len(set(characters)) == 1:
        return None
    return ""


def my_number(value: str, region: str) -> str | None:
    """Japan's Individual Number: 12 digits (or 4-4-4) whose last is the check digit."""
    del region
    value = value.strip()
    if not _MY_NUMBER.fullmatch(value):
        return None
    digits = [int(character) for character in value if character.isdigit()]
    if len(set(digits)) == 1:
        return None  # `000000000000` passes the arithmetic but is a placeholder
    remainder = sum(digit * weight for digit, weight in zip(digits[:-1], _MY_NUMBER_WEIGHTS, strict=True)) % 11
    return "" if digits[-1] == (0 if remainder <= 1 else 11 - remainder) else None


def ssn(value: str, region: str) -> str | None:
    """A US Social Security number: ###-##-#### (or 9 digits), in no range never issued."""
    del region
    match = _SSN.fullmatch(value.strip())
    if match is None:
        return None
    area, _, group, serial = match.groups()
    if area in ("000", "666") or area.startswith("9") or group == "00" or serial == "0000":
        return None
    return ""


def _valid_phone(value: str, region: str) -> bool:
    digits = sum(character.isdigit() for character in value)
    if not 7 <= digits <= 15 or any(character.isalpha() for character in value):
        return False
    try:
        number = phonenumbers.parse(value, None if value.lstrip().startswith("+") else region)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_valid_number(number)


CHECKS: dict[str, Callable[[str, str], str | None]] = {
    "text": text,
    "token": token,
    "device_id": device_id,
    "host": host,
    "login": login,
    "authenticated_user": authenticated_user,
    "word": word,
    "phone": phone,
    "date": date,
    "coordinate": coordinate,
    "document_number": document_number,
    "my_number": my_number,
    "ssn": ssn,
    "person_name": person_name,
    "session_token": session_token,
    "secret": secret,
    "card": card,
    "postal_code": postal_code,
    "phone_near_word": phone_near_word,
    "device_model": device_model,
}
