"""Positional logs counted by distinct column values (the engine run once per new value, not per
line) find what reading line by line finds, in the cases where a value alone does not tell: a
`not_after` that reads into the column before, a phrase that runs on past its column, a number
written across columns, lines read whole among the others, values too long to remember."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from support.log_helpers import scan_paths
from test_log_fast_paths_columns import access_log, assert_same_findings

from pdscan.sources.logs import columnar, segments, unit, value_memo
from pdscan.sources.logs.paths import LOG_PATH_VARIABLE

IP = "user.device.ip_address"


def counted(path: Path, forced: str, monkeypatch: pytest.MonkeyPatch) -> dict[tuple[str | None, str], tuple]:
    """Per field and data type: count, first and last line, samples; as one unit reads the log."""
    monkeypatch.setenv(LOG_PATH_VARIABLE, forced)
    result = unit.scan_unit(unit.Unit(0, str(path), "", ()), unit.UnitOptions())
    assert result.error is None
    return {key: (s.count, s.first_line, s.last_line, s.samples) for key, s in result.stats.items()}


def by_both(path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[tuple[str | None, str], tuple]:
    fast = counted(path, "", monkeypatch)
    assert fast == counted(path, "lines", monkeypatch)
    return fast


def w3c(fields: str, rows: list[str]) -> str:
    """A W3C log; tests cut it in small slices (`unit.SLICE`): a slice holding a header line is
    read line by line, so only the slices after the header are read by values."""
    return "\n".join(["#Software: Microsoft Internet Information Services 10.0", f"#Fields: {fields}", *rows]) + "\n"


def test_a_version_word_in_the_column_before_an_address_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`version 198.51.100.7` across two W3C columns reads as a version number (the ipv4 rule's
    `not_after` reads back across the space), `shop 198.51.100.7` as an address: the same value
    in the same column, judged by what stands before it in each line."""
    monkeypatch.setattr(unit, "SLICE", 512)
    rows = [f"10:00:{n % 60:02d} {'version' if n % 3 == 0 else 'shop'} 198.51.100.7" for n in range(90)]
    path = tmp_path / "u_ex.log"
    path.write_text(w3c("time x-product x-addr", rows))
    stats = by_both(path, monkeypatch)
    assert stats["x-addr", IP][:3] == (60, 4, 92), "the 30 lines after `version` hold no address"


def test_a_phrase_running_on_past_its_column_is_read_in_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An agent ending in `tel` followed, after its closing quote, by a number in the rest of
    the line: the phone phrase runs on past the agent's column, so those lines are read whole;
    the same agent at the end of a line holds nothing."""
    head = '192.0.2.{n} - - [01/Mar/2024:00:00:00 +0000] "GET /a HTTP/1.1" 200 5 "-" "support-bot tel"'
    lines = [head.format(n=n % 200 + 1) + (" 03-1234-5678" if n % 4 == 0 else "") for n in range(400)]
    path = tmp_path / "access.log"
    path.write_text("\n".join(lines) + "\n")
    stats = by_both(path, monkeypatch)
    phones = [stats[key] for key in stats if key[1].startswith("user.contact.phone")]
    assert phones and phones[0][0] == 100


def test_a_card_number_written_across_columns_is_read_in_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A spaced card number whose groups stand in four space-separated columns is a match
    across columns: no value alone holds it, so its lines are read whole."""
    monkeypatch.setattr(unit, "SLICE", 1024)
    rows = [f"192.0.2.{n % 50 + 1} 4111 1111 1111 1111" for n in range(200)]
    rows += [f"192.0.2.{n % 50 + 1} 5555 0000 1234 5678" for n in range(200)]
    path = tmp_path / "u_ex.log"
    path.write_text(w3c("c-ip x-a x-b x-c x-d", rows))
    stats = by_both(path, monkeypatch)
    assert stats["c-ip", IP][0] == 400
    assert any("credit_card" in data_type for _, data_type in stats), "the card across columns is found"


