"""How software writes personal values in logs, shape by shape (issue 16): what a parent
object says of a generic key, host names that embed an address, service session ids, secrets,
person names under generic keys, syslog account shapes, and values known by a word near them."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.log_helpers import found_in, scan_paths

from pdscan.ruleset.log_rules import bundled_log_rules

SYSLOG = "Nov 25 06:00:01 web01 "

FINDS = [
    pytest.param(
        '{"session":{"id":"f3a9c2e1b7d84a60"},"device":{"model":"Pixel 8","os":"Android 14"}}\n',
        {
            ("session.id", "cookie", "f3a9c2e1b7d84a60"),
            ("device.model", "device", "Pixel 8"),
            ("device.os", "device", "Android 14"),
        },
        id="parent-names-id-model-os",
    ),
    pytest.param(
        '{"address":{"postal_code":"100-0001","prefecture":"東京都"},"card":{"number":"4111 1111 1111 1111"},'
        '"phone":{"number":"03-1234-5678"}}\n',
        {
            ("address.postal_code", "address", "100-0001"),
            ("address.prefecture", "address", "東京都"),
            ("card.number", "credit_card", "4111 1111 1111 1111"),
            ("phone.number", "phone", "03-1234-5678"),
        },
        id="parent-names-address-card-phone",
    ),
    pytest.param(
        "level=info device.model=iPhone15,2 session.id=9b1f7e3a2c4d5e6f\n",
        {("device.model", "device", "iPhone15,2"), ("session.id", "cookie", "9b1f7e3a2c4d5e6f")},
        id="dotted-keys-in-logfmt",
    ),
    pytest.param(
        '{"user":{"name":"Hanako Yamada"},"customer":{"name":"Ivan Petrov"},"author":"Jane Q. Doe"}\n'
        '{"name":"山田太郎"}\n',
        {
            ("user.name", "name", "Hanako Yamada"),
            ("customer.name", "name", "Ivan Petrov"),
            ("author", "name", "Jane Q. Doe"),
            ("name", "name", "山田太郎"),
        },
        id="person-names-under-generic-keys",
    ),
    pytest.param(
        "startup user.name=svcrunner java.version=21\n",
        {("user.name", "account", "svcrunner")},
        id="user-name-holding-a-login-is-an-account",
    ),
    pytest.param(
        SYSLOG
        + "sshd[812]: pam_unix(sshd:auth): authentication failure; rhost=c-198-51-100-7.hsd1.ca.example.net\n"
        + SYSLOG
        + "dhcpd: DHCPACK to host-192-0-2-33 via eth0\n"
        + SYSLOG
        + "kernel: connect from ip-203-0-113-12.ec2.internal refused\n",
        {
            ("rhost", "ip_address", "c-198-51-100-7.hsd1.ca.example.net"),
            (None, "ip_address", "host-192-0-2-33"),
            (None, "ip_address", "ip-203-0-113-12.ec2.internal"),
        },
        id="host-names-embedding-an-address",
    ),
    pytest.param(
        SYSLOG
        + "sshd(pam_unix)[9]: authentication failure; rhost=198051100007.dsl.example.net\n"
        + SYSLOG
        + "ftpd[7]: connection from 192.0.2.7 (dsl-static-7.2.0.192.example.net) at Wed Nov 25 06:00:01 2026\n"
        + SYSLOG
        + "passwd(pam_unix)[31]: password changed for frank\n",
        {
            ("rhost", "ip_address", "198051100007.dsl.example.net"),
            (None, "ip_address", "192.0.2.7"),
            (None, "ip_address", "dsl-static-7.2.0.192.example.net"),
            (None, "account", "frank"),
        },
        id="resolved-client-names-and-password-changes",
    ),
    pytest.param(
        "Nov 25 06:00:01 Hanakos-iPhone mDNSResponder[99]: registered ivans-MacBook-Pro.local\n"
        + SYSLOG
        + "smbd[1]: client DESKTOP-4F7K2QH connected\n"
        + "Jul  1 09:02:26 hanakoMacBook-Pro kernel[0]: wake\n",
        {
            (None, "device", "Hanakos-iPhone"),
            (None, "device", "ivans-MacBook-Pro"),
            (None, "device", "DESKTOP-4F7K2QH"),
            (None, "device", "hanakoMacBook-Pro"),
        },
        id="personal-device-names",
    ),
    pytest.param(
        SYSLOG
        + "CROND[4410]: (alice) CMD (run-parts /etc/cron.hourly)\n"
        + SYSLOG
        + "sendmail[7]: 4AP60x01: from=bob, size=1024, class=0, nrcpts=1, relay=bob@localhost\n"
        + SYSLOG
        + "sendmail[7]: 4AP60x01: to=carol, ctladdr=dave (1000/1000), delay=00:00:01, mailer=local\n"
        + SYSLOG
        + "systemd-logind[500]: New session 12 of user erin.\n",
        {
            (None, "account", "alice"),
            (None, "account", "bob"),
            (None, "account", "carol"),
            (None, "account", "dave"),
            (None, "account", "erin"),
        },
        id="syslog-account-shapes",
    ),
    pytest.param(
        SYSLOG
        + "su[4410]: (to root) grace on pts/0\n"
        + SYSLOG
        + "su[4410]: pam_unix(su:session): session opened for user root by heidi(uid=1000)\n"
        + SYSLOG
        + "systemd[1]: Started Session 7 of User ivan.\n"
        + SYSLOG
        + "useradd[1234]: new user: name=judy, UID=1001, GID=1001, home=/home/judy\n"
        + SYSLOG
        + "userdel[9]: delete user 'mallory'\n",
        {
            (None, "account", "root"),
            (None, "account", "grace"),
            (None, "account", "heidi"),
            (None, "account", "ivan"),
            (None, "account", "judy"),
            (None, "account", "mallory"),
        },
        id="su-systemd-and-user-administration",
    ),
    pytest.param(
        "Nov 25 06:00:01 lb haproxy[7]: 192.0.2.8:5133 [25/Nov/2026:06:00:01.143] fe be/s1 0/0/7/14/15 200 1139 "
        "- - ---- 2/1/0/0/0 0/0 {Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0|shop.example} "
        '{} "GET / HTTP/1.1"\n',
        {
            (None, "ip_address", "192.0.2.8"),
            (None, "device", "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"),
        },
        id="haproxy-captured-user-agent",
    ),
    pytest.param(
        "お問い合わせ 電話 03-1234-5678 まで\ncall the customer on phone 090-1234-5678 today\n"
        "ticket 42: customer phone number is (415) 555-0132, mobile: 020 7946 0958\n",
        {
            (None, "phone", "03-1234-5678"),
            (None, "phone", "090-1234-5678"),
            (None, "phone", "(415) 555-0132"),
            (None, "phone", "020 7946 0958"),
        },
        id="national-phone-near-a-phone-word",
    ),
    pytest.param(
        "applicant SSN 078-05-1120 verified; social security number: 219-09-9999\n",
        {(None, "identity_document", "078-05-1120"), (None, "identity_document", "219-09-9999")},
        id="dashed-ssn-with-context",
    ),
    pytest.param(
        "paid with 5019717010103742 then 6759649826438453 then 135410014004955\n",
        {
            (None, "credit_card", "5019717010103742"),
            (None, "credit_card", "6759649826438453"),
            (None, "credit_card", "135410014004955"),
        },
        id="dankort-maestro-uatp",
    ),
    pytest.param(
        "refund to DE89-3704-0044-0532-0130-00 ok\nblocked 2001:db8::17.\n",
        {(None, "bank_account", "DE89-3704-0044-0532-0130-00"), (None, "ip_address", "2001:db8::17")},
        id="dashed-iban-and-ipv6-ending-a-sentence",
    ),
]

DECOYS = [
    pytest.param(
        "2026-11-25 INFO Processed session termination for sessionid: 0x14ab93111f20027\n"
        "2026-11-25 INFO Client attempting to renew session 0x24ab93119420016\n"
        "Nov 25 06:00:01 web01 systemd-logind[500]: Session 12 logged out. sessionid=42\n"
        "2026-11-25 06:00:01, Info  CBS    Session: 30546173_4261722401 initialized by client WindowsUpdateAgent.\n",
        id="service-session-ids",
    ),
    pytest.param(
        '{"name":"Nightly Backup","job":{"name":"report-export"},"file":{"name":"Invoice 2026.pdf"},'
        '"service":{"name":"Payment Gateway"},"registry":"x","owner":"Docker Hub","model":"gpt-4o","os":"linux"}\n',
        id="names-of-jobs-files-services",
    ),
    pytest.param(
        "kernel: device_name=sda1 device.name=eth0 device_model=/dev/nvme0n1\n"
        '{"job":{"id":"a3f9c2e1b7d84a60"},"build":{"number":"4111111111111112"},"device":{"count":"12345678"}}\n',
        id="generic-keys-under-other-parents",
    ),
    pytest.param(
        "build-2026-11-25-01.example.net node-1-2-3.example.net range 10-20-30-400 v1-2-3-4 "
        "f47ac10b-58cc-4372-a567-0e02b2c3d479\n",
        id="dashed-numbers-that-embed-no-address",
    ),
    pytest.param(
        "MacBook-Pro iPhone-Build-Server web-01 DESKTOP-SETUP\n",
        id="device-words-that-name-no-personal-device",
    ),
    pytest.param(
        "tel 2026-11-25 phone model 12345 telemetry 03-1234-5678 phone at 2026-11-25 12:00:01\n"
        "SSN 666-12-3456 SSN 900-12-3456 id 078-05-1120\n",
        id="numbers-near-no-phone-or-ssn-word",
    ),
    pytest.param(
        "D WindowManager: opening app token=Token{9f4ef63 ActivityRecord{de9231d}}\n"
        "W ActivityManager: Bad activity token: android.os.BinderProxy@2bd79ce\n"
        "su: TTY=pts/0 ; PWD=/srv/app ; COMMAND=/bin/ls\n",
        id="objects-types-and-paths-where-a-secret-could-stand",
    ),
    pytest.param(
        "sendmail[7]: from=<>, size=1, to=2026-11-25, delay=1; Mounted root (ext2 filesystem)\n",
        id="sendmail-addresses-and-dates-are-no-local-accounts",
    ),
]


@pytest.mark.parametrize(("text", "expected"), FINDS)
def test_finds_values_by_how_software_writes_them(
    tmp_path: Path, text: str, expected: set[tuple[str | None, str, str]]
) -> None:
    assert found_in(tmp_path, text) == expected


@pytest.mark.parametrize("text", DECOYS)
def test_shapes_that_hold_no_personal_value_are_not_reported(tmp_path: Path, text: str) -> None:
    assert found_in(tmp_path, text) == set()


SECRETS = (
    '{"password":"Hunter2-Secret","api_key":"k3y-5up3r-53cr3t-v4lu3"}\n'
    "level=warn passwd=OpenSesame42 otp=493817 secret=Sh4r3dS3cr3t\n"
    "GET /login?user=alice&pwd=Tr0ub4dor3&token=eyJhbGciOiJIUzI1NiJ9abc HTTP/1.1\n"
)
SECRET_VALUES = (
    "Hunter2-Secret",
    "k3y-5up3r-53cr3t-v4lu3",
    "OpenSesame42",
    "493817",
    "Sh4r3dS3cr3t",
    "Tr0ub4dor3",
    "eyJhbGciOiJIUzI1NiJ9abc",
)


def test_secrets_are_credentials_never_shown_even_with_show_data(tmp_path: Path) -> None:
    path = tmp_path / "app.log"
    path.write_text(SECRETS, encoding="utf-8")
    _, records = scan_paths(path, show_data=True)
    secrets = [record for record in records if record.data_type == "user.authorization.credentials"]
    assert len(secrets) == len(SECRET_VALUES)
    shown = " ".join(str(record.value) for record in records)
    assert not any(value in shown for value in SECRET_VALUES)


def test_secrets_in_clear_text_earn_the_plaintext_sensitive_warning() -> None:
    assert bundled_log_rules().is_plaintext_sensitive("user.authorization.credentials")


@pytest.mark.parametrize("engine", ["hyperscan", "re2", "re"])
def test_every_engine_finds_the_same_shapes(tmp_path: Path, engine: str) -> None:
    text = "".join(param.values[0] for param in FINDS + DECOYS)
    reference = found_in(tmp_path, text, name="all.log", text_engine="re")
    assert found_in(tmp_path, text, name="all.log", text_engine=engine) == reference
    assert len(reference) > 40
