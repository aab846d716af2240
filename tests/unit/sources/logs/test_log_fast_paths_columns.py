"""Positional logs (access, W3C, Zeek) read by distinct column values find exactly what reading
them line by line finds: every finding, count, sample, first and last line, and every streamed
occurrence with its offsets, masked or shown. `PDSCAN_LOG_PATH=lines` forces the line-by-line path."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from support.command import run_pdscan
from support.log_helpers import scan_paths
from support.paths import SHARED

from pdscan.detect.engine import compile_engine
from pdscan.detect.line_analyser import LineAnalyser
from pdscan.ruleset.datatypes import bundled_rules
from pdscan.ruleset.log_rules import bundled_log_rules
from pdscan.sources.logs import columnar, counting, unit
from pdscan.sources.logs.formats import new_format
from pdscan.sources.logs.paths import LOG_PATH_VARIABLE

CORPUS_LOGS = SHARED / "corpus" / "logs"
# HAProxy writes through syslog, read as syslog lines: there it checks that the switch changes nothing.
POSITIONAL_CORPUS = ("elastic_apache_access_2k.log", "lnav_haproxy.log")

CLIENTS = ("192.0.2.7", "198.51.100.23", "2001:db8::5", "203.0.113.250", "10.0.0.1", "bob.example.com")
USERS = ("-", "alice", "bob@example.com", '"carol smith"', "hanako.sato")
PATHS = (
    "/index.html",
    "/login?email=aiko.sato%40example.com&next=%2F",
    "/subscribe?email=jan@example.org&phone=+81-3-1234-5678",
    "/pay?card=4111111111111111&amount=12",
    "/api/users/42?sid=4f9c2a7e11&lang=ja",
    "/reset?token=abc&user=olga&ip=198.51.100.9",
    "/static/bundle-7.3.1.12.js",
    "/q?text=Invalid+user+admin+from+203.0.113.8",
    "/a\\x22b?email=esc@example.com",
    "/café?name=José&email=jose@example.com",
)
REFERERS = ("-", "https://www.example.org/", "https://shop.example.com/c/3?email=ref@example.com")
AGENTS = (
    "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (Windows; U; Windows NT 5.1; en-US; rv:1.8.1.4) Gecko/20070515 Firefox/2.0.0.4",
    "curl/8.5.0",
    "openssl 1.1.7.15 probe",
    "Mozilla/5.0 Cookie: sid=4f9c2a7e11",  # a phrase whose value runs on past a tab
    "support-bot (tel 03-1234-5678)",
    "Mozilla/5.0 (iPhone) Mobile/15E148",  # a phrase's word with no phrase after it
    "okhttp",  # read as the key of an unnamed value after it: `"okhttp" : bob@example.com`
    "-",
)


def access_log(rng: random.Random, lines: int) -> str:
    """Combined (and common) access-log lines mixing repeated and new values."""
    out = []
    for number in range(lines):
        client = rng.choice(CLIENTS) if rng.random() < 0.8 else f"192.0.2.{rng.randint(1, 254)}"
        request = f"{rng.choice(('GET', 'POST'))} {rng.choice(PATHS)} HTTP/1.1"
        status, size = rng.choice(("200", "404", "302", "-")), rng.choice(("512", "-", "5123", "4111"))
        line = f'{client} - {rng.choice(USERS)} [01/Mar/2024:00:00:{number % 60:02d} +0000] "{request}" {status} {size}'
        if rng.random() < 0.8:
            line += f' "{rng.choice(REFERERS)}" "{rng.choice(AGENTS)}"'
            if rng.random() < 0.2:
                line += f" rt=0.{rng.randint(1, 9)} uid=user{rng.randint(1, 3)}@example.com"
            elif rng.random() < 0.1:
                line += " : bob@example.com"
        out.append(line)
    return "\n".join(out) + "\n"


# IIS writes Windows accounts as DOMAIN\user and escapes nothing: `\j` is no escape, `\n` and
# `\t` read as one (detection blanks them, in both paths), `\\` is an escaped backslash.
W3C_USERS = (*USERS, "SHOP\\jsmith", "SHOP\\nbob@example.com", "SHOP\\tanaka", "SHOP\\\\aiko@example.com")


def w3c_log(rng: random.Random, lines: int, separator: str = " ") -> str:
    fields = "date time s-ip cs-method cs-uri-stem cs-uri-query c-ip cs-username cs(User-Agent) cs(Cookie) sc-status"
    out = ["#Software: Microsoft Internet Information Services 10.0", "#Version: 1.0", f"#Fields: {fields}"]
    for number in range(lines):
        query = rng.choice(PATHS).partition("?")[2] or "-"
        agent = rng.choice(AGENTS).replace(" ", "+" if separator == " " else " ")
        cookie = rng.choice(("-", "sid=4f9c2a7e11;+_ga=GA1.2.3", f"email=c{number % 7}@example.com"))
        values = [
            "2026-11-24",
            f"10:00:{number % 60:02d}",
            "10.1.2.3",
            "GET",
            "/default.aspx",
            query,
            rng.choice(CLIENTS),
            rng.choice(W3C_USERS).strip('"').replace(" ", "+"),
            agent,
            cookie,
            "200",
        ]
        out.append(separator.join(values))
    return "\n".join(out) + "\n"


def zeek_log(rng: random.Random, lines: int) -> str:
    columns = ("ts", "uid", "id.orig_h", "id.resp_h", "method", "host", "uri", "referrer", "user_agent", "username")
    out = ["#separator \\x09", "#path\thttp", "#fields\t" + "\t".join(columns), "#types\t" + "\t".join(["string"] * 10)]
    for number in range(lines):
        values = (
            f"1764000000.{number:06d}",
            f"C{rng.randint(1, 30)}abc",
            rng.choice(CLIENTS),
            "192.0.2.1",
            "GET",
            "shop.example.com",
            rng.choice(PATHS),
            rng.choice(REFERERS),
            rng.choice(AGENTS),
            rng.choice(("-", "(empty)", "alice", "bob@example.com")),
        )
        out.append("\t".join(values))
    out.append("#close\t2026-11-24-10-00-00")
    return "\n".join(out) + "\n"


def both_paths(monkeypatch: pytest.MonkeyPatch, path: Path, show_data: bool) -> tuple[object, object]:
    """What the fast paths find, then what the line-by-line path finds: counted only (fields and
    summaries: counts, first and last lines, samples), as the JSON report reads a log, by
    distinct column values; and with every occurrence streamed (`--format ndjson`), by the column
    memo."""
    results = []
    for forced in ("", "lines"):
        monkeypatch.setenv(LOG_PATH_VARIABLE, forced)
        counted, _ = scan_paths(path, show_data=show_data, keep_records=False)
        streamed, records = scan_paths(path, show_data=show_data)
        results.append(((counted.fields, counted.summaries), (streamed.fields, streamed.summaries, records)))
    return results[0], results[1]


def assert_same_findings(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    for show_data in (True, False):
        fast, lines = both_paths(monkeypatch, path, show_data)
        assert fast[0] == lines[0], f"counted, show_data={show_data}"
        assert fast[1] == lines[1], f"streamed, show_data={show_data}"
    assert lines[1][2], "the log holds personal data: the comparison compares something"


GENERATED = {
    "access.log": lambda rng: access_log(rng, 3000),
    "u_ex_iis.log": lambda rng: w3c_log(rng, 2000),
    "cloudfront.log": lambda rng: w3c_log(rng, 2000, "\t"),
    "conn.log": lambda rng: zeek_log(rng, 2000),
}


@pytest.mark.parametrize("name", sorted(GENERATED))
def test_generated_positional_logs_give_the_same_findings_by_columns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    path = tmp_path / name
    path.write_text(GENERATED[name](random.Random(name)), encoding="utf-8")
    assert_same_findings(monkeypatch, path)


@pytest.mark.parametrize("name", POSITIONAL_CORPUS)
def test_corpus_positional_logs_give_the_same_reports_by_columns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """The JSON report and the ndjson stream, byte for byte, from both paths."""
    path = CORPUS_LOGS / name
    if not path.exists():
        pytest.skip("corpus not present")
    outputs = {}
    for forced in ("", "lines"):
        monkeypatch.setenv(LOG_PATH_VARIABLE, forced)
        for output in ("json", "ndjson"):
            result = run_pdscan(
                "scan", str(path), "--format", output, "--show-data", "--fail-on", "never", cwd=tmp_path
            )
            assert result.returncode == 0, result.stderr
            outputs[forced, output] = result.stdout
    assert outputs["", "ndjson"] == outputs["lines", "ndjson"]
    reports = [json.loads(outputs[forced, "json"]) for forced in ("", "lines")]
    for report in reports:
        del report["generated_at"]
    assert reports[0] == reports[1]
    assert outputs["", "ndjson"].strip(), "the log holds personal data"


def test_a_fields_header_changing_mid_file_renames_the_column_values(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same values under a new `#Fields:` line are judged by their new column: an address in
    `c-ip`, then the same text in `cs-username`, then in a column no rule names."""
    lines = ["#Fields: date time c-ip cs-username"]
    lines += ["2026-11-24 10:00:00 198.51.100.7 alice"] * 50
    lines += ["#Fields: date time cs-username c-ip"]
    lines += ["2026-11-24 10:00:01 198.51.100.7 alice"] * 50
    lines += ["#Fields: date time x-note c-ip"]
    lines += ["2026-11-24 10:00:02 bob@example.com 203.0.113.9"] * 50
    path = tmp_path / "u_ex.log"
    path.write_text("\n".join(lines) + "\n")
    assert_same_findings(monkeypatch, path)
    monkeypatch.setenv(LOG_PATH_VARIABLE, "")
    _, records = scan_paths(path)
    assert {(r.field, r.line) for r in records if r.value == "198.51.100.7"} >= {("c-ip", 2), ("cs-username", 53)}


