"""Syslog lines: RFC 3164 (`Dec 10 06:55:46 host sshd[24200]: …`), RFC 5424, ISO-stamped.

The header (time, host, program) names the logging machine, not a person; the message is
free text where phrases (`Invalid user X from`) and `key=value` pairs (`rhost=`) are read.
"""

from __future__ import annotations

import re

from pdscan.model import Field
from pdscan.sources.logs.formats.interface import WithoutHeader

RFC3164 = re.compile(
    r"(?:<\d{1,3}>)?(?:[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\S*) "
    r"(?P<host>\S+) (?P<program>[^\s:\[]+)(?:\[\d+\])?: ?"
)
RFC5424 = re.compile(r"<\d{1,3}>1 \S+ (?P<host>\S+) \S+ \S+ \S+ (?P<data>-|(?:\[[^\]\\]*(?:\\.[^\]\\]*)*\])+) ?")


class Syslog(WithoutHeader):
    name = "syslog"
    positional = False

    def fields(self, line: str) -> list[Field] | None:
        match = RFC3164.match(line)
        if match is not None:
            return [Field(None, match.end(), len(line), free_text=True)]
        match = RFC5424.match(line)
        if match is None:
            return None
        fields = [Field(None, match.end(), len(line), free_text=True)]
        if match.group("data") != "-":
            fields.insert(0, Field(None, *match.span("data"), free_text=True))
        return fields
