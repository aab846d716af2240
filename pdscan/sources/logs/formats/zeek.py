"""Zeek (Bro) TSV logs: tab-separated values named by a `#fields` header; `-` is unset."""

from __future__ import annotations

from pdscan.sources.logs.formats.columns import HeaderNamedColumns


class ZeekTsv(HeaderNamedColumns):
    name = "zeek"
    separator = "\t"
    header_prefix = "#fields"
    identifying = ("#separator", "#fields\t")
    unset = frozenset({"-", "(empty)"})
    free_text = frozenset({"uri", "referrer", "query", "msg", "sub"})
