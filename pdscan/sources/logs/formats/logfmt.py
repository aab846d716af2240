"""logfmt: `key=value key2="quoted value"`, as Heroku, Go and many services write it."""

from __future__ import annotations

import re

from pdscan.model import Field
from pdscan.sources.logs.formats.interface import WithoutHeader

# An unquoted value ends at white space; a trailing `;` or `,` separates, it is not the value.
PAIR = re.compile(r'(?:^|(?<=\s))([A-Za-z_@][\w.@/-]{0,63})=(?:"([^"\\]*(?:\\.[^"\\]*)*)"|(\S*?))[;,]?(?=\s|$)')
MIN_PAIRS = 2
MIN_COVERAGE = 0.6  # share of the line's characters inside pairs


class Logfmt(WithoutHeader):
    name = "logfmt"
    positional = False

    def fields(self, line: str) -> list[Field] | None:
        fields = []
        covered = 0
        for match in PAIR.finditer(line):
            covered += match.end() - match.start()
            if match.group(2) is not None:
                fields.append(Field(match.group(1), match.start(2), match.end(2), free_text=True))
            else:  # an unquoted value holding `=` holds pairs of its own: `url=/login?token=…`
                value = match.group(3)
                fields.append(Field(match.group(1), match.start(3), match.end(3), free_text="=" in value))
        stripped = len(line.strip())
        if len(fields) < MIN_PAIRS or not stripped or covered / stripped < MIN_COVERAGE:
            return None
        return fields
