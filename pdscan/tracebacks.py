"""Exceptions shown to people (`--debug` tracebacks, the one line of an internal error) without
what pdscan promises never to show: database passwords and personal values.

Drivers echo connection strings in their messages (`missing "=" after "auditor:secret@db"`),
and an exception raised while reading a value may quote it. So every message is scrubbed of
the passwords the command line and the environment carry (and of any URL user-info or
`password=` setting), then every personal value the detectors recognise is masked.
"""

from __future__ import annotations

import traceback
from collections.abc import Iterable

from pdscan.detect.masking import mask_text
from pdscan.sources.database.target import scrub


def traceback_text(error: BaseException, secrets: Iterable[str]) -> str:
    """The full traceback (chained exceptions included) as Python prints it, made safe."""
    secrets = tuple(secrets)
    shown = _safe("".join(traceback.format_exception(error)), secrets)
    if shown is not None:
        return shown
    frames = "".join(traceback.format_tb(error.__traceback__))
    return f"Traceback (most recent call last):\n{frames}{_name(error)}: (messages withheld: masking them failed)\n"


def one_line(error: BaseException, secrets: Iterable[str]) -> str:
    """`KeyError: 'x'`: the exception's type and its message, made safe, on one line."""
    message = _safe(str(error), tuple(secrets))
    if message is None:
        return f"{_name(error)} (message withheld: masking it failed)"
    message = " ".join(message.split())
    return f"{_name(error)}: {message}" if message else _name(error)


def _safe(text: str, secrets: tuple[str, ...]) -> str | None:
    """No password, no personal value; None when the detectors themselves fail on it."""
    text = scrub(text, secrets)
    try:
        return mask_text(text)
    except Exception:  # the error being reported may be the detectors' own
        return None


def _name(error: BaseException) -> str:
    kind = type(error)
    return kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"
