"""Checks that turn a pattern match into a value: a card number passes Luhn and a brand range,
an IP address parses and is not a version string, an IBAN's check digits add up.

A regular expression finds things shaped like a card number or an address; most such things in
real text are order ids, versions and timestamps. Each validator answers one question about one
candidate, and rules/datatypes.yaml names the validator each value detector relies on (and the
text before a value that disqualifies it, `not_after`), so a reader knows exactly what was verified.
"""

from __future__ import annotations

import ipaddress
import re
import urllib.parse
from collections.abc import Callable

# ASCII digits only: `\d` also takes Arabic-Indic and other digits, which are no card number
# and which `luhn` cannot weigh.
_NON_DIGITS = re.compile(r"[^0-9]")
_DIGIT_GROUPS = re.compile(r"[0-9]+")
_NON_HEX = re.compile(r"[^0-9a-f]")
_OCTET = re.compile(r"25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9]")
# Issuer ranges (IIN prefixes) as (prefix length, first, last) with the lengths each brand
# issues; a Luhn-valid number outside them is some other id.
_CARD_BRANDS = (
    ((1, 4, 4), (13, 16, 19)),  # Visa
    ((2, 51, 55), (16,)),  # Mastercard
    ((4, 2221, 2720), (16,)),  # Mastercard 2-series
    ((2, 34, 34), (15,)),  # American Express
    ((2, 37, 37), (15,)),  # American Express
    ((4, 6011, 6011), (16, 19)),  # Discover
    ((2, 65, 65), (16, 19)),  # Discover
    ((3, 644, 649), (16, 19)),  # Discover
    ((4, 3528, 3589), (16, 17, 18, 19)),  # JCB
    ((3, 300, 305), (14, 16, 19)),  # Diners Club
    ((2, 36, 36), (14, 16, 19)),  # Diners Club
    ((2, 38, 39), (14, 16, 19)),  # Diners Club
    ((2, 62, 62), (16, 17, 18, 19)),  # UnionPay
    ((4, 2200, 2204), (16, 17, 18, 19)),  # Mir
    ((4, 5019, 5019), (16,)),  # Dankort
    ((2, 50, 50), (13, 14, 15, 16, 17, 18, 19)),  # Maestro
    ((2, 56, 69), (13, 14, 15, 16, 17, 18, 19)),  # Maestro
    ((1, 1, 1), (15,)),  # UATP
)
# How printed card numbers are grouped when they are grouped at all.
_CARD_GROUPINGS = frozenset(
    {(4, 4, 4, 4), (4, 4, 4, 4, 3), (4, 6, 5), (4, 6, 4), (4, 4, 4, 1), (4, 4, 4, 2), (4, 4, 4, 3)}
)
_IBAN_SHAPE = re.compile(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}")
# IBAN lengths by country (ISO 13616 registry); a country not listed is checked by shape only.
_IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BR": 29,
    "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24,
    "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HR": 21,
    "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28,
    "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MR": 27,
    "MT": 31, "MU": 30, "NL": 18, "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24,
    "RS": 22, "SA": 24, "SC": 31, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "TL": 23, "TN": 24, "TR": 26,
    "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}  # fmt: skip
_IBAN_LETTERS = str.maketrans({chr(code): str(code - 55) for code in range(ord("A"), ord("Z") + 1)})  # A=10 … Z=35
DOMAIN_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
# the address in dashes (`c-198-51-100-7`), or as twelve digits, three an octet (`061092085098`)
_DASHED_IPV4 = re.compile(r"((?:[A-Za-z][A-Za-z0-9]*-)+)?((?:\d{1,3}-){3}\d{1,3}|\d{12})")


_DOUBLED = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)  # a digit doubled, its two digits summed


def luhn(digits: str) -> bool:
    """The mod-10 check digit that card numbers and IMEIs carry last; False for anything but ASCII digits."""
    if not (digits.isascii() and digits.isdigit()):
        return False
    values = [ord(character) - 48 for character in reversed(digits)]
    return (sum(values[0::2]) + sum(_DOUBLED[value] for value in values[1::2])) % 10 == 0


