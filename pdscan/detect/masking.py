"""Masked forms of personal values: enough to recognise the kind of value, nothing more.

`203.0.113.x`, `j***@example.com`, `4111 **** **** 1111`: an engineer sees that the field
holds client addresses, e-mails or card numbers and roughly whose (a network, a domain, a card
brand), but cannot contact, charge or track the person. Every output uses these unless the
user asks for raw values with --show-data.
"""

from __future__ import annotations

import ipaddress
import re
import urllib.parse

_DIGIT = re.compile(r"\d")
_WORD = re.compile(r"[^\s;(]+")


def mask(value: str, data_type: str) -> str:
    """The masked form of `value`, chosen by the data type's family."""
    if data_type == "user.device.ip_address":
        return _ip(value)
    if data_type == "user.device.host_name":
        return _host(value)
    if data_type == "user.contact.email":
        return _email(value)
    if data_type.startswith(("user.financial.credit_card", "user.device.device_id.imei")):
        return _keep_digits(value, first=4, last=4)
    if data_type.startswith("user.financial.bank_account"):
        return _keep_characters(value, first=4, last=2)
    if data_type.startswith("user.contact.phone_number") or data_type.startswith("user.contact.fax_number"):
        return _keep_digits(value, first=_country_code_digits(value), last=2)
    if data_type in ("user.device.user_agent", "user.device.language"):
        return _first_word(value)
    return _edges(value)


def _ip(value: str) -> str:
    try:
        address = ipaddress.ip_address(value.strip("[]"))
    except ValueError:
        return _edges(value)
    if address.version == 4:
        return ".".join(value.split(".")[:3]) + ".x"
    groups = address.exploded.split(":")
    return ":".join(group.lstrip("0") or "0" for group in groups[:2]) + ":x:x"


def _host(value: str) -> str:
    labels = value.split(".")
    return "*." + ".".join(labels[-2:]) if len(labels) > 2 else "*." + labels[-1]


def _email(value: str) -> str:
    decoded = urllib.parse.unquote(value)
    local, _, domain = decoded.rpartition("@")
    return f"{local[:1]}***@{domain}"


def _keep_digits(value: str, first: int, last: int) -> str:
    """Digits past the first `first` and before the last `last` become `*`, separators stay."""
    total = len(_DIGIT.findall(value))
    seen = 0
    masked = []
    for character in value:
        if character.isdigit():
            seen += 1
            masked.append(character if seen <= first or seen > total - last else "*")
        else:
            masked.append(character)
    return "".join(masked)


def _keep_characters(value: str, first: int, last: int) -> str:
    compact = [index for index, character in enumerate(value) if character.isalnum()]
    keep = set(compact[:first] + compact[len(compact) - last :])
    return "".join(c if i in keep or not c.isalnum() else "*" for i, c in enumerate(value))


def _country_code_digits(value: str) -> int:
    """How many leading digits to show: the country code after `+` (at most 3), else none."""
    stripped = urllib.parse.unquote(value).lstrip()
    if not stripped.startswith("+"):
        return 0
    match = re.match(r"\+\s*(\d{1,3})", stripped)
    return len(match.group(1)) if match else 0


def _first_word(value: str) -> str:
    """`Mozilla/5.0 (X11; …)` -> `Mozilla/5.0 …`: the product, not the fingerprint."""
    match = _WORD.match(value.strip())
    word = match.group() if match else ""
    return f"{word} …" if len(word) < len(value.strip()) else word


def _edges(value: str) -> str:
    """First character, stars, last character; short values show only their length."""
    if len(value) <= 4:
        return "*" * len(value)
    if len(value) <= 8:
        return value[0] + "***"
    return f"{value[0]}***{value[-1]} ({len(value)} chars)"
