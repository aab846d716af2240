"""JSON lines, nested objects included, with an optional prefix before the JSON.

Fields are named by their path (`request.headers.User-Agent`; array elements take their
array's name). A small tokenizer rather than `json.loads` keeps each value's exact span in the
line, tolerates a truncated line, and has no recursion limit for deeply nested documents.
A prefix (`caddy  | ` from docker-compose, a timestamp) is free text.
"""

from __future__ import annotations

import re

from pdscan.sources.logformats.interface import Field, WithoutHeader

TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?|[{}\[\]:,]|[^\s{}\[\]:,"]+|\s+')


class JsonLines(WithoutHeader):
    name = "json"
    positional = False

    def fields(self, line: str) -> list[Field] | None:
        start = line.find("{")
        if start < 0 or not line.rstrip().endswith(("}", "]")):
            return None
        fields = [Field(None, 0, start, free_text=True)] if line[:start].strip() else []
        path: list[str | None] = []  # one entry per open container: its key (None for the root)
        in_object: list[bool] = []
        key: str | None = None
        expecting_key = False
        for match in TOKEN.finditer(line, start):
            token = match.group()
            first = token[0]
            if first.isspace() or first in ",:":
                continue
            if first in "{[":
                path.append(key)
                in_object.append(first == "{")
                expecting_key = first == "{"
                key = None
                continue
            if first in "}]":
                if path:
                    path.pop()
                    in_object.pop()
                key = None
                expecting_key = bool(in_object) and in_object[-1]
                continue
            if expecting_key and first == '"':
                key = token[1:-1]
                expecting_key = False
                continue
            name = ".".join(part for part in [*path[1:], key] if part) or None
            if first == '"':
                fields.append(Field(name, match.start() + 1, match.end() - 1, free_text=True))
            else:
                fields.append(Field(name, match.start(), match.end()))
            key = None
            expecting_key = bool(in_object) and in_object[-1]
        if not in_object and not fields:
            return None
        return fields