def card_number(text: str) -> bool:
    """13-19 digits in a usual grouping with one kind of separator, a brand's range and length, Luhn."""
    if text.isdigit():
        digits = text
    else:
        groups = tuple(len(group) for group in _DIGIT_GROUPS.findall(text))
        if groups not in _CARD_GROUPINGS or ("-" in text and " " in text):
            return False
        digits = text.replace(" ", "").replace("-", "")
    if not 13 <= len(digits) <= 19 or len(set(digits)) < 2 or not luhn(digits):
        return False
    return any(
        low <= int(digits[:size]) <= high and len(digits) in lengths for (size, low, high), lengths in _CARD_BRANDS
    )


def imei(text: str) -> bool:
    """15 digits (or 2-6-6-1 with dashes) ending in a Luhn check digit, not a filler run."""
    digits = _NON_DIGITS.sub("", text)
    return len(digits) == 15 and len(set(digits)) > 2 and luhn(digits)


def iban(text: str) -> bool:
    """ISO 13616: country letters, check digits 02-98, the country's length, and the number
    rearranged is 1 mod 97."""
    compact = text.replace(" ", "").replace("-", "").upper()
    if not _IBAN_SHAPE.fullmatch(compact) or compact[2:4] in ("00", "01", "99"):
        return False
    if _IBAN_LENGTHS.get(compact[:2], len(compact)) != len(compact):
        return False
    rearranged = compact[4:] + compact[:4]
    return int(rearranged.translate(_IBAN_LETTERS)) % 97 == 1


def ipv4(text: str) -> bool:
    """Four decimal octets without leading zeros (as `ipaddress` reads them), naming one host:
    not 0.0.0.0, a loopback, multicast (224-239.x) or the broadcast address."""
    octets = text.split(".")
    if len(octets) != 4 or not all(_OCTET.fullmatch(octet) for octet in octets):
        return False
    return text not in ("0.0.0.0", "255.255.255.255") and octets[0] != "127" and not 224 <= int(octets[0]) <= 239


def ipv6(text: str) -> bool:
    """An address `ipaddress` accepts, naming one host: not `::`, `::1`, multicast (`ff00::/8`),
    or an IPv4 address written as IPv6 (`::ffff:127.0.0.1`) that names none."""
    try:
        address = ipaddress.IPv6Address(text)
    except ValueError:
        return False
    if address.ipv4_mapped is not None:
        return ipv4(str(address.ipv4_mapped))
    return not (address.is_unspecified or address.is_loopback or address.is_multicast)


def email(text: str) -> bool:
    """RFC 5321 limits: a local part of 1-64 characters without stray dots, a dotted domain."""
    local, _, domain = urllib.parse.unquote(text).rpartition("@")
    if not local or len(local) > 64 or local.startswith(".") or local.endswith(".") or ".." in local:
        return False
    labels = domain.split(".")
    if len(domain) > 253 or len(labels) < 2 or not labels[-1].isalpha():
        return False
    return all(DOMAIN_LABEL.fullmatch(label) for label in labels)


def ip_host_name(text: str) -> bool:
    """A host name whose first label is an IPv4 address in dashes, after a word (`c-`, `ip-`,
    `host-`) or before a domain: `c-198-51-100-7.hsd1.example.net`, `ip-10-0-0-12.ec2.internal`."""
    first, _, domain = text.partition(".")
    match = _DASHED_IPV4.fullmatch(first)
    if match is None or not (match.group(1) or domain):
        return False
    labels = domain.split(".") if domain else []
    if labels and (not labels[-1].isalpha() or not all(DOMAIN_LABEL.fullmatch(label) for label in labels)):
        return False
    address = match.group(2)
    if "-" not in address:  # twelve digits: only with a domain, and every octet written in three
        octets = [address[index : index + 3].lstrip("0") or "0" for index in range(0, 12, 3)]
        return bool(domain) and ipv4(".".join(octets))
    return ipv4(address.replace("-", "."))


def mac_address(text: str) -> bool:
    """Six octets, but not the all-zero and broadcast placeholders."""
    digits = _NON_HEX.sub("", text.lower())
    return len(digits) == 12 and digits not in ("000000000000", "ffffffffffff")


def pattern_only(text: str) -> bool:
    """No check beyond the pattern: for a user's in-house identifiers, whose shape is their proof."""
    return True


VALIDATORS: dict[str, Callable[[str], bool]] = {
    "card_number": card_number,
    "imei": imei,
    "iban": iban,
    "ipv4": ipv4,
    "ipv6": ipv6,
    "email": email,
    "mac_address": mac_address,
    "ip_host_name": ip_host_name,
    "none": pattern_only,
}
