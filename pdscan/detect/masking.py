"""Masked forms of personal values: enough to recognise the kind of value, nothing more.

An engineer reading a report must see what a field holds (client addresses, e-mails, card
numbers) and roughly where they come from (a network, a card brand, a country), but must not be
able to contact, charge or track the person. Per kind, a mask keeps:

| kind | example | kept |
|---|---|---|
| e-mail | `***@*****.*******.com` | the domain's shape (its labels' lengths) and top-level domain |
| card number | `4*** **** **** 1111` | the first digit (the brand) and the last four, never the BIN |
| IBAN | `GB** **** **** **** **** 32` | the country and the last two characters |
| bank account number | `******78` | the last two characters |
| phone, fax | `+81 **-****-**78` | the country code and the last two digits |
| IMEI | `*************18` | the last two digits |
| date of birth | `****-**-**` | the date's shape |
| IPv4, IPv6 | `203.0.113.x`, `2001:db8:x:x` | the network (/24, /32) |
| host name | `*.example.net` | the registered domain (a provider, a network) |
| user agent, language | `Mozilla/5.0 …` | the first word: the product, not the fingerprint (¹) |
| password, secret, key | `***` | nothing, even with --show-data |
| anything else | `T***i (11 chars)`, `H***`, `***` | first and last character and the length; short values nothing |

(¹) A first word that is itself a personal value shows its mask; a piece of a number, `***`.

Each data type names its mask in rules/datatypes.yaml (`mask: {keep_digits: {first: 1, last:
4}}`), one of MASKS below; a data type naming none gets `edges`. Separators stay where they
were, so the layout still says what kind of number it is. Every output uses these unless the
user asks for raw values with --show-data; text that is not one
value (a key path, an error message) goes through `mask_text`, which finds what the value
detectors and the log phrases find (a phone number is known only by a phrase's pattern); a name
(a table, a column, a log field, a file or object name) through `mask_name`, which also reads
`_` and `-` as word breaks. A name holding no value is returned as it is, so a fingerprint made
from it does not change.
"""

from __future__ import annotations

import ipaddress
import re
import urllib.parse
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

import phonenumbers

from pdscan.detect.text_values import NAME_CACHE, ValueMatch, values_in_name, values_in_text
from pdscan.ruleset.datatypes import DetectionRules, bundled_rules
from pdscan.ruleset.yaml_lines import ProblemsError

_DIGIT = re.compile(r"\d")
_GLOB_LITERAL = {ord(character): f"[{character}]" for character in "*?["}
_WORD = re.compile(r"[^\s;(]+")
# A product (`curl/8.4.0`) or a language (`ja-JP,ja`) starts with a letter; `@` and `:` belong
# to e-mails and addresses, never to a product name.
_PRODUCT = re.compile(r"[^\W\d_][^@:]*")
SECRET_MASK = "***"


def mask(value: str, data_type: str) -> str:
    """The masked form of `value`, by the mask its data type names in rules/datatypes.yaml."""
    return _bundled_masks().get(data_type, _EDGES)(value)


def shown(value: str, data_type: str, show_data: bool) -> str:
    """What an output shows of a value: raw with --show-data, but a secret never."""
    if show_data and _bundled_masks().get(data_type, _EDGES).name != "secret":
        return value
    return mask(value, data_type)


def mask_text(text: str, found: Sequence[ValueMatch] | None = None) -> str:
    """`text` with every personal value the detectors find in it (or the values `found` in it,
    left to right, apart) replaced by its mask: for text that only sometimes holds one, such as
    a JSON key or an exception message."""
    return _masked(text, values_in_text(text) if found is None else found)


@lru_cache(maxsize=NAME_CACHE)
def mask_name(name: str, as_glob: bool = False) -> str:
    """`name` with every personal value in it masked: `backup_alice@example.com` ->
    `***@*******.com`, `card_number_4111111111111111` -> `card_number_4***********1111`.
    `as_glob`: `name` is a glob of a data map, whose masks must match only themselves (`[*]`)."""
    return _masked(name, values_in_name(name), _GLOB_LITERAL if as_glob else None)


def _masked(text: str, found: Sequence[ValueMatch], escapes: dict[int, str] | None = None) -> str:
    if not found:
        return text
    pieces = []
    end = 0
    for match in found:
        pieces.append(text[end : match.start])
        shown = mask(match.text, match.data_type)
        pieces.append(shown.translate(escapes) if escapes else shown)
        end = match.end
    pieces.append(text[end:])
    return "".join(pieces)


