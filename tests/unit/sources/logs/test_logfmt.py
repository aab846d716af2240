"""logfmt as people write it: a query string left unquoted is read key by key, as a quoted one is."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from pdscan.cli.commands import main


def log_records(tmp_path: Path, name: str, text: str) -> list[dict[str, object]]:
    """The ndjson records of a scan of one log holding `text`."""
    log = tmp_path / name
    log.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["scan", str(log), "--format", "ndjson", "--fail-on", "never", "--quiet"])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]


def test_a_secret_in_an_unquoted_logfmt_query_string_is_a_credential(tmp_path: Path) -> None:
    """`url=/login?password=…` is the same query string as `url="/login?password=…"`: the quoted
    form was read key by key, the unquoted one judged whole as a URL, its password missed."""
    quoted = log_records(tmp_path, "quoted.log", 'level=info url="/login?password=Tr0ub4dor3&next=1"\n')
    unquoted = log_records(tmp_path, "unquoted.log", "level=info url=/login?password=Tr0ub4dor3&next=1\n")
    for records in (quoted, unquoted):
        assert [(r["field"], r["data_type"], r["value"]) for r in records] == [
            ("url.password", "user.authorization.credentials", "***")
        ]
