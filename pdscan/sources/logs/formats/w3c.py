"""W3C extended log files named by a `#Fields:` header: IIS separates values by spaces (a space in
a value written `+`), AWS CloudFront by tabs (values may then hold spaces)."""

from __future__ import annotations

from pdscan.sources.logs.formats.columns import HeaderNamedColumns


class W3cExtended(HeaderNamedColumns):
    name = "w3c"
    escapes = False  # IIS writes a backslash as itself (`SHOP\bob`) and spaces as `+`
    separator = " "
    header_prefix = "#Fields:"
    identifying = ("#Fields:", "#Software: Microsoft")
    unset = frozenset({"-"})
    free_text = frozenset({"cs-uri-query", "cs(referer)", "cs(cookie)", "cs-uri"})

    def separator_of(self, line: str) -> str:
        """Tabs when the line holds one (CloudFront), else spaces (IIS): told per line, since a
        space inside a tab-separated value must not split it."""
        return "\t" if "\t" in line else " "
