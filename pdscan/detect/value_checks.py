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

from pdscan.detect.validators import DOMAIN_LABEL

HOST_NAME = "user.device.host_name"
IP_ADDRESS = "user.device.ip_address"
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
        return HOST_NAME
    return None if address.is_loopback or address.is_unspecified else IP_ADDRESS


def login(value: str, region: str) -> str | None:
    """A login name: one word, not a number-only id."""
    del region
    return "" if _LOGIN.fullmatch(value) and not value.isdigit() else None


def word(value: str, region: str) -> str | None:
    """One token after a phrase that names it (`Invalid user 0 from`): the phrase is the proof."""
    del region
    return "" if _LOGIN.fullmatch(value) else None


def phone(value: str, region: str) -> str | None:
    """A number `phonenumbers` holds valid: as written with `+`, else in the default region."""
    return "" if _valid_phone(urllib.parse.unquote(value), region) else None


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


def _valid_phone(value: str, region: str) -> bool:
    digits = sum(character.isdigit() for character in value)
    if not 7 <= digits <= 15 or any(character.isalpha() for character in value):
        return False
    try:
        number = phonenumbers.parse(value, None if value.lstrip().startswith("+") else region)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_valid_number(number)


VALUE_CHECKS: dict[str, Callable[[str, str], str | None]] = {
    "text": text,
    "token": token,
    "device_id": device_id,
    "host": host,
    "login": login,
    "word": word,
    "phone": phone,
    "date": date,
    "coordinate": coordinate,
}
