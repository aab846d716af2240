"""Logs in object storage: a real S3 API (moto's server on loopback) holding the same files as a
local folder, scanned through the installed `pdscan` command. The report of `s3://bucket/logs/**`
is the report of the folder, byte for byte once locations are mapped: same units (a 17 MB plain
file is cut into ranges at line breaks), same findings, counts, lines and verdicts. Unreachable
storage is one line and a skipped source, credentials appear nowhere, a missing library names
its extra, and the bucket is unchanged after the scan.
"""

from __future__ import annotations

import bz2
import gzip
import hashlib
import json
import lzma
import os
import re
import socket
import subprocess
import textwrap
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import zstandard
from support.command import run_pdscan
from support.personal_fixtures import APP_LOG, EVENTS_JSONL, LOG_VALUES

from pdscan.sources.logs import storage as storage_module
from pdscan.sources.logs.storage import is_remote, shown_location

pytestmark = pytest.mark.storage

boto3 = pytest.importorskip("boto3")
pytest.importorskip("s3fs")
moto_server = pytest.importorskip("moto.server")

BUCKET = "pd-logs"
ACCESS_KEY = "AKIAPDSCANCANARY01"
SECRET_KEY = "Sec-Canary/pdscan+s3key0123456789"  # distinctive: found anywhere, it leaked
BIG_SIZE = 17_000_000  # above two 8 MiB ranges: the file is cut, remote and local alike
FORMATS = ("json", "sarif", "html", "markdown", "table", "csv", "ndjson")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _big_log() -> bytes:
    """A plain log over two ranges, personal data every 997th line, lines of varied length."""
    lines = []
    size = 0
    number = 0
    while size < BIG_SIZE:
        number += 1
        if number % 997 == 0:
            line = f"2026-11-24T10:00:00Z INFO signup email=user{number}@example.org ip=203.0.113.{number % 250 + 1}\n"
        else:
            line = f"2026-11-24T10:00:00Z INFO GET /static/asset-{number}.js status=200 took={number % 97}ms\n"
        lines.append(line)
        size += len(line)
    return "".join(lines).encode()


def _nginx(count: int, day: int) -> bytes:
    lines = [
        f'198.51.100.{i % 200 + 1} - - [{day:02d}/Nov/2026:06:00:{i % 60:02d} +0000] "GET /account?email=buyer{i}'
        f'%40example.com HTTP/1.1" 200 512 "-" "Mozilla/5.0 (X11; Linux x86_64) Firefox/{100 + i % 20}.0"\n'
        for i in range(count)
    ]
    return "".join(lines).encode()


def _files() -> dict[str, bytes]:
    """Key under `logs/` -> content: rotated copies in every compression, JSON lines, a big file."""
    return {
        "nginx/access.log": _nginx(40, 24),
        "nginx/access.log.1": _nginx(30, 23),
        "nginx/access.log.2.gz": gzip.compress(_nginx(20, 22), mtime=0),
        "nginx/access.log.3.bz2": bz2.compress(_nginx(20, 21)),
        "nginx/access.log.4.xz": lzma.compress(_nginx(20, 20)),
        "nginx/access.log.5.zst": zstandard.ZstdCompressor().compress(_nginx(20, 19)),
        "app/app.log": APP_LOG.encode(),
        "app/events.jsonl": EVENTS_JSONL.encode() * 5,
        "app/events.jsonl.1.gz": gzip.compress(EVENTS_JSONL.encode() * 3, mtime=0),
        "big/service.log": _big_log(),
    }