def test_a_zeek_fields_header_moving_a_free_text_column_reads_its_pairs_under_the_new_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Zeek rewrites `#fields` when a log's columns change: `uri` (free text: its `token=` is read
    as a key) moves from the fourth column to the second, and `host`, which is not free text,
    takes its place. Both halves are read by their own header, by columns as line by line."""
    rng = random.Random(11)
    first = ["#separator \\x09", "#path\thttp", "#fields\tts\tuid\tid.orig_h\turi\thost"]
    second = ["#fields\tts\turi\tid.orig_h\thost\tuid"]
    for number in range(200):
        uri = f"/reset?token=t{number % 5}x9&email=u{number % 3}@example.com"
        client = rng.choice(CLIENTS)
        first.append(f"1764000000.{number:06d}\tC{number}a\t{client}\t{uri}\tshop.example.com")
        second.append(f"1764000100.{number:06d}\t{uri}\t{client}\ttoken=t{number % 5}x9\tC{number}b")
    path = tmp_path / "http.log"
    path.write_text("\n".join(first + second) + "\n")
    assert_same_findings(monkeypatch, path)
    monkeypatch.setenv(LOG_PATH_VARIABLE, "")
    _, records = scan_paths(path)
    tokens = {(r.field, r.line > len(first)) for r in records if "token" in (r.field or "")}
    assert tokens == {("uri.token", False), ("uri.token", True)}, "`token=` in host is not read: host is no free text"


def test_windows_accounts_with_a_backslash_are_judged_once_per_value(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`SHOP\\jsmith` holds a backslash but no escape: the line is what reading it whole searches,
    so its repeats are judged by their column values, not read whole line after line."""
    head = ["#Software: Microsoft Internet Information Services 10.0", "#Fields: date time c-ip cs-username"]
    lines = [f"2026-11-24 10:{number // 60:02d}:{number % 60:02d} 198.51.100.7 SHOP\\jsmith" for number in range(300)]
    path = tmp_path / "u_ex.log"
    path.write_text("\n".join(head + lines) + "\n")
    assert_same_findings(monkeypatch, path)
    judged = []
    analyse = LineAnalyser.analyse

    def counted(self: LineAnalyser, line: str, *arguments: object, **options: object) -> object:
        judged.append(line)
        return analyse(self, line, *arguments, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(LineAnalyser, "analyse", counted)
    monkeypatch.setenv(LOG_PATH_VARIABLE, "")
    _, records = scan_paths(path)
    assert {(r.field, r.value) for r in records} >= {("c-ip", "198.51.100.7"), ("cs-username", "SHOP\\jsmith")}
    assert len(judged) < 10, "each distinct column value is judged once"


@pytest.mark.parametrize("account", [f"SHOP\\{name}" for name in ("bob", "nancy", "tom", "rachel", "fred", "u0041bcd")])
def test_a_windows_account_whose_name_starts_like_an_escape_is_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, account: str
) -> None:
    """IIS writes no backslash escapes: `SHOP\\bob` is a domain and an account, not `SHOP`, a
    backspace and `ob`. Read as an escape, the account was blanked and never reported."""
    head = ["#Software: Microsoft Internet Information Services 10.0", "#Fields: date time c-ip cs-username"]
    lines = [f"2026-11-24 10:00:{number:02d} 198.51.100.7 {account}" for number in range(20)]
    path = tmp_path / "u_ex.log"
    path.write_text("\n".join(head + lines) + "\n")
    assert_same_findings(monkeypatch, path)
    _, records = scan_paths(path)
    assert [(r.line, r.field, r.value) for r in records if r.field == "cs-username"] == [
        (line, "cs-username", account) for line in range(3, 23)
    ]


