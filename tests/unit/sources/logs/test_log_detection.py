"""What the log source finds in one line, format by format: validated values, phrases, field
names; and what it must not find (decoys a naive pattern would report)."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.log_helpers import found_in, scan_paths

UA = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
W3C_HEADER = "#Software: Microsoft Internet Information Services 10.0\n#Fields: date time c-ip cs-username cs(User-Agent) cs-uri-query sc-status\n"  # noqa: E501
ZEEK_HEADER = "#separator \\x09\n#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\thost\tuser_agent\n"

FINDS = [
    pytest.param(
        '{"level":"info","request":{"client_ip":"203.0.113.9","headers":{"User-Agent":["' + UA + '"]}}}\n',
        {("request.client_ip", "ip_address", "203.0.113.9"), ("request.headers.User-Agent", "device", UA)},
        id="json-nested-paths",
    ),
    pytest.param(
        'web_1  | {"msg":"signup","user":{"email":"hanako.yamada@example.com"}}\n',
        {("user.email", "email", "hanako.yamada@example.com")},
        id="json-with-docker-compose-prefix",
    ),
    pytest.param(
        "ts=2026-11-25T06:00:00Z level=info user=alice ip=198.51.100.7 sid=8c2e6b1d0f4a9e37 msg=login\n",
        {("user", "account", "alice"), ("ip", "ip_address", "198.51.100.7"), ("sid", "cookie", "8c2e6b1d0f4a9e37")},
        id="logfmt-keys",
    ),
    pytest.param(
        f'198.51.100.23 - bob [24/Nov/2026:10:15:40 +0000] "GET /account?email=jiro%40example.org HTTP/1.1" 200 5 "-" "{UA}"\n',  # noqa: E501
        {
            ("remote_host", "ip_address", "198.51.100.23"),
            ("remote_user", "account", "bob"),
            ("request", "email", "jiro%40example.org"),
            ("user_agent", "device", UA),
        },
        id="access-log-positional-fields",
    ),
    pytest.param(
        W3C_HEADER + "2026-11-25 06:00:00 192.0.2.44 carol Mozilla/5.0+(Windows+NT+10.0) sid=abcdef123456 200\n",
        {
            ("c-ip", "ip_address", "192.0.2.44"),
            ("cs-username", "account", "carol"),
            ("cs(User-Agent)", "device", "Mozilla/5.0+(Windows+NT+10.0)"),
            ("cs-uri-query.sid", "cookie", "abcdef123456"),
        },
        id="iis-w3c-by-header",
    ),
    pytest.param(
        ZEEK_HEADER + "1732514400.1\tCx1\t192.0.2.10\t51515\t198.51.100.80\tshop.example\tcurl/8.5.0\n",
        {
            ("id.orig_h", "ip_address", "192.0.2.10"),
            ("id.resp_h", "ip_address", "198.51.100.80"),
            ("user_agent", "device", "curl/8.5.0"),
        },
        id="zeek-tsv-by-header",
    ),
    pytest.param(
        "Dec 10 07:13:31 LabSZ sshd[24227]: pam_unix(sshd:auth): authentication failure; logname= uid=0 "
        "euid=0 tty=ssh ruser= rhost=192.0.2.76.dynamic-dsl.example.net  user=root\n"
        "Dec 10 07:13:43 LabSZ sshd[24227]: Failed password for invalid user admin from 192.0.2.8 port 42393 ssh2\n",
        {
            ("rhost", "ip_address", "192.0.2.76.dynamic-dsl.example.net"),
            ("user", "account", "root"),
            (None, "account", "admin"),
            (None, "ip_address", "192.0.2.8"),
        },
        id="syslog-sshd-phrases-and-pairs",
    ),
    pytest.param(
        "Dec 10 07:13:44 LabSZ sshd[24228]: Disconnected from invalid user oscar 192.0.2.15 port 1 [preauth]\n"
        "Dec 10 07:13:45 LabSZ sshd[249]: Connection closed by authenticating user peggy 192.0.2.16 port 1 [preauth]\n"
        "Dec 10 07:13:46 LabSZ sudo:    quinn : TTY=pts/0 ; PWD=/home/quinn ; USER=root ; COMMAND=/bin/ls\n",
        {
            (None, "account", "oscar"),
            (None, "ip_address", "192.0.2.15"),
            (None, "account", "peggy"),
            (None, "ip_address", "192.0.2.16"),
            (None, "account", "quinn"),  # who ran sudo
            ("USER", "account", "root"),  # the account sudo ran as: a login name too
        },
        id="syslog-sshd-disconnects-and-sudo",
    ),
    pytest.param(
        '<34>1 2026-11-25T06:00:00Z host app 42 ID47 [origin ip="192.0.2.61"] user deleted card 4111-1111-1111-1111\n',
        {("ip", "ip_address", "192.0.2.61"), (None, "credit_card", "4111-1111-1111-1111")},
        id="syslog-rfc5424-structured-data",
    ),
    pytest.param(
        "payment failed for card 3782 822463 10005 and iban GB82 WEST 1234 5698 7654 32\n",
        {(None, "credit_card", "3782 822463 10005"), (None, "bank_account", "GB82 WEST 1234 5698 7654 32")},
        id="amex-and-iban-in-text",
    ),
    pytest.param(
        "enrolled imei=490154203237518 mac=00:00:5e:00:53:af idfa=6D92078A-8246-4BA4-AE5B-76104861E7DC\n",
        {
            ("imei", "device_id", "490154203237518"),
            ("mac", "device_id", "00:00:5e:00:53:af"),
            ("idfa", "device_id", "6D92078A-8246-4BA4-AE5B-76104861E7DC"),
        },
        id="device-ids",
    ),
    pytest.param(
        '{"customer":{"phone":"03-1234-5678","dob":"1990-04-01","lat":"35.6895","lng":"139.6917"}}\n',
        {
            ("customer.phone", "phone", "03-1234-5678"),
            ("customer.dob", "date_of_birth", "1990-04-01"),
            ("customer.lat", "location", "35.6895"),
            ("customer.lng", "location", "139.6917"),
        },
        id="keys-phone-japan-dob-location",
    ),
    pytest.param(
        "GET /callback?tel=%2B81312345678&ok=1 sent to +1 415-555-2671 via sms\n",
        {("tel", "phone", "%2B81312345678"), (None, "phone", "+1 415-555-2671")},
        id="phones-url-encoded-and-international",
    ),
    pytest.param(
        "proxy: Cookie: sid=abc123def456; theme=dark; _ga=GA1.2.1234567890.1234567890\n",
        {("sid", "cookie", "abc123def456"), ("_ga", "cookie", "GA1.2.1234567890.1234567890")},
        id="cookie-header-read-cookie-by-cookie",
    ),
    pytest.param(
        W3C_HEADER + "2026-11-25 06:00:00 192.0.2.44 carol curl/8.5.0 v=1.2.3.4 200\n",
        {
            ("c-ip", "ip_address", "192.0.2.44"),
            ("cs-username", "account", "carol"),
            ("cs(User-Agent)", "device", "curl/8.5.0"),
        },
        id="iis-version-in-query-is-no-address",
    ),
    pytest.param(
        "login ip=192.0.2.4 from 192.0.2.5 port 22 card=4539578763621486\n",
        {
            ("ip", "ip_address", "192.0.2.4"),
            (None, "ip_address", "192.0.2.5"),
            ("card", "credit_card", "4539578763621486"),
        },
        id="addresses-and-cards-next-to-version-and-order-rules",
    ),
    pytest.param(
        '<Data Name="IpAddress">192.0.2.100</Data> flow 192.0.2.101:1234 -> 198.51.100.1:80\n'
        "allow 192.0.2.1-192.0.2.9 GET /geoip/192.0.2.7 kubelet: node 192.0.2.5 NotReady\n",
        # (in a range, the first address is followed by a hyphen, which ends versions like `1.2.3.4-beta`)
        {(None, "ip_address", f"192.0.2.{n}") for n in (100, 101, 9, 7, 5)} | {(None, "ip_address", "198.51.100.1")},
        id="addresses-in-markup-arrows-ranges-paths-and-after-product-names",
    ),
    pytest.param(
        "client 2001:db8:85a3::8a2e:370:7334 connected via [2001:db8::2]:443\n",
        {(None, "ip_address", "2001:db8:85a3::8a2e:370:7334"), (None, "ip_address", "2001:db8::2")},
        id="ipv6",
    ),
    pytest.param(
        r'{"msg":"boot\nlogin from 192.0.2.1\tby bob@example.com\r\nGB82WEST12345698765432",'
        r'"html":"\u003cdan@example.com\u003e"}'
        "\n",
        {
            ("msg", "ip_address", "192.0.2.1"),
            ("msg", "email", "bob@example.com"),
            ("msg", "bank_account", "GB82WEST12345698765432"),
            ("html", "email", "dan@example.com"),
        },
        id="json-escapes-are-separators-not-part-of-values",
    ),
    pytest.param(
        r'{"msg":"trace\n  Invalid user admin3 from 198.51.100.4\nsid=abcdef0123456789abcdef"}' "\n",
        {
            ("msg", "account", "admin3"),
            ("msg", "ip_address", "198.51.100.4"),
            ("msg.sid", "cookie", "abcdef0123456789abcdef"),
        },
        id="json-escapes-before-phrases-and-keys",
    ),
    pytest.param(
        r'{"path":"D:\\share\\nadia@example.com"}' "\n",
        {("path", "email", "nadia@example.com")},
        id="json-escaped-backslash-then-a-letter-is-no-escape",
    ),
    pytest.param(
        "starting shop-api\nlistening on port 8080\n"
        '{"sid":"abcdef0123456789abcdef","first_name":"Nadia","user":{"email":"n@example.com"}}\n',
        {
            ("sid", "cookie", "abcdef0123456789abcdef"),
            ("first_name", "name", "Nadia"),
            ("user.email", "email", "n@example.com"),
        },
        id="json-line-in-a-plain-file-keeps-its-keys",
    ),
    pytest.param(
        "request headers: phone: 03-1234-5678\nAccept-Language: ja-JP\n",
        {("phone", "phone", "03-1234-5678"), ("Accept-Language", "device", "ja-JP")},
        id="key-colon-value-in-free-text",
    ),
    pytest.param(
        "Login(user=olga) ok [user=petr] done, user=quinn.\n",
        {("user", "account", "olga"), ("user", "account", "petr"), ("user", "account", "quinn")},
        id="unquoted-value-ends-before-brackets-and-a-full-stop",
    ),
    pytest.param(
        "x first_name='Lena' y phone = 090-1234-5678\n"
        "UPDATE users SET birth_date='1991-03-04' WHERE mail='a@example.com'\n"
        'Parameters: {"user"=>{"last_name"=>"Sato"}}\n'
        "<QueryDict: {'given_name': ['Ivy']}>\n"
        "imap-login: Login: user=<ivan>, method=PLAIN\n",
        {
            ("first_name", "name", "Lena"),
            ("phone", "phone", "090-1234-5678"),
            ("birth_date", "date_of_birth", "1991-03-04"),
            ("mail", "email", "a@example.com"),
            ("last_name", "name", "Sato"),
            ("given_name", "name", "Ivy"),
            ("user", "account", "ivan"),
        },
        id="sql-ruby-python-and-mail-log-pairs",
    ),
    pytest.param(
        "user moved geo=35.68,139.69 ok\nlocation: 35.6812, 139.7671\n",
        {("geo", "location", "35.68,139.69"), ("location", "location", "35.6812, 139.7671")},
        id="a-coordinate-pair-in-free-text-is-one-value",
    ),
    pytest.param(
        '{"電話番号":"090-1234-5678","氏名":"山田 太郎","生年月日":"1990-04-01"}\n'
        "電話番号: 03-1234-5678 お名前=佐藤花子\n",
        {
            ("電話番号", "phone", "090-1234-5678"),
            ("氏名", "name", "山田 太郎"),
            ("生年月日", "date_of_birth", "1990-04-01"),
            ("電話番号", "phone", "03-1234-5678"),
            ("お名前", "name", "佐藤花子"),
        },
        id="japanese-keys",
    ),
    pytest.param(
        r'{"level":"info","payload":"{\"idfa\":\"6D92078A-8246-4BA4-AE5B-76104861E7DC\"}"}' "\n",
        {("payload.idfa", "device_id", "6D92078A-8246-4BA4-AE5B-76104861E7DC")},
        id="json-held-in-a-json-string-keeps-its-keys",
    ),
    pytest.param(
        "kyc ok passport_number=TX1234567 ssn=078-05-1120\n",
        {("passport_number", "identity_document", "TX1234567"), ("ssn", "identity_document", "078-05-1120")},
        id="identity-documents-by-logfmt-key",
    ),
    pytest.param(
        '{"kyc":{"passport":{"no":"TK7654321"},"myNumber":"4021 2345 6786","driversLicense":"301234567890",'
        '"zairyu_card_number":"AB12345678CD","national_id":"610923451091"}}\n',
        {
            ("kyc.passport.no", "identity_document", "TK7654321"),
            ("kyc.myNumber", "identity_document", "4021 2345 6786"),
            ("kyc.driversLicense", "identity_document", "301234567890"),
            ("kyc.zairyu_card_number", "identity_document", "AB12345678CD"),
            ("kyc.national_id", "identity_document", "610923451091"),
        },
        id="identity-documents-by-json-path",
    ),
    pytest.param(
        'verify: id_document_number: "4509 123456"\nupload menkyo_bangou=123456789012 id_card=X12345678.\n',
        {
            ("id_document_number", "identity_document", "4509 123456"),
            ("menkyo_bangou", "identity_document", "123456789012"),
            ("id_card", "identity_document", "X12345678"),
        },
        id="identity-documents-by-key-in-free-text",
    ),
]

DECOY_LINES = {
    "luhn-invalid-and-epoch-ms": "order 4111111111111112 paid at 1761019822315 (evt 5555555555554445)\n",
    "versions": "GET /static/bundle-7.3.1.12.js rv:1.9.0.19 Firefox/2.0.0.4 v1.2.3.4 1.2.3.4.5\n",
    "versions-by-words": "deps: openssl 1.1.1.20 loaded; api level 7.20.0.19; requires >= 5.5.0.19\n",
    "json-technical": '{"service.version":"1.28.5.145","request_id":"0f8fad5b-d9cb-469f-a165-70867728950e"}\n',
    "request-uuids": "trace_id=0f8fad5b-d9cb-469f-a165-70867728950e uuid=3f2504e0-4f89-11d3-9a0c-0305e82c3301\n",
    "redacted-placeholders": '{"Cookie":["REDACTED"],"user":"-","password":"[FILTERED]"}\n',
    "unspecified-and-loopback": "listening on 0.0.0.0:80 and 127.0.0.1:9000 and [::1]:2019\n",
    "times-and-code": "elapsed 12:30:45.123, std::vector<int> resized, tz=+09:00\n",
    "keys-with-wrong-values": "user_id=1234567 location=https://shop.example.com/cart dob_required=true\n",
    "retina-image-names": "GET /img/logo@2x.png HTTP/1.1 200 icon@3x.webp sprite@1.5x.JPG\n",
    "versions-by-query-and-word": "GET /x.js?v=2.0.0.4 HTTP/1.1 plugin 2.0.0.4 loaded\n",
    "identity-document-flags-and-states": '{"passport_required":true,"passport_status":"verified",'
    '"passport":"pending","ssn":"required","my_number":null,"document_number":false,"id_card":1}\n',
    "numbers-that-name-no-identity-document": "license_number=LIC-20240567 document_number=INV-2024-00017\n",
    "identity-document-keys-with-wrong-values": "id_card_type=front passport_number=- license_number=1 "
    "ssn=000-00-0000 ssn=666-12-3456 national_id=2026-11-25 mynumber=402123456787 passport=000000000\n",
    "luhn-valid-order-ids": 'order_id=4539578763621486 {"order_id":"4539578763621486","invoice_no":"4111111111111111"}'
    "\n",
}
DECOYS = [pytest.param(text, id=name) for name, text in DECOY_LINES.items()]


@pytest.mark.parametrize(("text", "expected"), FINDS)
def test_finds_personal_values_by_pattern_phrase_and_field_name(
    tmp_path: Path, text: str, expected: set[tuple[str | None, str, str]]
) -> None:
    assert found_in(tmp_path, text) == expected


@pytest.mark.parametrize("text", DECOYS)
def test_look_alikes_are_not_reported(tmp_path: Path, text: str) -> None:
    assert found_in(tmp_path, text) == set()


@pytest.mark.parametrize("engine", ["hyperscan", "re2", "re"])
def test_every_engine_finds_the_same(tmp_path: Path, engine: str) -> None:
    text = "".join(param.values[0] for param in FINDS + DECOYS)
    reference = found_in(tmp_path, text, name="all.log", text_engine="re")
    assert found_in(tmp_path, text, name="all.log", text_engine=engine) == reference
    assert len(reference) > 30


FULL_STOPS = (
    "Sent mail to dave@example.com.\n"
    "Banned 192.0.2.45. Reason: spam\n"
    "call +81 3-1234-5678.\n"
    "mac 00:1A:2B:3C:4D:5E.\n"
    '{"msg":"blocked 192.0.2.46."}\n'
)


@pytest.mark.parametrize("engine", ["hyperscan", "re2", "re"])
def test_a_value_ending_a_sentence_is_found_without_its_full_stop(tmp_path: Path, engine: str) -> None:
    """Prose log lines end with a full stop; it ends the value, it is not part of it."""
    assert found_in(tmp_path, FULL_STOPS, text_engine=engine) == {
        (None, "email", "dave@example.com"),
        (None, "ip_address", "192.0.2.45"),
        (None, "phone", "+81 3-1234-5678"),
        (None, "device_id", "00:1A:2B:3C:4D:5E"),
        ("msg", "ip_address", "192.0.2.46"),  # a JSON line in a plain file, read as JSON
    }


def test_values_next_to_invalid_utf8_and_wide_characters_keep_their_offsets(tmp_path: Path) -> None:
    path = tmp_path / "mixed.log"
    path.write_bytes("ユーザー 登録 hanako@example.org ok\n".encode() + b"\xff\xfe broken bytes jiro@example.org\n")
    from support.log_helpers import scan_paths

    _, records = scan_paths(path)
    lines = path.read_bytes().decode("utf-8", "replace").splitlines()
    for record in records:
        assert lines[record.line - 1][record.start : record.end] == record.value
    assert {record.value for record in records} == {"hanako@example.org", "jiro@example.org"}


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("imei=490154203237518\n", "imei"),
        ('{"imei":"490154203237518"}\n', "imei"),
        ('{"device":{"device_id":"490154203237518"}}\n', "device.device_id"),
        ("push token device_id=490154203237518\n", "device_id"),
    ],
)
def test_a_value_its_key_and_its_pattern_both_find_is_one_finding_of_the_narrower_type(
    tmp_path: Path, text: str, field: str
) -> None:
    """The key `imei` says `user.device.device_id`, the IMEI pattern its child
    `user.device.device_id.imei`: one value, one finding, one mask (two masks of one value
    would together show more than either)."""
    path = tmp_path / "devices.log"
    path.write_text(text)
    _, records = scan_paths(path, show_data=False)
    assert [(r.field, r.data_type, r.value) for r in records] == [
        (field, "user.device.device_id.imei", "*************18")
    ]


def test_a_key_narrower_than_the_pattern_that_found_the_same_value_is_the_one_finding() -> None:
    """The other way round (a rule's key for a child type, a pattern for its parent): still one."""
    from pdscan.detect.line_analyser import FIELD_NAME, Occurrence, _deduplicated

    value = "490154203237518"
    by_pattern = Occurrence(None, "user.device.device_id", "serial", 6, 21, value)
    by_key = Occurrence("idfa", "user.device.device_id.advertising_id", FIELD_NAME, 6, 21, value)
    assert _deduplicated([by_pattern, by_key], frozenset()) == [by_key]


def test_identity_documents_are_reported_with_their_document_type(tmp_path: Path) -> None:
    """The key says which document: a passport, a licence, a national number (My Number, SSN)."""
    path = tmp_path / "kyc.log"
    path.write_text(
        "passport_no=TX1234567 driver_license=301234567890 my_number=402123456786 ssn=078051120 "
        "residence_card=AB12345678CD\n"
    )
    _, records = scan_paths(path)
    assert [(record.field, record.data_type) for record in records] == [
        ("passport_no", "user.government_id.passport_number"),
        ("driver_license", "user.government_id.drivers_license_number"),
        ("my_number", "user.government_id.national_identification_number"),
        ("ssn", "user.government_id.national_identification_number"),
        ("residence_card", "user.government_id"),
    ]


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("402123456786", True),
        ("4021 2345 6786", True),
        ("4021-2345-6786", True),
        ("123456789018", True),  # remainder 3: check digit 11 - 3 = 8
        ("610923451091", True),
        ("402123456787", False),  # wrong check digit
        ("40212345678", False),  # eleven digits
        ("4021234567860", False),  # thirteen
        ("000000000000", False),  # remainder 0 gives check digit 0, but no one holds it
        ("4021 2345678 6", False),  # not grouped as written on the card
    ],
)
def test_my_number_check_digit(number: str, valid: bool) -> None:
    """Japan's Individual Number: weights 6,5,4,3,2,7,6,5,4,3,2; check 11 - sum mod 11, 0 from 10."""
    from pdscan.ruleset.value_checks import CHECKS

    assert (CHECKS["my_number"](number, "JP") is not None) is valid


@pytest.mark.parametrize(
    ("separator", "name", "log_format"),
    [("\u2028", "app.jsonl", "json"), ("\x0c", "access.log", "access"), ("\x1e", "app.jsonl", "json")],
    ids=["json U+2028", "access form feed", "json record separator"],
)
def test_a_log_is_told_by_the_lines_it_is_read_in(tmp_path: Path, separator: str, name: str, log_format: str) -> None:
    """Its format is told from lines cut where its reader cuts them, at LF: a JSON string may
    hold U+2028 or a control character unescaped, a user agent a form feed. Cut there too,
    the first lines fitted no format and the log was read as plain text."""
    if log_format == "json":
        lines = [f'{{"msg": "a{separator}b", "user": {{"email": "u{n}@example.com"}}}}' for n in range(5)]
    else:
        request = '[07/Dec/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 1 "-"'
        lines = [f'192.0.2.{n} - - {request} "a{separator}b"' for n in range(5)]
    (tmp_path / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    scan, _ = scan_paths(tmp_path / name)
    assert scan.summaries[0].log_format == log_format