@pytest.fixture(scope="module")
def storage(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    """A moto S3 server with the bucket, and the same files in a local `logs/` folder."""
    port = _free_port()
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    root = tmp_path_factory.mktemp("remote")
    no_config = root / "aws-config"  # empty: no ambient profile (not os.devnull, which a broken host may fill)
    no_config.write_text("", encoding="utf-8")
    env = {
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_CONFIG_FILE": str(no_config),
        "AWS_SHARED_CREDENTIALS_FILE": str(no_config),
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        region_name="us-east-1",
    )
    client.create_bucket(Bucket=BUCKET)
    files = _files()
    for key, content in files.items():
        client.put_object(Bucket=BUCKET, Key=f"logs/{key}", Body=content)
        local = root / "logs" / key
        local.parent.mkdir(parents=True, exist_ok=True)
        local.write_bytes(content)
    client.put_object(Bucket=BUCKET, Key="schemas/structure.sql", Body=b"CREATE TABLE users (email text);\n")
    # A prefix as consoles and tools leave them: pdscan's own file, folder markers (zero-byte `…/`).
    for key, body in {"cfg/app.log": APP_LOG.encode(), "cfg/pdscan.yml": b"version: 1\n", "cfg/sub/": b""}.items():
        client.put_object(Bucket=BUCKET, Key=key, Body=body)
    client.put_object(Bucket=BUCKET, Key="hollow/", Body=b"")
    work = root / "work"
    work.mkdir()
    yield {"client": client, "root": root, "work": work, "env": env, "endpoint": endpoint, "files": files}
    server.stop()


def pdscan(*args: str, cwd: Path, env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    """The installed command, with only the storage settings given (no ambient AWS setup)."""
    ambient: dict[str, str | None] = {k: None for k in os.environ if k.startswith(("AWS_", "FSSPEC_"))}
    return run_pdscan(*args, cwd=cwd, env={**ambient, **env})


def _local_as_remote(text: str, root: Path) -> str:
    """A local report's locations written as the bucket's: `<root>/logs/…` -> `s3://bucket/logs/…`."""
    return text.replace(f"{root}/", f"s3://{BUCKET}/")


def _comparable(report: dict[str, Any]) -> dict[str, Any]:
    """The report less its time and fingerprints (a fingerprint hashes the log's identity, which
    is the URL or the path by design); everything else must be equal."""
    findings = [
        {key: value for key, value in finding.items() if key != "fingerprint"} for finding in report["findings"]
    ]
    return {**{key: value for key, value in report.items() if key != "generated_at"}, "findings": findings}


def test_a_bucket_scans_as_the_same_files_on_disk(storage: dict[str, object]) -> None:
    root, work, env = Path(str(storage["root"])), Path(str(storage["work"])), storage["env"]
    assert isinstance(env, dict)
    remote = pdscan("scan", f"s3://{BUCKET}/logs/**", "--format", "json", "--fail-on", "never", cwd=work, env=env)
    local = pdscan("scan", str(root / "logs"), "--format", "json", "--fail-on", "never", cwd=work, env=env)
    assert remote.returncode == 0, remote.stderr
    assert local.returncode == 0, local.stderr
    remote_report = json.loads(remote.stdout)
    local_report = json.loads(_local_as_remote(local.stdout, root))
    assert _comparable(remote_report) == _comparable(local_report)
    assert len({finding["fingerprint"] for finding in remote_report["findings"]}) == len(remote_report["findings"])
    sources = {source["source"]: source for source in remote_report["sources"]}
    assert len(sources) == len(storage["files"])  # type: ignore[arg-type]
    assert all(source["status"] == "scanned" for source in sources.values())
    big = sources[f"s3://{BUCKET}/logs/big/service.log"]
    assert big["bytes"] >= BIG_SIZE and big["lines"] > 100_000
    identities = {finding["location"]["source"] for finding in remote_report["findings"]}
    assert f"s3://{BUCKET}/logs/nginx/access.log" in identities  # rotated copies are one log
    assert not any(identity.endswith((".1", ".gz")) for identity in identities)


def test_ndjson_records_are_those_of_the_local_files(storage: dict[str, object]) -> None:
    root, work, env = Path(str(storage["root"])), Path(str(storage["work"])), storage["env"]
    assert isinstance(env, dict)
    args = ("--format", "ndjson", "--fail-on", "never", "--jobs", "2")
    remote = pdscan("scan", f"s3://{BUCKET}/logs/", *args, cwd=work, env=env)
    local = pdscan("scan", str(root / "logs"), *args, cwd=work, env=env)
    assert remote.returncode == 0, remote.stderr
    assert remote.stdout == _local_as_remote(local.stdout, root)
    big_lines = [json.loads(line)["line"] for line in remote.stdout.splitlines() if "big/service.log" in line]
    assert max(big_lines) > 100_000  # a value found in the second range, its line counted from the top


def test_a_bucket_scanned_on_a_dask_cluster_gives_the_same_report(storage: dict[str, object]) -> None:
    """The workers of the cluster read the objects themselves, with the storage settings of
    their environment: the report is the one the local engine gives, byte for byte."""
    work, env = Path(str(storage["work"])), storage["env"]
    assert isinstance(env, dict)
    args = (f"s3://{BUCKET}/logs/**", "--format", "json", "--fail-on", "never", "--jobs", "2")
    local = pdscan("scan", *args, cwd=work, env=env)
    dask = pdscan("scan", *args, "--engine", "dask", cwd=work, env=env)
    assert local.returncode == 0, local.stderr
    assert dask.returncode == 0, dask.stderr
    without_time = [re.sub(r'"generated_at": "[^"]*"', "", result.stdout) for result in (local, dask)]
    assert without_time[0] == without_time[1]
    assert f"s3://{BUCKET}/logs/big/service.log" in dask.stdout
    assert "Dask dashboard at http://127.0.0.1:" in dask.stderr  # the scan did run on a cluster


def test_globs_include_and_exclude_select_objects(storage: dict[str, object]) -> None:
    work, env = Path(str(storage["work"])), storage["env"]
    assert isinstance(env, dict)

    def scanned(*args: str) -> set[str]:
        result = pdscan("scan", *args, "--format", "json", "--fail-on", "never", cwd=work, env=env)
        assert result.returncode == 0, result.stderr
        return {
            source["source"].removeprefix(f"s3://{BUCKET}/logs/") for source in json.loads(result.stdout)["sources"]
        }

    assert scanned(f"s3://{BUCKET}/logs/**/*.gz") == {"nginx/access.log.2.gz", "app/events.jsonl.1.gz"}
    assert scanned(f"s3://{BUCKET}/logs/nginx/", "--include", "*.log*", "--exclude", "*.xz") == {
        "nginx/access.log",
        "nginx/access.log.1",
        "nginx/access.log.2.gz",
        "nginx/access.log.3.bz2",
        "nginx/access.log.5.zst",
    }
    assert scanned(f"s3://{BUCKET}/logs/app/app.log") == {"app/app.log"}


def test_a_declaration_by_url_glob_covers_remote_logs(storage: dict[str, object], tmp_path: Path) -> None:
    env = storage["env"]
    assert isinstance(env, dict)
    (tmp_path / "pdscan.yml").write_text(
        f'version: 1\nlogs:\n  "s3://{BUCKET}/logs/nginx/access.log*": [fraud_prevention, answering_inquiries]\n',
        encoding="utf-8",
    )
    result = pdscan(
        "scan", f"s3://{BUCKET}/logs/nginx/", "--format", "json", "--fail-on", "never", cwd=tmp_path, env=env
    )
    assert result.returncode == 0, result.stderr
    findings = [f for f in json.loads(result.stdout)["findings"] if f["category"] == "ip_address"]
    assert findings and all(f["verdict"] == "ok" for f in findings), findings


def test_unreachable_storage_is_one_line_and_a_skipped_source(storage: dict[str, object]) -> None:
    work, env = Path(str(storage["work"])), storage["env"]
    assert isinstance(env, dict)
    good = f"s3://{BUCKET}/logs/app/app.log"
    missing = pdscan(
        "scan", good, "s3://no-such-bucket-pd/logs/**", "--format", "json", "--fail-on", "never", cwd=work, env=env
    )
    assert missing.returncode == 0, missing.stderr  # the rest of the scan went on
    lines = [line for line in missing.stderr.splitlines() if "no-such-bucket-pd" in line]
    assert len(lines) == 1 and "no such bucket or object" in lines[0], missing.stderr
    assert "Traceback" not in missing.stderr and "botocore" not in missing.stderr
    report = json.loads(missing.stdout)
    assert [item["source"] for item in report["skipped"]] == ["s3://no-such-bucket-pd/logs/**"]
    assert [source["source"] for source in report["sources"]] == [good]

    nothing = pdscan("scan", f"s3://{BUCKET}/logs/**/*.nothing", "--fail-on", "never", cwd=work, env=env)
    assert nothing.returncode == 2  # nothing could be scanned
    assert "no files match" in nothing.stderr

    offline = {**env, "AWS_ENDPOINT_URL": f"http://127.0.0.1:{_free_port()}", "AWS_MAX_ATTEMPTS": "1"}
    down = pdscan("scan", f"s3://{BUCKET}/logs/**", "--fail-on", "never", cwd=work, env=offline)
    assert down.returncode == 2, down.stderr  # every source skipped: the README's "nothing could be scanned"
    assert "Traceback" not in down.stderr and "botocore" not in down.stderr.lower()
    assert sum(f"s3://{BUCKET}/logs/**" in line for line in down.stderr.splitlines()) == 1, down.stderr


@pytest.mark.parametrize("variable", ["AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "FSSPEC_S3_ENDPOINT_URL", "FSSPEC_S3"])
def test_the_endpoint_of_an_s3_compatible_store_comes_from_the_environment(
    storage: dict[str, object], variable: str
) -> None:
    """The four ways the README gives to point pdscan at MinIO or moto, each alone."""
    work, env, endpoint = Path(str(storage["work"])), storage["env"], str(storage["endpoint"])
    assert isinstance(env, dict)
    value = json.dumps({"endpoint_url": endpoint}) if variable == "FSSPEC_S3" else endpoint
    settings = {**{k: v for k, v in env.items() if k != "AWS_ENDPOINT_URL"}, variable: value}
    result = pdscan(
        "scan", f"s3://{BUCKET}/logs/app/app.log", "--format", "json", "--fail-on", "never", cwd=work, env=settings
    )
    assert result.returncode == 0, result.stderr
    assert [source["status"] for source in json.loads(result.stdout)["sources"]] == ["scanned"]


def test_sql_in_a_bucket_is_skipped_with_its_reason(storage: dict[str, object]) -> None:
    work, env = Path(str(storage["work"])), storage["env"]
    assert isinstance(env, dict)
    good = f"s3://{BUCKET}/logs/app/app.log"
    result = pdscan(
        "scan", good, f"s3://{BUCKET}/schemas/", "--format", "json", "--fail-on", "never", cwd=work, env=env
    )
    assert result.returncode == 0, result.stderr
    skipped = json.loads(result.stdout)["skipped"]
    assert skipped[0]["source"] == f"s3://{BUCKET}/schemas/structure.sql" and "not read" in skipped[0]["reason"]


@pytest.mark.parametrize("format_name", FORMATS)
def test_credentials_appear_in_no_output(storage: dict[str, object], format_name: str, tmp_path: Path) -> None:
    """The credentials the storage library is given (here in the environment) and the raw values
    read with them reach no output; the refused URLs with credentials are the next test's."""
    env = storage["env"]
    assert isinstance(env, dict)
    output = tmp_path / f"report.{format_name}"
    result = pdscan(
        "--debug", "scan", f"s3://{BUCKET}/logs/app/", f"s3://{BUCKET}/logs/nginx/access.lo?",
        "--format", format_name, "--output", str(output), "--fail-on", "never",
        cwd=tmp_path, env=env,
    )  # fmt: skip
    assert result.returncode in (0, 1), result.stderr
    written = output.read_text(encoding="utf-8")
    assert f"{BUCKET}/logs/nginx/access.log" in written  # `?` is a glob wildcard, not a query
    for text in (result.stdout, result.stderr, written):
        assert SECRET_KEY not in text
        assert ACCESS_KEY not in text
        assert SECRET_KEY.replace("/", "%2F") not in text
        for value in (LOG_VALUES["email"], LOG_VALUES["card"], LOG_VALUES["iban"]):
            assert value not in text


@pytest.mark.parametrize(
    ("url", "shown", "advice"),
    [
        (
            f"s3://{ACCESS_KEY}:{SECRET_KEY}@{BUCKET}/logs/app/**",
            f"s3://***@{BUCKET}/logs/app/**",
            "credentials in s3:// URLs are not read; use AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE "
            "or an instance role",
        ),
        (
            f"gs://{ACCESS_KEY}:{SECRET_KEY}@{BUCKET}/logs/",
            f"gs://***@{BUCKET}/logs/",
            "credentials in gs:// URLs are not read; use GOOGLE_APPLICATION_CREDENTIALS",
        ),
        (
            f"s3://{BUCKET}/logs/nginx/access.log?X-Amz-Signature={SECRET_KEY}&X-Amz-Credential={ACCESS_KEY}",
            f"s3://{BUCKET}/logs/nginx/access.log?X-Amz-Signature=***&X-Amz-Credential=***",
            "query strings in storage URLs are not supported",
        ),
        (
            f"s3://{BUCKET}/logs/app/app.log?versionId=3HL4kqtJlcpXroDTDmjVBH40Nrjfkd",
            f"s3://{BUCKET}/logs/app/app.log?versionId=3HL4kqtJlcpXroDTDmjVBH40Nrjfkd",
            "query strings in storage URLs are not supported",
        ),
    ],
)
def test_credentials_or_a_query_in_a_url_are_a_usage_error(
    storage: dict[str, object], tmp_path: Path, url: str, shown: str, advice: str
) -> None:
    """s3fs and gcsfs read neither credentials nor a version from a URL (the credentials ended in
    a botocore regex dump, `?versionId=` in "no files match"): one line naming the URL, masked."""
    env = storage["env"]
    assert isinstance(env, dict)
    result = pdscan("--debug", "scan", f"s3://{BUCKET}/logs/app/", url, "--fail-on", "never", cwd=tmp_path, env=env)
    assert result.returncode == 2, result.stderr
    assert not result.stdout
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(f"pdscan: error: {shown}: {advice}"), result.stderr
    assert "ParamValidationError" not in result.stderr and "no files match" not in result.stderr
    assert SECRET_KEY not in result.stderr and ACCESS_KEY not in result.stderr


def test_a_missing_library_names_its_extra(storage: dict[str, object], tmp_path: Path) -> None:
    env = storage["env"]
    assert isinstance(env, dict)
    (tmp_path / "sitecustomize.py").write_text(
        textwrap.dedent(
            """
            import sys

            class Blocked:
                def find_spec(self, name, path=None, target=None):
                    if name == "s3fs" or name.startswith("s3fs."):
                        raise ImportError("s3fs blocked by the test")
                    return None

            sys.meta_path.insert(0, Blocked())
            """
        ),
        encoding="utf-8",
    )
    blocked = {**env, "PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])}
    result = pdscan("scan", f"s3://{BUCKET}/logs/**", cwd=tmp_path, env=blocked)
    assert result.returncode == 2
    message = "pdscan: error: s3:// needs the s3 extra: pip install 'pdscan[s3]' (s3fs is not installed)"
    assert result.stderr.strip().splitlines()[-1] == message
    assert "Traceback" not in result.stderr and not result.stdout


def test_the_bucket_is_unchanged_by_scans(storage: dict[str, object]) -> None:
    client, work, env = storage["client"], Path(str(storage["work"])), storage["env"]
    assert isinstance(env, dict)

    def objects() -> dict[str, tuple[str, str, int]]:
        listing = client.list_objects_v2(Bucket=BUCKET)["Contents"]  # type: ignore[attr-defined]
        return {item["Key"]: (item["ETag"], str(item["LastModified"]), item["Size"]) for item in listing}

    before = objects()
    result = pdscan("scan", f"s3://{BUCKET}/logs/**", "--fail-on", "never", "--jobs", "2", cwd=work, env=env)
    assert result.returncode == 0, result.stderr
    assert objects() == before
    files = storage["files"]
    assert isinstance(files, dict)
    for key, content in files.items():
        body = client.get_object(Bucket=BUCKET, Key=f"logs/{key}")["Body"].read()  # type: ignore[attr-defined]
        assert hashlib.sha256(body).digest() == hashlib.sha256(content).digest()


@pytest.mark.parametrize(
    ("target", "remote"),
    [
        ("s3://bucket/logs/**", True),
        ("S3A://bucket/x.log", True),
        ("gs://bucket/x", True),
        ("abfss://c@account.dfs.core.windows.net/x", True),
        ("hdfs://namenode:8020/logs/", True),
        ("file:///var/log/app.log", True),
        ("sqlite:///shop.db", False),
        ("postgresql://auditor@db/shop", False),
        ("mysql://auditor@db/shop", False),
        ("logs/app.log", False),
    ],
)
def test_storage_urls_are_told_from_database_urls_and_paths(target: str, remote: bool) -> None:
    assert is_remote(target) is remote


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("s3://KEY:SECRET@bucket/logs/a.log", "s3://***@bucket/logs/a.log"),
        ("s3://AKIA1:se/cr+et@bucket/logs/", "s3://***@bucket/logs/"),
        ("az://c/x.log?sv=2024-01-01&sig=abc%2F&x=1", "az://c/x.log?sv=***&sig=***&x=1"),
        ("abfs://logs@acct.dfs.core.windows.net/a.log", "abfs://logs@acct.dfs.core.windows.net/a.log"),
        ("gs://bucket/x?X-Goog-Signature=abc", "gs://bucket/x?X-Goog-Signature=***"),
        # not user-info (the bucket stays); the key reads as an e-mail address, masked as names are
        ("s3://bucket/odd:name@key.log", "s3://bucket/odd:***@***.log"),
        ("s3://bucket/people/alice@example.com/a.log", "s3://bucket/people/***@*******.com/a.log"),
        ("s3://bucket/**/*.gz", "s3://bucket/**/*.gz"),
    ],
)
def test_urls_are_shown_without_credentials(url: str, shown: str) -> None:
    assert shown_location(url) == shown


@pytest.mark.parametrize(
    ("target", "path", "found", "url"),
    [
        ("s3://bucket/logs/**", "bucket/logs/**", "bucket/logs/a.log", "s3://bucket/logs/a.log"),
        ("s3a://bucket/logs/", "bucket/logs", "bucket/logs/a.log", "s3a://bucket/logs/a.log"),
        (
            "abfs://c@acct.dfs.core.windows.net/logs/",
            "c/logs",
            "c/logs/a.log",
            "abfs://c@acct.dfs.core.windows.net/logs/a.log",
        ),
        ("hdfs://nn:8020/logs/", "/logs", "/logs/a.log", "hdfs://nn:8020/logs/a.log"),
        ("file:///var/log/", "/var/log", "/var/log/a.log", "file:///var/log/a.log"),
    ],
)
def test_objects_found_keep_the_url_they_were_found_under(target: str, path: str, found: str, url: str) -> None:
    """The account of an abfs URL and the name node of an hdfs one live in the URL, not in the
    filesystem's paths: a worker reopening the object needs them."""
    assert storage_module._object_url(target, path, found) == url


def _sources(result: subprocess.CompletedProcess[str], prefix: str) -> set[str]:
    """The scanned sources of a json report, without the common prefix."""
    assert result.returncode == 0, result.stderr
    return {source["source"].removeprefix(prefix) for source in json.loads(result.stdout)["sources"]}


@pytest.mark.parametrize(
    ("target", "include", "exclude", "expected"),
    [
        ("logs/", ["app/*"], [], {"app/app.log", "app/events.jsonl", "app/events.jsonl.1.gz"}),
        ("logs/**", ["nginx/access.log.[12]*"], [], {"nginx/access.log.1", "nginx/access.log.2.gz"}),
        ("logs/", ["*.jsonl*"], ["app/events.jsonl.1.*"], {"app/events.jsonl"}),
        ("logs/nginx/", ["access.log.?.*"], ["*.xz", "*5.zst"], {"nginx/access.log.2.gz", "nginx/access.log.3.bz2"}),
        ("logs/", [f"{BUCKET}/logs/big/*"], [], {"big/service.log"}),  # the whole path still matches
    ],
)
def test_include_and_exclude_match_objects_as_they_match_files_in_a_folder(
    storage: dict[str, object], target: str, include: list[str], exclude: list[str], expected: set[str]
) -> None:
    """A pattern matches the path below the prefix or glob base (`app/*` under `logs/`), the
    whole path, or the name, below a local folder and a prefix alike: the same files are read."""
    root, work, env = Path(str(storage["root"])), Path(str(storage["work"])), storage["env"]
    assert isinstance(env, dict)
    twin = root.parent / BUCKET  # the bucket's local twin, scanned from its parent: whole paths alike too
    if not twin.exists():
        twin.symlink_to(root, target_is_directory=True)
    options = [*(f"--include={p}" for p in include), *(f"--exclude={p}" for p in exclude)]
    options += ["--format", "json", "--fail-on", "never"]
    remote = pdscan("scan", f"s3://{BUCKET}/{target}", *options, cwd=work, env=env)
    local = pdscan("scan", f"{BUCKET}/{target}", *options, cwd=root.parent, env=env)
    assert _sources(remote, f"s3://{BUCKET}/logs/") == expected
    assert _sources(local, f"{BUCKET}/logs/") == expected


def test_a_filter_or_folder_that_leaves_nothing_is_skipped_and_fails_the_run(storage: dict[str, object]) -> None:
    """A CI gate must not pass having read nothing: a prefix, glob or folder whose files the
    patterns all leave out, or that holds none, is skipped, and alone it makes the run exit 2."""
    root, work, env = Path(str(storage["root"])), Path(str(storage["work"])), storage["env"]
    assert isinstance(env, dict)
    hollow = root / "hollow"
    hollow.mkdir(exist_ok=True)
    (hollow / ".hidden.log").write_text("x\n", encoding="utf-8")
    cases = [
        (f"s3://{BUCKET}/logs/**", ["--include", "zzz/*.log"], "no file matches --include/--exclude"),
        (f"s3://{BUCKET}/logs/", ["--include", "*.zzz"], "no file matches --include/--exclude"),
        (f"s3://{BUCKET}/logs/nginx/", ["--exclude", "*access*"], "no file matches --include/--exclude"),
        (str(root / "logs"), ["--include", "*.zzz"], "no file matches --include/--exclude"),
        (str(root / "logs" / "**"), ["--include", "zzz/*"], "no file matches --include/--exclude"),
        (f"s3://{BUCKET}/hollow/", [], "no file in it"),  # a folder marker alone
        (str(hollow), [], "no file in it"),
    ]
    for target, options, reason in cases:
        alone = pdscan("scan", target, *options, "--fail-on", "never", cwd=work, env=env)
        assert alone.returncode == 2, (target, alone.stderr)
        lines = [line for line in alone.stderr.splitlines() if line.startswith("pdscan: skipped")]
        assert len(lines) == 1 and reason in lines[0] and "nothing scanned" in lines[0], (target, alone.stderr)
        assert "nothing could be scanned" in alone.stderr

        good = f"s3://{BUCKET}/logs/app/app.log"
        beside = pdscan("scan", good, target, *options, "--format", "json", "--fail-on", "never", cwd=work, env=env)
        assert beside.returncode == 0, beside.stderr  # the rest of the scan still counts
        report = json.loads(beside.stdout)
        assert [source["source"] for source in report["sources"]] == [good]
        assert [(item["source"], reason in item["reason"]) for item in report["skipped"]] == [(target, True)]


def test_own_files_and_folder_markers_under_a_prefix_are_not_logs(storage: dict[str, object]) -> None:
    """As in a folder: pdscan.yml under a prefix is not a log (nor the data map, which is always
    local), and a zero-byte `cfg/sub/` marker is no source; named outright, pdscan.yml is read."""
    work, env = Path(str(storage["work"])), storage["env"]
    assert isinstance(env, dict)
    args = ("--format", "json", "--fail-on", "never")
    prefix = pdscan("scan", f"s3://{BUCKET}/cfg/", *args, cwd=work, env=env)
    assert _sources(prefix, "") == {f"s3://{BUCKET}/cfg/app.log"}
    assert not json.loads(prefix.stdout)["skipped"]
    assert "declarations from" not in prefix.stderr
    glob_ = pdscan("scan", f"s3://{BUCKET}/cfg/**", *args, cwd=work, env=env)
    assert _sources(glob_, "") == {f"s3://{BUCKET}/cfg/app.log"}
    named = pdscan("scan", f"s3://{BUCKET}/cfg/pdscan.yml", *args, cwd=work, env=env)
    assert _sources(named, "") == {f"s3://{BUCKET}/cfg/pdscan.yml"}


def test_a_missing_bucket_is_said_one_way_however_it_is_named(storage: dict[str, object]) -> None:
    """s3fs says "Not Found", "The specified bucket does not exist" or the key, by the call that
    failed: pdscan says "no such bucket or object" for each."""
    work, env = Path(str(storage["work"])), storage["env"]
    assert isinstance(env, dict)
    targets = [
        "s3://no-such-bucket-pd",
        "s3://no-such-bucket-pd/",
        "s3://no-such-bucket-pd/logs/",
        "s3://no-such-bucket-pd/logs/**",
        "s3://no-such-bucket-pd/app.log",
        f"s3://{BUCKET}/no-such-key.log",
        f"s3://{BUCKET}/no-such-prefix/",
    ]
    result = pdscan("scan", *targets, "--fail-on", "never", cwd=work, env=env)
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.startswith("pdscan: skipped")]
    assert lines == [
        f"pdscan: skipped {t}: cannot list: no such bucket or object; nothing in it scanned" for t in targets
    ]


@pytest.mark.parametrize(
    "url",
    [
        "abfs://logs@acmeprod.dfs.core.windows.net/2026/",
        "abfss://logs@acmeprod.dfs.core.windows.net/2026/**",
        "s3://bucket/logs/access.lo?",
        "s3://bucket/logs/a[0-9]?.log",
        "gs://bucket/odd:name@key.log",
    ],
)
def test_container_urls_and_glob_wildcards_are_not_refused(url: str) -> None:
    storage_module.check_url(url)


def test_objects_are_matched_by_their_path_below_the_prefix_or_glob_base() -> None:
    assert storage_module._base("bucket/2026/") == "bucket/2026"
    assert storage_module._base("bucket/2026/**/*.gz") == "bucket/2026"
    assert storage_module._base("/logs/x*/a.log") == "/logs"
    assert storage_module._below("bucket/2026/app/x.log", "bucket/2026") == "app/x.log"
    assert storage_module._below("bucket/20261/x.log", "bucket/2026") == "bucket/20261/x.log"


def test_an_object_key_holding_a_personal_value_is_shown_masked(storage: dict[str, object], tmp_path: Path) -> None:
    """`people/user_alice@example.com.log`: the key is a name every output shows, masked (the
    URL as the report's source, the log's identity in the data map). Last in this file: it adds
    an object, under a prefix no other test reads, and removes it."""
    client, env = storage["client"], storage["env"]
    assert isinstance(env, dict)
    key = "people/user_alice@example.com.log"
    client.put_object(Bucket=BUCKET, Key=key, Body=APP_LOG.encode())  # type: ignore[attr-defined]
    try:
        output = tmp_path / "report.json"
        result = pdscan(
            "--debug", "scan", f"s3://{BUCKET}/people/", "--format", "json", "--output", str(output),
            "--fail-on", "never", cwd=tmp_path, env=env,
        )  # fmt: skip
        init = pdscan("init", f"s3://{BUCKET}/people/", "--output", "-", cwd=tmp_path, env=env)
        assert result.returncode == 0 and init.returncode == 0, result.stderr + init.stderr
        report = json.loads(output.read_text(encoding="utf-8"))
        assert {finding["location"]["source"] for finding in report["findings"]} == {
            f"s3://{BUCKET}/people/***@*******.***.log"
        }
        for text in (result.stdout, result.stderr, output.read_text(encoding="utf-8"), init.stdout, init.stderr):
            assert "alice" not in text
    finally:
        client.delete_object(Bucket=BUCKET, Key=key)  # type: ignore[attr-defined]
