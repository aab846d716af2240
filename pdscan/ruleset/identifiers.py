"""Identifiers -> words: the unit every name rule is written in.

`shippingAddress1`, `shipping_address_1`, `shipping-address-1` and `Shipping.Address1` are
the same three words to a person, so they are to pdscan. Names in other scripts become the
Latin words the rules are written in: Cyrillic is transliterated letter by letter
(`FamiliyaKlienta` written in Cyrillic -> familiya klienta), and Japanese, written without spaces, is cut into the
words of a lexicon (`native_words` in rules/datatypes.yaml: 電話番号 -> denwa bangou).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

_SEPARATORS = re.compile(r"[\s_\-.:/$#@\[\]\"'`\u30fb\uff08\uff09()]+")  # and Japanese dot, brackets
# In order: a versioned acronym (`IPv6` -> ipv 6, as `ipv6` splits), a plural acronym (`IDs`,
# its `s` dropped below), an ALLCAPS run before a capitalised word (`HTTPUser`), a word, an
# ALLCAPS run, digits, and any other letters (kana, kanji) as they come. Cyrillic has cases
# too, so it splits like Latin (`DataRozhdeniya` in Cyrillic -> data rozhdeniya).
_UPPER = "A-Z\u0410-\u042f\u0401"
_LOWER = "a-z\u0430-\u044f\u0451"
_CAMEL = re.compile(
    rf"[{_UPPER}]{{2,}}v(?=\d)|[{_UPPER}]{{2,}}s(?![{_LOWER}])|[{_UPPER}]+(?=[{_UPPER}][{_LOWER}])"
    rf"|[{_UPPER}]?[{_LOWER}]+|[{_UPPER}]+|\d+|[^\W\d_]+"
)
# Russian letters (U+0430..U+044F, then yo) as Latin, the common passport-style romanisation;
# the endings -yj/-ij/-oj as `y`/`iy`/`oy`, so the word for "postal" reads `pochtovy` as people
# write it in Latin identifiers. Hard and soft signs are dropped.
_LATIN = (
    "a",
    "b",
    "v",
    "g",
    "d",
    "e",
    "zh",
    "z",
    "i",
    "y",
    "k",
    "l",
    "m",
    "n",
    "o",
    "p",
    "r",
    "s",
    "t",
    "u",
    "f",
    "kh",
    "ts",
    "ch",
    "sh",
    "shch",
    "",
    "y",
    "",
    "e",
    "yu",
    "ya",
)
_CYRILLIC = {chr(0x430 + index): latin for index, latin in enumerate(_LATIN)} | {"\u0451": "e"}
_CYRILLIC_ENDINGS = (("\u044b\u0439", "y"), ("\u0438\u0439", "iy"), ("\u043e\u0439", "oy"))
_HAS_CYRILLIC = re.compile(f"[{_LOWER[3:]}]")


@lru_cache(maxsize=65536)
def split_identifier(identifier: str) -> tuple[str, ...]:
    """Lower-case words: snake, kebab, dotted paths, camel and Pascal case, digit runs;
    Cyrillic words transliterated."""
    words: list[str] = []
    for part in _SEPARATORS.split(identifier):
        if part:
            for word in _CAMEL.findall(part):
                lowered = _acronym_singular(word).lower()
                words.append(_transliterate(lowered) if _HAS_CYRILLIC.search(lowered) else lowered)
    return tuple(words)


def _transliterate(word: str) -> str:
    for ending, latin in _CYRILLIC_ENDINGS:
        if word.endswith(ending):
            return _transliterate(word[: -len(ending)]) + latin
    return "".join(_CYRILLIC.get(letter, letter) for letter in word)


def segment(word: str, lexicon: Mapping[str, tuple[str, ...]], longest: int) -> tuple[str, ...]:
    """A run of letters without spaces (`会員電話番号`) cut into lexicon words, longest first;
    letters no entry covers stay together as one unknown word."""
    words: list[str] = []
    unknown = ""
    start = 0
    while start < len(word):
        for end in range(min(len(word), start + longest), start, -1):
            latin = lexicon.get(word[start:end])
            if latin is not None:
                if unknown:
                    words.append(unknown)
                    unknown = ""
                words.extend(latin)
                start = end
                break
        else:
            unknown += word[start]
            start += 1
    if unknown:
        words.append(unknown)
    return tuple(words)


def _acronym_singular(word: str) -> str:
    return word[:-1] if len(word) > 2 and word.endswith("s") and word[:-1].isupper() else word


def singular(word: str) -> str:
    """Crude English singular, enough to compare table names (`addresses` -> `address`)."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("sses", "ches", "shes", "xes")):
        return word[:-2]
    if len(word) > 5 and word.endswith("uses") and not word.endswith(("ouses", "auses")):
        return word[:-2]  # statuses, bonuses, campuses (houses, causes keep their e)
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word
