"""Log formats: which one a file is written in, the fields each line splits into, and what the log
source finds in them. One fixture pair per case (tests/fixtures/logs/<format>/<case>.log beside
<case>.expected.yml: the format detected from the file's lines, each line's fields as (field,
text), null for a line the format does not fit, and every value found as line, field and
category). support/fixture_pairs.py says how to add a case."""

from __future__ import annotations

import pytest
from support.fixture_pairs import FixturePair, Flow, FlowList, check_pair, fixture_pairs
from support.log_helpers import category, scan_paths

from pdscan.sources.logs.formats import detect_format, new_format


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
