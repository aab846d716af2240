"""Log formats: which one a file is written in, the fields each line splits into, and what the log
source finds in them. One fixture pair per case (tests/fixtures/logs/<format>/<case>.log beside
<case>.expected.yml: the format detected from the file's lines, each line's fields as (field,
text), null for a line the format does not fit, and every value found as line, field and
category). support/fixture_pairs.py says how to add a case."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.fixture_pairs import FixturePair, Flow, FlowList, check_pair, fixture_pairs
from support.log_helpers import category, scan_paths

from pdscan.sources.logs.formats import detect_format, new_format
from pdscan.sources.logs.paths import LOG_PATH_VARIABLE


@pytest.mark.parametrize("pair", fixture_pairs("logs", ".log", leave_out=("decoys",)))
def test_a_log_is_read_as_its_expected_file_says(pair: FixturePair) -> None:
    lines = pair.path.read_text(encoding="utf-8").splitlines()
    log_format = detect_format(lines)
    assert log_format == pair.family, "the format is recognised by the file's lines, and the case sits in its folder"
    parser = new_format(log_format, [line for line in lines if line.startswith("#")])
    split = [parser.fields(line) for line in lines]
    _, records = scan_paths(pair.path)
    found = {
        "format": log_format,
        "lines": [
            None if fields is None else FlowList([field.path, line[field.start : field.end]] for field in fields)
            for line, fields in zip(lines, split, strict=True)
        ],
        "found": [
            Flow(line=line, field=field, category=name)  # field null: in free text
            for line, field, name in sorted(
                {(r.line, r.field, category(r.data_type)) for r in records}, key=lambda f: (f[0], f[1] or "", f[2])
            )
        ],
    }
    check_pair(pair, found)


@pytest.mark.parametrize("path", ["", "lines"], ids=["fast path", "line by line"])
def test_a_quoted_remote_user_is_reported_as_a_bare_one_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    """`%u` in quotes (`"carol smith"`, a LogFormat that quotes it): the field is the login
    without its quotes, judged and masked as a bare one; one with spaces is still the login the
    server authenticated (an LDAP or Windows account), a capitalised person's name a name."""
    monkeypatch.setenv(LOG_PATH_VARIABLE, path)
    request = '[07/Dec/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 1 "-" "curl/8"'
    users = ["bob", '"bob"', '"carol smith"', '"Carol Smith"', '"-"', '""']
    (tmp_path / "access.log").write_text("".join(f"192.0.2.1 - {user} {request}\n" for user in users))
    _, records = scan_paths(tmp_path / "access.log", show_data=False)
    users_found = [(r.line, r.start, r.end, r.data_type, r.value) for r in records if r.field == "remote_user"]
    assert users_found == [
        (1, 12, 15, "user.account.username", "***"),
        (2, 13, 16, "user.account.username", "***"),
        (3, 13, 24, "user.account.username", "c***h (11 chars)"),
        (4, 13, 24, "user.name", "C***h (11 chars)"),
    ]