def secret(value: str) -> str:
    """Passwords, one-time codes, API keys: usable as they stand, so no output shows any of
    them (SECURITY.md), not even with --show-data."""
    return SECRET_MASK


def ip_address(value: str) -> str:
    try:
        address = ipaddress.ip_address(value.strip("[]"))
    except ValueError:  # a host name that embeds an address: its provider, as for any host name
        return host_name(value) if "." in value else edges(value)
    if address.version == 4:
        return ".".join(value.split(".")[:3]) + ".x"
    groups = address.exploded.split(":")
    return ":".join(group.lstrip("0") or "0" for group in groups[:2]) + ":x:x"


def host_name(value: str) -> str:
    labels = value.split(".")
    return "*." + ".".join(labels[-2:]) if len(labels) > 2 else "*." + labels[-1]


def email(value: str) -> str:
    """`hanako@mail.example.com` -> `***@****.*******.com`: an address of some domain, not whose."""
    decoded = urllib.parse.unquote(value)
    _, _, domain = decoded.rpartition("@")
    *labels, top = domain.split(".")
    return "***@" + "".join("*" * len(label) + "." for label in labels) + top


def keep_digits(value: str, first: int, last: int) -> str:
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


def keep_characters(value: str, first: int, last: int) -> str:
    """Letters and digits past the first `first` and before the last `last` become `*`."""
    compact = [index for index, character in enumerate(value) if character.isalnum()]
    keep = set(compact[:first] + compact[len(compact) - last :])
    return "".join(c if i in keep or not c.isalnum() else "*" for i, c in enumerate(value))


def phone_number(value: str) -> str:
    """The country code of an international number and the last two digits."""
    decoded = urllib.parse.unquote(value)  # `%2B81…`: the 2 of `%2B` is no digit of the number
    return keep_digits(decoded, first=_country_code_digits(decoded), last=2)


def _country_code_digits(value: str) -> int:
    """How many leading digits to show: the country code of an international number (`+81…`
    shows 81, not 819), else none."""
    if not value.lstrip().startswith("+"):
        return 0
    try:
        return len(str(phonenumbers.parse(value, None).country_code))
    except phonenumbers.NumberParseException:
        return 0


def first_word(value: str) -> str:
    """`Mozilla/5.0 (X11; …)` -> `Mozilla/5.0 …`: the product, not the fingerprint. A first word
    that is a personal value (a client sending its address as its agent) shows that value's
    mask; one that is not a name (`4111`, `+81`: a piece of a number) shows nothing."""
    text = value.strip()
    match = _WORD.match(text)
    word = match.group() if match else ""
    shown = mask_text(word)
    if shown == word and word and not _PRODUCT.fullmatch(word):
        shown = "***"
    return f"{shown} …" if len(word) < len(text) else shown


def edges(value: str) -> str:
    """First character, stars, last character; short values show only their length."""
    if len(value) <= 4:
        return "*" * len(value)
    if len(value) <= 8:
        return value[0] + "***"
    return f"{value[0]}***{value[-1]} ({len(value)} chars)"


MASKS: dict[str, Callable[..., str]] = {
    "secret": secret,
    "ip_address": ip_address,
    "host_name": host_name,
    "email": email,
    "keep_digits": keep_digits,
    "keep_characters": keep_characters,
    "phone_number": phone_number,
    "first_word": first_word,
    "edges": edges,
}


@dataclass(frozen=True)
class ChosenMask:
    """A data type's mask with the parameters its rule gives (`keep_digits`, first 1, last 4)."""

    name: str
    parameters: tuple[tuple[str, int | str], ...] = ()

    def __call__(self, value: str) -> str:
        return MASKS[self.name](value, **dict(self.parameters))


_EDGES = ChosenMask("edges")


def masks_by_type(rules: DetectionRules) -> dict[str, ChosenMask]:
    """Each data type's mask, `edges` where its rule names none; raises ProblemsError, at the
    rule's line, for a name that is no mask or parameters the mask does not take."""
    chosen: dict[str, ChosenMask] = {}
    problems = []
    for rule in rules.data_types:
        named = rule.mask
        wrong = named.wrong_in(MASKS, "mask") if named is not None else None
        if wrong is not None:
            problems.append(wrong)
        elif named is not None:
            chosen[rule.data_type] = ChosenMask(named.name, named.parameters)
        else:
            chosen[rule.data_type] = _EDGES
    if problems:
        raise ProblemsError(tuple(problems))
    return chosen


@cache
def _bundled_masks() -> dict[str, ChosenMask]:
    return masks_by_type(bundled_rules())
