"""JSON lines read through the fast path (msgspec and a memo per line shape) find exactly what
the line-by-line path (`PDSCAN_LOG_PATH=lines`: the tokenizer for every line) finds: every
finding, count, sample and first/last line of the JSON report, and every occurrence with its
span and value in `--format ndjson --show-data`."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from click.testing import CliRunner
from support.paths import REPO

from pdscan.cli.commands import main
from pdscan.detect import field_memo
from pdscan.ruleset.datatypes import bundled_rules
from pdscan.sources.logs import value_memo
from pdscan.sources.logs.formats import json_fast
from pdscan.sources.logs.formats.json_fast import StructureMemo, structure_memo
from pdscan.sources.logs.formats.json_lines import JsonLines
from pdscan.sources.logs.paths import LOG_PATH_VARIABLE
from pdscan.sources.logs.reader import BLOCK
from pdscan.sources.logs.unit import Unit, UnitOptions, load_tools, scan_unit

CORPUS_LOGS = REPO.parent / "shared" / "corpus" / "logs"
NAMES = ("Aiko Sato", "Zoë Müller", "佐藤 花子", "Jan Kowalski", "Søren Dahl")
OUTPUTS = (("--format", "json"), ("--format", "ndjson", "--show-data"))


def _ip(rng: random.Random) -> str:
    return f"{rng.choice(('192.0.2', '198.51.100', '203.0.113'))}.{rng.randint(1, 254)}"


def _email(rng: random.Random) -> str:
    return f"{rng.choice(('aiko.sato', 'jan', 'lena+news', 'omar77'))}@{rng.choice(('example.com', 'example.org'))}"


def _line(rng: random.Random, number: int) -> str:
    """One line of a JSON application log, of a dozen shapes, some broken or prefixed."""
    stamp = f"2026-03-01T10:{number // 60 % 60:02d}:{number % 60:02d}.{number % 1000:03d}Z"
    kind = number % 17
    if kind == 0:  # a key that holds an IP in one line and a name in the next
        who = _ip(rng) if number % 2 else rng.choice(NAMES)
        return json.dumps({"ts": stamp, "who": who, "user": {"name": who}}, ensure_ascii=False)
    if kind == 1:  # nested objects, arrays of objects, numbers, nulls, booleans
        return json.dumps(
            {
                "ts": stamp,
                "level": "info",
                "user": {"id": rng.randint(1, 10**6), "email": _email(rng), "ip": _ip(rng), "tags": ["a", 1, None]},
                "items": [{"sku": f"SKU-{rng.randint(1, 99)}", "qty": rng.randint(1, 3)}, {"phone": "+81 3-1234-5678"}],
                "mfa": rng.random() < 0.5,
                "coupon": None,
                "total": rng.uniform(1, 99),
            },
            separators=(",", ":"),
        )
    if kind == 2:  # escaped strings: quotes, newlines, unicode escapes
        return json.dumps({"ts": stamp, "msg": f'said "hi" to {_email(rng)}\n\tthen left', "name": "Zo\u00eb"})
    if kind == 3:  # unicode written as such, spaces around colons
        name = rng.choice(NAMES)
        return f'{{"ts" : "{stamp}", "user" : {{ "name" : "{name}", "email" : "{_email(rng)}" }}, "n" : {number} }}'
    if kind == 4:  # key=value pairs and phrases inside a message
        return json.dumps(
            {"ts": stamp, "msg": f"Failed password for root from {_ip(rng)} port 22 ssh2 user={_email(rng)} sid=abc"}
        )
    if kind == 5:  # a prefix before the JSON, as docker-compose writes it
        return f'web-1  | {{"ts":"{stamp}","client_ip":"{_ip(rng)}","ua":"Mozilla/5.0 (iPhone) Mobile/15E148"}}'
    if kind == 6:  # broken in the middle: truncated, NaN, trailing data
        return rng.choice(
            (
                f'{{"ts":"{stamp}","email":"{_email(rng)}","cut":',
                f'{{"ts":"{stamp}","ratio":NaN,"ip":"{_ip(rng)}"}}',
                f'{{"ts":"{stamp}","ip":"{_ip(rng)}"}} {{"again":1}}',
            )
        )
    if kind == 7:  # duplicate keys, empty containers
        phone = f"+44 20 7946 0{number % 1000:03d}"
        return f'{{"ts":"{stamp}","ip":"{_ip(rng)}","ip":"{_ip(rng)}","e":{{}},"a":[],"phone":"{phone}"}}'
    if kind == 8:  # not JSON at all
        return f"{stamp} INFO plain text from {_ip(rng)} for {_email(rng)}"
    if kind == 9:  # a timestamp prefix, then JSON
        return f'{stamp} INFO {{"event":"login","user":"{_email(rng)}","card":"4111 1111 1111 1111"}}'
    if kind == 10:  # an array of bare values and a number holding a phone under its key
        return f'{{"ts":"{stamp}","codes":[1,2,{number}],"phone":4155550{number % 1000:03d},"ip":"{_ip(rng)}"}}'
    if kind == 12:  # a phrase finds the value, in a field no key rule reads
        return json.dumps({"ts": stamp, "note": f"ring +44 20 7946 0{number % 1000:03d} after five", "n": number})
    if kind == 13:  # characters before the value take more bytes than one: offsets mapped to characters
        return json.dumps(
            {"who": "佐藤 花子 さん、" * 4, "a": f"mail {_email(rng)}", "b": "z" * 60}, ensure_ascii=False
        )
    if kind == 14:  # escapes other than quotes: read with their letters blanked, a phrase after one
        return json.dumps({"name": "Zoë", "msg": f"a\nFailed password for root from {_ip(rng)}\tport 22", "n": 1})
    if kind == 11:  # a key=value pair no value pattern finds, inside a string: only its key says it
        return json.dumps({"ts": stamp, "msg": f"login ok user={rng.choice(('olga', 'kenji', 'priya'))} tries=2"})
    return json.dumps(
        {
            "ts": stamp,
            "level": rng.choice(("info", "debug")),
            "request_id": f"{rng.getrandbits(64):016x}",
            "http": {"path": f"/api/v1/orders/{rng.randint(1, 999)}", "status": 200, "ms": rng.randint(1, 900)},
            "client": {"ip": _ip(rng), "user_agent": "curl/8.5.0"} if number % 3 else None,
            "customer": {"email": _email(rng), "iban": "GB82 WEST 1234 5698 7654 32"} if number % 4 == 0 else None,
        },
        separators=(",", ":"),
    )


def _generated_log(path: Path, lines: int = 3000, long_line: bool = False) -> Path:
    rng = random.Random(20)
    text = [_line(rng, number) for number in range(lines)]
    if long_line:  # a line longer than a block, a personal value at each end, in the middle of the log
        filler = "x" * (BLOCK + 1000)
        text.insert(lines // 2, json.dumps({"email": "aiko.sato@example.com", "blob": filler, "ip": "203.0.113.9"}))
    path.write_text("\r\n".join(text[:10]) + "\n" + "\n".join(text[10:]) + "\n", encoding="utf-8")
    return path


def _report(path: Path, output: tuple[str, ...], line_by_line: bool) -> str:
    """The report of one scan, with the path forced or not (`--log-format json`: JSON lines)."""
    environment = {"NO_COLOR": "1", LOG_PATH_VARIABLE: "lines" if line_by_line else None}
    arguments = ["scan", str(path), *output, "--log-format", "json", "--jobs", "1", "--fail-on", "never"]
    result = CliRunner().invoke(main, arguments, env=environment)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    if output[1] == "json":
        report = json.loads(result.stdout)
        report.pop("generated_at", None)
        report.get("scan", {}).pop("duration_seconds", None)
        return json.dumps(report, sort_keys=True, indent=1)
    return result.stdout


def _assert_same_findings(path: Path) -> None:
    for output in OUTPUTS:
        fast, lines = _report(path, output, line_by_line=False), _report(path, output, line_by_line=True)
        assert fast == lines, output
    assert '"count"' in _report(path, OUTPUTS[0], line_by_line=False)  # the log holds something to compare


def test_a_generated_json_log_reads_the_same_through_both_paths(tmp_path: Path) -> None:
    _assert_same_findings(_generated_log(tmp_path / "app.log"))


def test_a_line_longer_than_a_block_reads_the_same_through_both_paths(tmp_path: Path) -> None:
    _assert_same_findings(_generated_log(tmp_path / "long.log", lines=200, long_line=True))


@pytest.mark.skipif(not CORPUS_LOGS.is_dir(), reason="the shared corpus is not beside the checkout")
@pytest.mark.parametrize("name", sorted(path.name for path in CORPUS_LOGS.glob("*json*")) or ["none"])
def test_a_corpus_json_log_reads_the_same_through_both_paths(name: str) -> None:
    _assert_same_findings(CORPUS_LOGS / name)


def _memo() -> StructureMemo:
    """A memo that has learnt no shape yet (the shapes a process learnt are kept across units)."""
    json_fast.learnt_shapes.cache_clear()
    analyser, _ = load_tools(None, bundled_rules().value_detectors)
    memo = structure_memo(JsonLines.name, analyser)
    assert memo is not None
    return memo


def test_a_known_shape_gives_the_tokenizer_fields_the_analysis_reads_and_leaves_out_the_rest() -> None:
    memo = _memo()
    first = '{"ts":"2026-03-01","level":"info","client":{"ip":"203.0.113.9"},"n":12,"msg":"ok"}'
    line = '{"ts":"2026-03-02","level":"warn","client":{"ip":"198.51.100.77"},"n":345,"msg":"fine"}'
    assert memo.fields(first, [], ascii_line=True) == JsonLines().fields(first)  # learnt from the tokenizer
    everything = JsonLines().fields(line)
    assert everything is not None
    keyed = [field for field in everything if field.path == "client.ip"]  # a key rule reads it
    assert memo.fields(line, [], ascii_line=True) == keyed
    number = line.index("345")  # an engine hit inside a bare value adds that value's field
    assert memo.fields(line, [(0, number, number + 3)], ascii_line=True) == keyed + [
        field for field in everything if field.path == "n"
    ]


def test_the_memo_stays_bounded_on_a_log_of_ever_new_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(json_fast, "MEMO_SIZE", 50)
    memo = _memo()
    tokenizer = JsonLines()
    for number in range(2000):
        line = f'{{"key_{number}":"203.0.113.{number % 250}","n":{number}}}'
        fields = memo.fields(line, [], ascii_line=True)
        assert set(fields or []) <= set(tokenizer.fields(line) or [])
        assert len(memo) <= 2 * 50


def test_the_field_memo_stays_bounded_on_a_log_of_ever_new_values(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every line names a new user: the fields' verdicts kept per process start again at the
    memo's size, and what is found is what the line-by-line path finds."""
    monkeypatch.setattr(field_memo, "MEMO_SIZE", 32)
    field_memo.field_memo.cache_clear()
    lines = [
        json.dumps({"user": {"email": f"u{number}@example.com", "ip": _ip(random.Random(number))}})
        for number in range(500)
    ]
    path = tmp_path / "users.log"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    try:
        _assert_same_findings(path)
        analyser, _ = load_tools(None, bundled_rules().value_detectors)
        memo = field_memo.field_memo(analyser)
        assert 0 < len(memo) <= 32
    finally:
        field_memo.field_memo.cache_clear()  # no memo of the patched size for the next test