def test_lines_longer_than_a_slice_give_the_same_findings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(unit, "SLICE", 4096)
    rng = random.Random(7)
    text = access_log(rng, 200)
    long_request = "/x?" + "&".join(f"k{index}=v" for index in range(3000)) + "&email=long@example.com"
    long_line = f'192.0.2.9 - - [01/Mar/2024:00:00:00 +0000] "GET {long_request} HTTP/1.1" 200 5 "-" "curl/8.5.0"'
    path = tmp_path / "access.log"
    path.write_text(text + long_line + "\n" + text + "x" * 20_000 + " user@example.com\n" + text)
    assert_same_findings(monkeypatch, path)


def test_a_line_in_no_format_in_the_middle_is_read_as_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(3)
    path = tmp_path / "access.log"
    path.write_text(access_log(rng, 300) + "panic: lost contact=ops@example.com at 192.0.2.77\n" + access_log(rng, 300))
    assert_same_findings(monkeypatch, path)
    monkeypatch.setenv(LOG_PATH_VARIABLE, "")
    _, records = scan_paths(path)
    assert (301, "ops@example.com") in {(r.line, r.value) for r in records}


def test_ever_new_values_keep_the_memo_bounded_and_the_findings_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every line new (a client and a path never seen before): the memo starts again at its
    size, and what is found does not change."""
    monkeypatch.setattr(columnar, "MEMO_SIZE", 64)
    lines = [
        f"192.0.{index // 250}.{index % 250 + 1} - - [01/Mar/2024:00:00:00 +0000] "
        f'"GET /u/{index}?email=u{index}@example.com HTTP/1.1" 200 {index} "-" "agent/{index}"'
        for index in range(3000)
    ]
    path = tmp_path / "access.log"
    path.write_text("\n".join(lines) + "\n")
    assert_same_findings(monkeypatch, path)

    analyser = LineAnalyser(bundled_rules().value_detectors, bundled_log_rules())
    engine = compile_engine(analyser.triggers, None)
    memo = columnar.ColumnMemo(analyser)
    log_format = new_format("access")
    largest = 0
    for line in lines:
        raw = line.encode()
        events = analyser.validated(raw, engine.scan(raw))
        assert memo.occurrences(line, log_format.fields(line) or [], events) is not None
        largest = max(largest, len(memo.verdicts))
    assert largest == 64
    value = "/" + "a" * columnar.MEMO_VALUE
    line = f'192.0.2.1 - - [01/Mar/2024:00:00:00 +0000] "GET {value} HTTP/1.1" 200 1 "-" "-"'
    memo.occurrences(line, log_format.fields(line) or [], [])
    assert not any(value in key[3] for key in memo.verdicts), "a value longer than MEMO_VALUE is not kept"


def test_a_column_of_few_values_is_masked_once_per_value_and_sampled_to_the_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Zeek column holding two addresses line after line, then a third: the samples are the
    three, masked, in order; each value is masked once per data type, not at every line (the
    samples stay fewer than SAMPLES until the last line); and no raw value leaves the unit."""
    masked: list[tuple[str, str]] = []
    mask = counting.shown_value

    def counted(value: str, data_type: str, show_data: bool) -> str:
        masked.append((value, data_type))
        return mask(value, data_type, show_data)

    monkeypatch.setattr(counting, "shown_value", counted)
    users = ["alice@example.com", "bob@example.org"] * 300 + ["carol@example.net"]
    head = ["#separator \\x09", "#path\thttp", "#fields\tts\tuid\tusername", "#types\ttime\tstring\tstring"]
    lines = [f"1764000000.{number:06d}\tC{number}x\t{user}" for number, user in enumerate(users)]
    path = tmp_path / "http.log"
    path.write_text("\n".join(head + lines) + "\n")
    result = unit.scan_unit(unit.Unit(0, str(path), "", ()), unit.UnitOptions())
    stats = result.stats["username", "user.contact.email"]
    assert stats.count == len(users)
    assert stats.samples == [mask(user, "user.contact.email", False) for user in users[:2] + users[-1:]]
    assert "alice@example.com" not in stats.samples
    assert len(masked) == len(set(masked)), "a value is masked once per data type"
    assert {value for value, _ in masked} == set(users)
    assert not any(stats.sampled for stats in result.stats.values()), "raw values stay in the unit"


def test_the_ranges_of_a_log_read_in_one_process_share_its_column_verdicts(tmp_path: Path) -> None:
    """A worker reads many ranges of one log: the second range's repeated values are not judged
    again (the memo is the process's, not the range's)."""
    path = tmp_path / "access.log"
    text = access_log(random.Random(3), 400)
    path.write_text(text + text)
    options = unit.UnitOptions()
    analyser, _ = unit.load_tools(options.text_engine, options.value_rules)
    memo = columnar.column_memo(analyser)
    half = len(text.encode())
    first = unit.scan_unit(unit.Unit(0, str(path), "access", (), None, 0, half, half), options)
    judged = len(memo.verdicts)
    second = unit.scan_unit(unit.Unit(0, str(path), "access", (), None, half, half, half), options)
    assert judged > 0 and len(memo.verdicts) == judged, "the second range judged nothing anew"
    assert first.stats.keys() == second.stats.keys()
    assert [stats.count for stats in first.stats.values()] == [stats.count for stats in second.stats.values()]
