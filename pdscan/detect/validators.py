"""Checks that turn a pattern match into a value: a card number passes Luhn and a brand range,
an IP address parses, an IBAN's check digits add up. Named, so rules can refer to them."""

from __future__ import annotations

import ipaddress
import re
import urllib.parse
from collections.abc import Callable

_DIGITS = re.compile(r"\D")
_VERSION_BEFORE = re.compile(r"(?:[A-Za-z]/|rv:|[vV]|[-_.]|\d\.)$")
# Issuer ranges (IIN prefixes) with their lengths; a Luhn-valid number outside them is an id.
_CARD_BRANDS = (
    (re.compile(r"^4"), (13, 16, 19)),  # Visa
    (re.compile(r"^(?:5[1-5]|2(?:2[2-9]|[3-6]\d|7[01]|720))"), (16,)),  # Mastercard
    (re.compile(r"^3[47]"), (15,)),  # American Express
    (re.compile(r"^(?:6011|65|64[4-9])"), (16, 19)),  # Discover
    (re.compile(r"^35(?:2[89]|[3-8]\d)"), (16, 17, 18, 19)),  # JCB
    (re.compile(r"^3(?:0[0-5]|[689])"), (14, 16, 19)),  # Diners Club
    (re.compile(r"^62"), (16, 17, 18, 19)),  # UnionPay
)


def luhn(digits: str) -> bool:
    total = 0
    for index, character in enumerate(reversed(digits)):
        value = ord(character) - 48
        if index % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def card_number(text: str, context: str) -> bool:
    del context
    digits = _DIGITS.sub("", text)
    if not 13 <= len(digits) <= 19 or len(set(digits)) < 2 or not luhn(digits):
        return False
    return any(prefix.match(digits) and len(digits) in lengths for prefix, lengths in _CARD_BRANDS)


def imei(text: str, context: str) -> bool:
    del context
    digits = _DIGITS.sub("", text)
    return len(digits) == 15 and len(set(digits)) > 2 and luhn(digits)


def iban(text: str, context: str) -> bool:
    del context
    compact = text.replace(" ", "").upper()
    if not 15 <= len(compact) <= 34:
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


def ipv4(text: str, context: str) -> bool:
    """A real address, not a version string (`Firefox/2.0.0.4`, `rv:1.9.0.19`, `bundle-7.3.1.12.js`)."""
    if _VERSION_BEFORE.search(context):
        return False
    try:
        address = ipaddress.IPv4Address(text)
    except ValueError:
        return False
    return not address.is_unspecified


def ipv6(text: str, context: str) -> bool:
    del context
    try:
        ipaddress.IPv6Address(text)
    except ValueError:
        return False
    return ":" in text and text.count(":") >= 2


def email(text: str, context: str) -> bool:
    del context
    local, _, domain = urllib.parse.unquote(text).rpartition("@")
    return bool(local) and "." in domain and not domain.startswith(".") and ".." not in domain


def mac_address(text: str, context: str) -> bool:
    """Any hardware address but the all-zero and broadcast placeholders."""
    del context
    octets = re.split(r"[:-]", text.lower())
    return set(octets) not in ({"00"}, {"ff"})


VALIDATORS: dict[str, Callable[[str, str], bool]] = {
    "card_number": card_number,
    "imei": imei,
    "iban": iban,
    "ipv4": ipv4,
    "ipv6": ipv6,
    "email": email,
    "mac_address": mac_address,
}