def test_a_log_of_ever_new_shapes_stops_learning_them_and_reads_as_the_tokenizer_does() -> None:
    memo = _memo()
    tokenizer = JsonLines()
    for number in range(5000):
        line = f'{{"counts":{{"user{number}":{number},"user{number + 1}":1}},"ip":"203.0.113.{number % 250}"}}'
        assert memo.fields(line, [], ascii_line=True) == tokenizer.fields(line)  # every field: no shape known
    assert len(memo) <= 2 * json_fast.LEARN_LIMIT


def test_the_line_by_line_switch_read_as_a_unit_starts_turns_each_of_its_memos_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Read once per unit and handed down: forced, a unit of JSON lines learns no shape and
    keeps no field verdict, a unit of an access log judges no column value; not forced, each does."""
    analyser, _ = load_tools(None, bundled_rules().value_detectors)
    json_log = _generated_log(tmp_path / "app.log", lines=200)
    access_log = tmp_path / "access.log"
    access_log.write_text(
        '192.0.2.1 - - [01/Mar/2024:00:00:00 +0000] "GET /?email=a@example.com HTTP/1.1" 200 5 "-" "-"\n'
    )
    for forced in ("lines", ""):
        monkeypatch.setenv(LOG_PATH_VARIABLE, forced)
        for memo in (json_fast.learnt_shapes, field_memo.field_memo, value_memo.value_memo):
            memo.cache_clear()
        scan_unit(Unit(0, str(json_log), JsonLines.name, ()), UnitOptions())
        scan_unit(Unit(0, str(access_log), "access", ()), UnitOptions())
        kept = (
            len(json_fast.learnt_shapes(analyser).shapes),
            len(field_memo.field_memo(analyser)),
            sum(len(values.judged) for values in value_memo.value_memo(analyser).values()),
        )
        assert kept == (0, 0, 0) if forced else all(kept), (forced, kept)
    assert structure_memo("access", analyser) is None


def test_a_value_remembered_under_its_path_reads_as_its_line_would_have_it_read(tmp_path: Path) -> None:
    """The same value under the same path, in lines whose other keys, phrases and key words
    differ: the verdict remembered for (path, value) must still be the one each line gives."""
    lines = []
    for number in range(40):
        lines += [
            '{"who":"olga","note":"ok"}',  # no key word in the line: `who` read by nothing
            '{"who":"olga","email":"aiko.sato@example.com"}',  # a sibling's key word turns key rules on
            f'{{"phone":"020 7946 0958","n":{number}}}',  # a phrase from a key into the next value
            f'{{"tel":"020 7946 0958","n":{number}}}',
            f'{{"note":"020 7946 0958","n":{number}}}',  # the same value, no phrase before it
            f'{{"note":"call phone 020 7946 0958 now","n":{number}}}',  # a phrase inside its value
            '{"msg":"login user=olga","who":"olga"}',  # a key=value pair in a string
            '{"msg":"login user=olga","ip":"203.0.113.9"}',
            '{"ip":"203.0.113.9","client":{"ip":"203.0.113.9"}}',  # one value under two paths
            '{"see fax":["020 7946 0958 or 203.0.113.9"]}',  # no key rule; the phrase from the key reaches it
            '{"see fax":[1,"020 7946 0958 or 203.0.113.9"]}',  # same path and value, no phrase: the address only
        ]
    path = tmp_path / "siblings.log"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _assert_same_findings(path)


def test_a_process_reading_the_next_unit_of_a_log_learns_none_of_its_shapes_again() -> None:
    """The ranges of a large JSON log are read by the same workers: the shapes learnt in one
    range serve the next (each unit keeps its own count of how many shapes it had to learn). A
    line of a new shape gets every field from the tokenizer; of a known one, only those read."""
    lines = [_line(random.Random(20), number) for number in range(400)]
    first = _memo()
    assert first.fields(lines[0], [], ascii_line=True) == JsonLines().fields(lines[0])  # learnt here
    for line in lines:
        first.fields(line, [], ascii_line=True)
    analyser, _ = load_tools(None, bundled_rules().value_detectors)
    second = structure_memo(JsonLines.name, analyser)
    assert second is not None and second is not first
    known = second.fields(lines[0], [], ascii_line=True)
    assert known == first.fields(lines[0], [], ascii_line=True)
    assert known != JsonLines().fields(lines[0]), "known already: only the fields analysis reads"
