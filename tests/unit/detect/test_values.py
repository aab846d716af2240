"""Value detectors on text: validated, positioned, not fooled by versions, ids and timestamps."""

from __future__ import annotations

import ipaddress
import itertools

import pytest

from pdscan.detect.engine import Trigger, compile_engine
from pdscan.detect.line_analyser import LineAnalyser
from pdscan.detect.values import ValueMatch, bundled_detector
from pdscan.ruleset.datatypes import bundled_rules
from pdscan.ruleset.log_rules import bundled_log_rules
from pdscan.ruleset.validators import card_number, iban, imei, ipv4, luhn


def found(text: str) -> list[tuple[str, str]]:
    return [(match.detector, match.text) for match in bundled_detector().find(text)]


def test_a_log_line_yields_each_value_once_with_its_position() -> None:
    line = '198.51.100.7 - alice@example.com [25/Nov/2026:10:00:00 +0000] "GET /static/bundle-7.3.1.12.js HTTP/1.1"'
    matches = bundled_detector().find(line)
    assert [(m.detector, m.data_type, m.text) for m in matches] == [
        ("ipv4", "user.device.ip_address", "198.51.100.7"),
        ("email", "user.contact.email", "alice@example.com"),
    ]
    assert all(line[m.start : m.end] == m.text for m in matches)
    assert isinstance(matches[0], ValueMatch)


def test_version_strings_are_not_ip_addresses() -> None:
    agent = "Mozilla/5.0 (Windows; U; rv:1.9.0.19) Gecko/2010 Firefox/2.0.0.4 app-7.3.1.12.js v1.2.3.4"
    assert found(agent) == []


# Values whose text before an address reaches past the 32 characters `not_after` reads, or over
# a line break: a column value searched forwards (`^` never at the window's start, `\s` across
# lines) once judged them otherwise than a log line does.
NOT_AFTER_CASES = [
    ("abcdefghijklmnopqrstuvwxyzabcdefgh/192.0.2.7", []),  # a product name longer than the window
    ("GET /aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/192.0.2.7", []),  # as the window reads it: a product
    ("v\n192.0.2.8", ["192.0.2.8"]),  # a version marker on the line before is not before the value
    ("Firefox/2.0.0.4", []),
    ("GET /geoip/192.0.2.9", ["192.0.2.9"]),
]


@pytest.mark.parametrize(("text", "addresses"), NOT_AFTER_CASES)
def test_not_after_judges_a_value_the_same_in_a_column_and_in_a_log_line(text: str, addresses: list[str]) -> None:
    analyser = LineAnalyser(bundled_rules().value_detectors, bundled_log_rules())
    block = text.encode()
    kept = analyser.validated(block, compile_engine(analyser.triggers).scan(block))
    in_log = [block[start:end].decode() for trigger, start, end in kept if trigger < len(analyser.values)]
    in_column = [match.text for match in bundled_detector().find(text)]
    assert in_column == in_log == addresses


def test_card_numbers_need_luhn_a_brand_and_a_sane_grouping() -> None:
    assert found("paid with 4111 1111 1111 1111 today") == [("card_number", "4111 1111 1111 1111")]
    assert found("paid with 4111 1111 1111 1112 today") == []  # Luhn fails
    assert found("order 1234567812345678") == []  # no brand starts with 1
    assert found("4111-1111 1111-1111") == []  # mixed separators
    assert card_number("378282246310005")  # American Express, 15 digits
    assert luhn("4111111111111111") and not luhn("4111111111111112")


def test_an_amex_number_is_a_card_not_an_imei() -> None:
    assert found("378282246310005") == [("card_number", "378282246310005")]
    assert found("imei 490154203237518") == [("imei", "490154203237518")]
    assert imei("35-209900-176148-1")
    assert not imei("490154203237519")


def test_iban_check_digits() -> None:
    assert iban("GB82 WEST 1234 5698 7654 32")
    assert not iban("GB82 WEST 1234 5698 7654 33")
    assert found("pay to DE89 3704 0044 0532 0130 00 please") == [("iban", "DE89 3704 0044 0532 0130 00")]


def test_ipv6_including_mapped_ipv4_is_one_address() -> None:
    assert found("from ::ffff:192.0.2.1 port 22") == [("ipv6", "::ffff:192.0.2.1")]
    assert found("[2001:db8::2]:443") == [("ipv6", "2001:db8::2")]
    assert found("at 10:30:45 std::vector ::1") == []


@pytest.mark.parametrize("address", ["0.0.0.0", "127.0.0.1", "256.1.1.1"])
def test_placeholder_and_impossible_ipv4_addresses_are_rejected(address: str) -> None:
    assert not ipv4(address)


def test_ipv4_validator_accepts_exactly_what_ipaddress_accepts() -> None:
    """The validator reads octets itself (it runs for every candidate); the standard library
    is the reference for which dotted quads are addresses."""
    octets = ["0", "00", "01", "1", "9", "10", "99", "100", "199", "200", "249", "250", "255", "256", "999", "0255", ""]
    for first, second, last in itertools.product(octets, repeat=3):
        for text in (f"{first}.{second}.1.{last}", f"{first}.0.{second}.{last}", f"{first}.{second}.{last}"):
            try:
                address = ipaddress.IPv4Address(text)
            except ValueError:
                expected = False
            else:
                expected = not (address.is_unspecified or address.is_loopback)
            assert ipv4(text) is expected, text


def test_percent_encoded_email_addresses() -> None:
    assert found("GET /unsubscribe?to=bob%40example.org HTTP/1.1") == [("email", "bob%40example.org")]


def test_mac_addresses_but_not_placeholders() -> None:
    assert found("wlan0 00:00:5e:00:53:01 up") == [("mac_address", "00:00:5e:00:53:01")]
    assert found("ff:ff:ff:ff:ff:ff 00:00:00:00:00:00") == []


def test_plain_text_has_nothing() -> None:
    assert bundled_detector().find("Order 42 shipped on 2026-11-25 12:00:00, total 1999.00 JPY") == ()


def test_the_engine_scans_from_many_threads_at_once() -> None:
    """Live databases profile their tables on worker threads; the engine's scratch space is per
    thread (Hyperscan refuses a scratch in use by another scan)."""
    from concurrent.futures import ThreadPoolExecutor

    engine = compile_engine([Trigger(rule.trigger or rule.pattern) for rule in bundled_rules().value_detectors])
    blocks = [b" " * 2_000_000 + f"user{n}@example.com from 203.0.113.{n % 250 + 1}".encode() for n in range(32)]
    expected = [sorted(engine.scan(block)) for block in blocks]
    with ThreadPoolExecutor(max_workers=8) as pool:
        found = list(pool.map(lambda block: sorted(engine.scan(block)), blocks))
    assert found == expected
    assert len(expected[5]) >= 2, "the e-mail address and the IPv4 address"
