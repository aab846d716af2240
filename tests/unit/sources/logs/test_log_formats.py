"""Log formats: which one a file is written in, and the fields each line splits into."""

from __future__ import annotations

import pytest

from pdscan.sources.logs.formats import detect_format, new_format

SAMPLES = {
    "json": ['{"ts":1,"msg":"a"}', 'caddy  | {"level":"info","msg":"b"}'],
    "logfmt": ['ts=2026-11-25 level=info msg="hello world" user=alice', "level=warn msg=retry attempt=2"],
    "access": [
        '192.0.2.1 - - [25/Nov/2026:06:00:00 +0000] "GET / HTTP/1.1" 200 512',
        '192.0.2.1 - bob [25/Nov/2026:06:00:00 +0000] "GET /a HTTP/1.1" 404 0 "-" "curl/8"',
    ],
    "w3c": [
        "#Software: Microsoft Internet Information Services 10.0",
        "#Fields: date time c-ip",
        "2026-11-25 06:00:00 192.0.2.1",
    ],
    "zeek": ["#separator \\x09", "#fields\tts\tid.orig_h", "1.0\t192.0.2.1"],
    "syslog": [
        "Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster from 192.0.2.186",
        "<34>1 2026-11-25T06:00:00Z host app 42 ID47 - started",
    ],
    "plain": ["Starting service", "Traceback (most recent call last):", "  File x.py, line 3"],
}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_a_file_is_recognised_by_its_first_lines(name: str) -> None:
    assert detect_format(SAMPLES[name] * 3) == name


def test_a_mixed_file_without_a_majority_is_plain_text() -> None:
    assert detect_format(SAMPLES["json"] + SAMPLES["syslog"] + SAMPLES["plain"]) == "plain"


def fields(name: str, line: str, head: tuple[str, ...] = ()) -> list[tuple[str | None, str]]:
    found = new_format(name, head).fields(line)
    assert found is not None
    return [(field.path, line[field.start : field.end]) for field in found]


def test_json_fields_are_named_by_path_with_arrays_under_their_key() -> None:
    line = 'app | {"a":{"b":[1,{"c":"x\\"y"}]},"d":"e","f":["u","v"],"n":null}'
    assert fields("json", line) == [
        (None, "app | "),
        ("a.b", "1"),
        ("a.b.c", 'x\\"y'),
        ("d", "e"),
        ("f", "u"),
        ("f", "v"),
        ("n", "null"),
    ]


def test_a_line_that_does_not_fit_is_none_and_read_as_plain_text() -> None:
    assert new_format("json").fields("not json at all") is None
    assert new_format("access").fields("GET / HTTP/1.1") is None


def test_access_log_fields_by_position() -> None:
    line = (
        '2001:db8::1 - alice [25/Nov/2026:06:00:00 +0000] "GET /?q=1 HTTP/1.1" 200 5 "https://r.example/" "curl/8" 0.3'
    )
    assert fields("access", line) == [
        ("remote_host", "2001:db8::1"),
        ("remote_user", "alice"),
        ("request", "GET /?q=1 HTTP/1.1"),
        ("referer", "https://r.example/"),
        ("user_agent", "curl/8"),
        (None, " 0.3"),
    ]


def test_w3c_and_zeek_fields_are_named_by_their_header() -> None:
    w3c = fields(
        "w3c",
        "2026-11-25 06:00:00 192.0.2.1 - Mozilla/5.0+(X11)",
        ("#Fields: date time c-ip cs-username cs(User-Agent)",),
    )
    assert w3c == [
        ("date", "2026-11-25"),
        ("time", "06:00:00"),
        ("c-ip", "192.0.2.1"),
        ("cs(User-Agent)", "Mozilla/5.0+(X11)"),
    ]
    zeek = fields("zeek", "1.0\t192.0.2.1\t-\t(empty)", ("#fields\tts\tid.orig_h\thost\tuser_agent",))
    assert zeek == [("ts", "1.0"), ("id.orig_h", "192.0.2.1")]


CLOUDFRONT_FIELDS = (
    "#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer)"
    " cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol"
    " cs-bytes time-taken x-forwarded-for"
)
CLOUDFRONT_VALUES = (
    ("date", "2026-11-25"),
    ("time", "06:00:00"),
    ("x-edge-location", "NRT57-P2"),
    ("sc-bytes", "2390"),
    ("c-ip", "192.0.2.44"),
    ("cs-method", "GET"),
    ("cs(Host)", "d111111abcdef8.cloudfront.net"),
    ("cs-uri-stem", "/signup"),
    ("sc-status", "200"),
    ("cs(Referer)", "https://www.example.com/"),
    ("cs(User-Agent)", "Mozilla/5.0%20(Windows%20NT%2010.0;%20Win64;%20x64)%20Gecko/20100101%20Firefox/121.0"),
    ("cs-uri-query", "email=ann%40example.com&ref=mail"),
    ("cs(Cookie)", "session-id=9f3c2a71b4e8d605"),
    ("x-edge-result-type", "Hit"),
    ("x-edge-request-id", "SOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ=="),
    ("x-host-header", "www.example.com"),
    ("cs-protocol", "https"),
    ("cs-bytes", "412"),
    ("time-taken", "0.001"),
    ("x-forwarded-for", "2001:db8::1"),
)


def test_cloudfront_lines_are_split_on_tabs_under_a_space_separated_header() -> None:
    line = "\t".join(value for _, value in CLOUDFRONT_VALUES)
    head = ("#Version: 1.0", CLOUDFRONT_FIELDS)
    assert detect_format([*head, line]) == "w3c"
    assert fields("w3c", line, head) == list(CLOUDFRONT_VALUES)


def test_syslog_message_and_structured_data_are_free_text() -> None:
    assert fields("syslog", "Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user x from 192.0.2.1") == [
        (None, "Invalid user x from 192.0.2.1")
    ]
    assert fields("syslog", '<34>1 2026-11-25T06:00:00Z h app 1 ID [o ip="192.0.2.1"] hi') == [
        (None, '[o ip="192.0.2.1"]'),
        (None, "hi"),
    ]


def test_logfmt_pairs_quoted_and_bare() -> None:
    assert fields("logfmt", 'level=info msg="a b" user=alice;') == [
        ("level", "info"),
        ("msg", "a b"),
        ("user", "alice"),
    ]