def test_lines_read_whole_keep_their_place_in_counts_lines_and_samples(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Non-ASCII lines, lines with an escape and common-format lines are read whole between
    lines counted by values: first and last lines and the order of samples are the log's."""
    monkeypatch.setattr(unit, "SLICE", 2048)
    template = '{client} - - [01/Mar/2024:00:00:00 +0000] "GET /p?email={user}@example.com HTTP/1.1" 200 5 "-" "curl/8"'
    lines = []
    for n in range(300):
        line = template.format(client=f"192.0.2.{n % 7 + 1}", user=f"u{n % 11}")
        if n % 17 == 3:
            line = line.replace("/p?", "/café?")
        elif n % 19 == 5:
            line = line.replace("/p?", "/a\\x22b?")
        elif n % 23 == 7:
            line = line.split(' "-"')[0]  # common format
        lines.append(line)
    path = tmp_path / "access.log"
    path.write_text("\n".join(lines) + "\n")
    stats = by_both(path, monkeypatch)
    assert stats["request", "user.contact.email"][:3] == (300, 1, 300)
    assert_same_findings(monkeypatch, path)


def test_a_memo_at_its_bound_starts_again_and_finds_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    value_memo.value_memo.cache_clear()  # the process's memos, from a fresh start
    monkeypatch.setattr(value_memo, "MEMO_SIZE", 40)
    monkeypatch.setattr(unit, "SLICE", 4096)
    path = tmp_path / "access.log"
    path.write_text(access_log(random.Random(5), 1500))
    by_both(path, monkeypatch)
    options = unit.UnitOptions()
    analyser, _ = unit.load_tools(options.text_engine, options.value_rules)
    assert (
        max(len(memo.judged) for memo in value_memo.value_memo(analyser).values()) <= 40 + 200
    )  # one slice's values at most


def test_a_value_longer_than_the_memo_takes_is_read_in_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    long_path = "/x?" + "&".join(f"k{index}=v" for index in range(200)) + "&email=long@example.com"
    line = f'192.0.2.9 - - [01/Mar/2024:00:00:00 +0000] "GET {long_path} HTTP/1.1" 200 5 "-" "curl/8.5.0"'
    path = tmp_path / "access.log"
    path.write_text((line + "\n") * 30)
    stats = by_both(path, monkeypatch)
    assert stats["request", "user.contact.email"][0] == 30
    options = unit.UnitOptions()
    analyser, _ = unit.load_tools(options.text_engine, options.value_rules)
    assert not any(
        value
        for memo in value_memo.value_memo(analyser).values()
        for value in memo.judged
        if len(value) > columnar.MEMO_VALUE
    )


def test_the_ranges_of_a_log_read_in_one_process_share_their_values(tmp_path: Path) -> None:
    """A worker reads many ranges of one log: the second range's values are not judged again."""
    path = tmp_path / "access.log"
    text = "".join(line for line in access_log(random.Random(3), 400).splitlines(keepends=True) if '" "' in line)
    path.write_text(text + text)
    options = unit.UnitOptions()
    analyser, _ = unit.load_tools(options.text_engine, options.value_rules)
    half = len(text.encode())
    first = unit.scan_unit(unit.Unit(0, str(path), "access", (), None, 0, half, half), options)
    judged = sum(len(memo.judged) for memo in value_memo.value_memo(analyser).values())
    second = unit.scan_unit(unit.Unit(0, str(path), "access", (), None, half, half, half), options)
    assert judged > 0
    assert sum(len(memo.judged) for memo in value_memo.value_memo(analyser).values()) == judged, "nothing judged anew"
    assert {key: stats.count for key, stats in first.stats.items()} == {
        key: stats.count for key, stats in second.stats.items()
    }


def test_streamed_occurrences_are_placed_by_the_column_memo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`--format ndjson` streams each occurrence with its offsets: those lines are not counted by values."""
    path = tmp_path / "access.log"
    path.write_text(access_log(random.Random(9), 200))
    called = []
    read = segments.SegmentReader.read
    monkeypatch.setattr(segments.SegmentReader, "read", lambda self, *a: called.append(1) or read(self, *a))
    monkeypatch.setenv(LOG_PATH_VARIABLE, "")
    _, records = scan_paths(path)
    assert records and not called
    scan_paths(path, keep_records=False)
    assert called


def test_all_columns_together_stay_within_their_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Many columns of ever-new long values: the memos start again together at MEMO_BYTES."""
    value_memo.value_memo.cache_clear()
    monkeypatch.setattr(value_memo, "MEMO_BYTES", 20_000)
    monkeypatch.setattr(unit, "SLICE", 2048)
    rows = [" ".join(f"v{column}-{n}-" + "x" * 40 for column in range(6)) + f" 192.0.2.{n % 9 + 1}" for n in range(600)]
    path = tmp_path / "u_ex.log"
    path.write_text(w3c("x-a x-b x-c x-d x-e x-f c-ip", rows))
    assert by_both(path, monkeypatch)["c-ip", IP][0] == 600
    options = unit.UnitOptions()
    analyser, _ = unit.load_tools(options.text_engine, options.value_rules)
    memos = value_memo.value_memo(analyser)
    held = sum(len(value) + value_memo.ENTRY_BYTES for memo in memos.values() for value in memo.judged)
    assert held == memos.weight <= 20_000 + 2048 * 4, "at most the bound and one slice's values"


def test_windows_line_ends_are_read_by_values_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """IIS writes `\\r\\n`: the `\\r` stands after each line's last column, as a separator would,
    and such slices are counted by values like any other, finding what lines find."""
    monkeypatch.setattr(unit, "SLICE", 1024)
    rows = [
        f"10:00:{n % 60:02d} 192.0.2.{n % 9 + 1} GET /p?email=u{n % 5}@example.com tel+03-1234-5678" for n in range(300)
    ]
    path = tmp_path / "u_ex.log"
    path.write_bytes(w3c("time c-ip cs-method cs-uri-query x-note", rows).replace("\n", "\r\n").encode())
    taken = []
    read = segments.SegmentReader.read
    monkeypatch.setattr(segments.SegmentReader, "read", lambda self, *a: taken.append(read(self, *a)) or taken[-1])
    stats = by_both(path, monkeypatch)
    assert stats["c-ip", IP][:3] == (300, 3, 302)
    assert any(taken), "slices after the header are read by values"
    assert_same_findings(monkeypatch, path)
