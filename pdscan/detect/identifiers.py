"""Identifiers -> words: the unit every name rule is written in.

`shippingAddress1`, `shipping_address_1`, `shipping-address-1` and `Shipping.Address1` are
the same three words to a person, so they are to pdscan.
"""

from __future__ import annotations

import re
from functools import lru_cache

_SEPARATORS = re.compile(r"[\s_\-.:/$#@\[\]\"'`]+")
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+|[^\W\d_]+")


@lru_cache(maxsize=65536)
def split_identifier(identifier: str) -> tuple[str, ...]:
    """Lower-case words: snake, kebab, dotted paths, camel and Pascal case, digit runs."""
    words: list[str] = []
    for part in _SEPARATORS.split(identifier):
        if part:
            words.extend(word.lower() for word in _CAMEL.findall(part))
    return tuple(words)


def singular(word: str) -> str:
    """Crude English singular, enough to compare table names (`addresses` -> `address`)."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("sses", "ches", "shes", "xes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word
