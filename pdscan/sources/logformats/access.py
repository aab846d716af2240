"""Apache and nginx access logs: common, combined, and combined with extra fields after it."""

from __future__ import annotations

import re

from pdscan.sources.logformats.interface import Field, WithoutHeader

LINE = re.compile(
    r'(?P<remote_host>\S+) (?P<ident>\S+) (?P<remote_user>"[^"]*"|\S+) \[(?P<time>[^\]]+)\] '
    r'"(?P<request>[^"\\]*(?:\\.[^"\\]*)*)" (?P<status>\d{3}|-) (?P<bytes>\d+|-)'
    r'(?: "(?P<referer>[^"\\]*(?:\\.[^"\\]*)*)" "(?P<user_agent>[^"\\]*(?:\\.[^"\\]*)*)")?(?P<rest>.*)'
)
NAMED = ("remote_host", "remote_user", "user_agent")
FREE_TEXT = ("request", "referer", "rest")


class AccessLog(WithoutHeader):
    name = "access"
    positional = True

    def fields(self, line: str) -> list[Field] | None:
        match = LINE.match(line)
        if match is None:
            return None
        fields = [Field(name, *match.span(name)) for name in NAMED if match.group(name) is not None]
        fields += [
            Field(None if name == "rest" else name, *match.span(name), free_text=True)
            for name in FREE_TEXT
            if match.group(name)
        ]
        return sorted(fields, key=lambda field: field.start)
