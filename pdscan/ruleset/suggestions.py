"""The closest valid ids to one a person mistyped, so an error can say "did you mean `delivery`?".

An id is suggested only when it is close: written the same apart from case, spelled nearly the
same (difflib's ratio at least SPELLING_CUTOFF, and only those nearly as close as the best), or,
failing that, holding the word as one of its parts (`fraud` -> `fraud_prevention`). A word
close to nothing gets no suggestion rather than a misleading one.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

SPELLING_CUTOFF = 0.75  # `delivry` -> `delivery` is 0.93, `spam` -> anything under 0.5
RUNNERS_UP = 0.05  # ids this much less close than the best are suggested with it
MOST_SUGGESTED = 3
ID_PARTS = re.compile(r"[_.\-]")


def closest_ids(word: str, known: Iterable[str]) -> list[str]:
    """The valid ids `word` most likely meant, best first (none when nothing is close)."""
    ids = sorted(set(known))
    lowered = word.lower()
    same = [known_id for known_id in ids if known_id.lower() == lowered]
    if same:
        return same[:1]
    scored = [(difflib.SequenceMatcher(None, lowered, known_id.lower()).ratio(), known_id) for known_id in ids]
    close = sorted((pair for pair in scored if pair[0] >= SPELLING_CUTOFF), key=lambda pair: -pair[0])
    if close:
        best = close[0][0]
        return [known_id for ratio, known_id in close if ratio >= best - RUNNERS_UP][:MOST_SUGGESTED]
    if len(lowered) < 2:
        return []
    return [known_id for known_id in ids if lowered in ID_PARTS.split(known_id.lower())][:MOST_SUGGESTED]


def did_you_mean(word: object, known: Iterable[str]) -> str:
    """`; did you mean `x`?` to end an error message with, or "" when nothing is close."""
    if not isinstance(word, str) or not word:
        return ""
    suggested = [f"`{known_id}`" for known_id in closest_ids(word, known)]
    if not suggested:
        return ""
    listed = suggested[0] if len(suggested) == 1 else f"{', '.join(suggested[:-1])} or {suggested[-1]}"
    return f"; did you mean {listed}?"
