"""W3C extended log files (IIS): space-separated values named by a `#Fields:` header."""

from __future__ import annotations

from pdscan.sources.logformats.columns import HeaderNamedColumns


class W3cExtended(HeaderNamedColumns):
    name = "w3c"
    separator = " "
    header_prefix = "#Fields:"
    identifying = ("#Fields:", "#Software: Microsoft")
    unset = frozenset({"-"})
    free_text = frozenset({"cs-uri-query", "cs(referer)", "cs(cookie)", "cs-uri"})
