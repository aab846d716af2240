"""JSON lines, nested objects included, with an optional prefix before the JSON.

Fields are named by their path (`request.headers.User-Agent`; array elements take their
array's name). A small tokenizer rather than `json.loads` keeps each value's exact span in the
line, tolerates a truncated line, and has no recursion limit for deeply nested documents.
A prefix (`caddy  | ` from docker-compose, a timestamp) is free text.

Names are built once per container and stay short: after MAX_NAME_PARTS keys a name ends in
`…` (the value's own key still follows), and keys are cut at MAX_KEY characters. Otherwise a
hostile line (50,000 levels, 50,000 values at the bottom) costs the depth for every value:
minutes and gigabytes for under a megabyte of log.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pdscan.detect.readable import shown_name
from pdscan.model import Field
from pdscan.sources.logs.formats.interface import WithoutHeader

# A string, a bracket or a bare value, after the white space, commas and colons that separate
# them (skipped in the pattern: a Python loop turn per separator doubled the work).
TOKEN = re.compile(r'[\s,:]*("[^"\\]*(?:\\.[^"\\]*)*"?|[{}\[\]]|[^\s{}\[\]:,"]+)')
MAX_NAME_PARTS = 32  # keys of the containers above a value named one by one; real logs nest a few
MAX_KEY = 256  # characters of one key kept in a field name
CUT = "…"


class JsonLines(WithoutHeader):
    name = "json"
    positional = False

    def fields(self, line: str) -> list[Field] | None:
        start = line.find("{")
        if start < 0 or not line.rstrip().endswith(("}", "]")):
            return None
        fields = [Field(None, 0, start, free_text=True)] if line[:start].strip() else []
        names: list[tuple[str, int]] = []  # per open container: the name of its values and its keys
        in_object: list[bool] = []
        key: str | None = None
        expecting_key = False
        for match in TOKEN.finditer(line, start):
            token = match.group(1)
            first = token[0]
            if first in "{[":
                names.append(_container_name(names, key))
                in_object.append(first == "{")
                expecting_key = first == "{"
                key = None
                continue
            if first in "}]":
                if names:
                    names.pop()
                    in_object.pop()
                key = None
                expecting_key = bool(in_object) and in_object[-1]
                continue
            if expecting_key and first == '"':
                key = _key_name(token[1:-1])
                expecting_key = False
                continue
            name = _joined(names[-1][0] if names else "", key) or None
            if first == '"':
                fields.append(Field(name, match.start(1) + 1, match.end() - 1, free_text=True))
            else:
                fields.append(Field(name, match.start(1), match.end()))
            key = None
            expecting_key = bool(in_object) and in_object[-1]
        if not in_object and not fields:
            return None
        return fields


def _container_name(names: list[tuple[str, int]], key: str | None) -> tuple[str, int]:
    """(name, keys in it) for the values of a new container: its key under its parent's name.
    The root and arrays add nothing; past MAX_NAME_PARTS keys every container shares one name
    ending in `…`, the same string object, so depth costs neither time nor memory."""
    if not names:
        return "", 0
    parent, parts = names[-1]
    if not key or parts > MAX_NAME_PARTS:
        return names[-1]
    if parts == MAX_NAME_PARTS:
        return _joined(parent, CUT), parts + 1
    return _joined(parent, key), parts + 1


def _joined(prefix: str, key: str | None) -> str:
    """`prefix.key`; an empty key (an array element) adds nothing, a long one is cut."""
    if not key:
        return prefix
    if len(key) > MAX_KEY:
        key = key[:MAX_KEY] + CUT
    return f"{prefix}.{key}" if prefix else key


@lru_cache(maxsize=65_536)
def _key_name(raw: str) -> str:
    """A key as reports may show it: writable, and masked where it is itself a personal value
    (`{"by_email": {"hanako@example.com": …}}`); field names appear in every output."""
    return shown_name(raw)
