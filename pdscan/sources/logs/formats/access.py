"""Apache and nginx access logs: common, combined, and combined with extra fields after it."""

from __future__ import annotations

import re

from pdscan.model import Field
from pdscan.sources.logs.formats.interface import WithoutHeader

LINE = re.compile(
    r'(?P<remote_host>\S+) (?P<ident>\S+) (?P<remote_user>"[^"]*"|\S+) \[(?P<time>[^\]]+)\] '
    r'"(?P<request>[^"\\]*(?:\\.[^"\\]*)*)" (?P<status>\d{3}|-) (?P<bytes>\d+|-)'
    r'(?: "(?P<referer>[^"\\]*(?:\\.[^"\\]*)*)" "(?P<user_agent>[^"\\]*(?:\\.[^"\\]*)*)")?(?P<rest>.*)'
)
# The fields in the order they stand in a line; free text (a request line with its query
# string) may hold `key=value` pairs and phrases, and only counts when not empty.
FIELDS = (
    ("remote_host", False),
    ("remote_user", False),
    ("request", True),
    ("referer", True),
    ("user_agent", False),
    ("rest", True),
)


class AccessLog(WithoutHeader):
    name = "access"
    positional = True

    def fields(self, line: str) -> list[Field] | None:
        match = LINE.match(line)
        if match is None:
            return None
        fields = []
        for name, free_text in FIELDS:
            start, end = match.span(name)
            if start < 0 or (free_text and start == end):  # absent (common format) or empty
                continue
            if name == "remote_user" and line[start] == '"':  # a LogFormat's `"%u"`: the login within
                start, end = start + 1, end - 1
            fields.append(Field(None if name == "rest" else name, start, end, free_text))
        return fields


# LINE over a block of lines at once (`findall`, multiline): no class reaches past a line's end,
# and the referer and agent are one group too, so that a common-format line tells itself apart.
# For a line that holds no line break it matches what LINE matches, group for group.
BLOCK = re.compile(
    r'^(\S+) (\S+) ("[^"\n]*"|\S+) \[([^\]\n]+)\] "([^"\\\n]*(?:\\.[^"\\\n]*)*)" (\d{3}|-) (\d+|-)'
    r'( "([^"\\\n]*(?:\\.[^"\\\n]*)*)" "([^"\\\n]*(?:\\.[^"\\\n]*)*)")?([^\n]*)$',
    re.MULTILINE,
)
