"""Identifiers -> words: the unit every name rule is written in.

`shippingAddress1`, `shipping_address_1`, `shipping-address-1` and `Shipping.Address1` are
the same three words to a person, so they are to pdscan.
"""

from __future__ import annotations

import re
from functools import lru_cache

_SEPARATORS = re.compile(r"[\s_\-.:/$#@\[\]\"'`]+")
# In order: a versioned acronym (`IPv6` -> ipv 6, as `ipv6` splits), a plural acronym (`IDs`,
# its `s` dropped below), an ALLCAPS run before a capitalised word (`HTTPUser`), a word, an
# ALLCAPS run, digits, and any other letters (Cyrillic, kana) as they come.
_CAMEL = re.compile(r"[A-Z]{2,}v(?=\d)|[A-Z]{2,}s(?![a-z])|[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+|[^\W\d_]+")


@lru_cache(maxsize=65536)
def split_identifier(identifier: str) -> tuple[str, ...]:
    """Lower-case words: snake, kebab, dotted paths, camel and Pascal case, digit runs."""
    words: list[str] = []
    for part in _SEPARATORS.split(identifier):
        if part:
            words.extend(_acronym_singular(word).lower() for word in _CAMEL.findall(part))
    return tuple(words)


def _acronym_singular(word: str) -> str:
    return word[:-1] if len(word) > 2 and word.endswith("s") and word[:-1].isupper() else word


def singular(word: str) -> str:
    """Crude English singular, enough to compare table names (`addresses` -> `address`)."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("sses", "ches", "shes", "xes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word
