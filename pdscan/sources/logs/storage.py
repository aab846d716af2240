"""Where log bytes come from: a local file, or an object in remote storage read through fsspec.

Remote storage (`s3://`, `gs://`, `abfs://`, `hdfs://`, `file://`) is optional: fsspec and the
library for each protocol come with an extra (`pip install 'pdscan[s3]'`), and a missing one is
a usage error naming it. Credentials are never read here: the storage libraries find them where
they always do (AWS variables, profiles and instance roles, GOOGLE_APPLICATION_CREDENTIALS, the
Azure variables), never from a URL: credentials in an s3:// or gs:// URL, or a query string
(`?versionId=`, a signature) in any, would be ignored or misread, so such a URL is refused. A
location is kept as a plain string (the URL), so units of work stay plain data that pickles to
worker processes; every URL that is displayed goes through
`shown_location`, which removes credentials written into it.
"""

from __future__ import annotations

import errno
import os
import re
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple, cast

from pdscan.detect.readable import readable_name, shown_name
from pdscan.model import Skipped
from pdscan.sentences import skipped_because

# Protocol -> (pdscan extra, library fsspec needs for it). A small constant rather than rules/
# data: it is a fact about packaging, not a policy a user would change.
REMOTE_PROTOCOLS: dict[str, tuple[str, str]] = {
    "s3": ("s3", "s3fs"),
    "s3a": ("s3", "s3fs"),
    "gs": ("gcs", "gcsfs"),
    "gcs": ("gcs", "gcsfs"),
    "abfs": ("azure", "adlfs"),
    "abfss": ("azure", "adlfs"),
    "az": ("azure", "adlfs"),
    "hdfs": ("hdfs", "pyarrow"),
    "file": ("", "fsspec"),  # fsspec alone reads file:// URLs; every storage extra brings it
}
MASK = "***"
# Query settings that are credentials: SAS tokens (`sig`, `sv`, `se`, …), signed-URL parameters.
_SECRET_SETTINGS = re.compile(
    r"(?i)^(?:sig|signature|sv|ss|srt|sp|se|st|spr|skoid|sktid|skt|ske|sks|skv|sr|token|"
    r"x-amz-.*|x-goog-.*|awsaccesskeyid|access_token|sas|key|secret|password|credential.*)$"
)
_USER_INFO = re.compile(r"([^/@:?]*:[^@?]*|[^/@:?]+)@")
_URL = re.compile(r"\b([a-z][a-z0-9+.-]*)://[^\s'\"<>]+", re.IGNORECASE)
# `?versionId=3`, `?X-Amz-Signature=…`, `?sv=…&sig=…`: a query, told from a `?` glob wildcard by its `name=`.
_QUERY = re.compile(r"\?[A-Za-z][\w.-]*=")
# Where each store whose libraries ignore credentials in URLs does read them from.
_CREDENTIALS_FROM = {
    "s3": "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE or an instance role",
    "s3a": "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE or an instance role",
    "gs": "GOOGLE_APPLICATION_CREDENTIALS or gcloud default credentials",
    "gcs": "GOOGLE_APPLICATION_CREDENTIALS or gcloud default credentials",
}


class StorageUnavailable(Exception):
    """Remote storage was asked for but its library is not installed: a usage error, exit 2."""


class StorageURLError(Exception):
    """A storage URL with a part the libraries would ignore (credentials, a query string):
    refused as a usage error, exit 2, rather than read as something else or failing obscurely."""


class RemoteObject(NamedTuple):
    """One object found: its URL, size, and its path below the prefix or glob base (matched by
    --include/--exclude as a file's path below a directory is); None when named outright."""

    url: str
    size: int
    below: str | None


def scheme_of(target: str) -> str:
    scheme, separator, _ = target.partition("://")
    return scheme.lower() if separator else ""


def is_remote(target: str) -> bool:
    """A storage URL (s3://, gs://, abfs://, hdfs://, file://…); database URLs are not."""
    return scheme_of(target) in REMOTE_PROTOCOLS


def shown_location(location: str | Path) -> str:
    """A location as reports and messages show it: a URL's user-info and credential settings
    become `***` (`s3://KEY:SECRET@bucket/x` -> `s3://***@bucket/x`, `?sig=…` -> `?sig=***`)."""
    text = str(location)
    if "://" not in text:
        return shown_name(text)
    return readable_name(_URL.sub(lambda match: _shown_url(match.group(0)), text))


def _shown_url(url: str) -> str:
    """One URL without credentials, personal values in its object key masked; the bucket,
    container and account (`abfs://logs@acct…`) are the storage's names, not a person's."""
    scheme, _, rest = _without_credentials(url).partition("://")
    authority, slash, key = rest.partition("/")
    return f"{scheme}://{authority}{slash}{shown_name(key)}"


def _without_credentials(url: str) -> str:
    """One URL with its user-info and credential settings masked; otherwise exactly as given."""
    scheme, _, rest = url.partition("://")
    user_info = _user_info(rest)
    if user_info and (":" in user_info or scheme.lower() not in ("abfs", "abfss", "az")):
        # abfs://container@account…: the user-info is a container name unless it holds a secret.
        rest = f"{MASK}@{rest[len(user_info) + 1 :]}"
    path, question, query = rest.partition("?")
    if question:
        settings = []
        for setting in query.split("&"):
            name, equals, _ = setting.partition("=")
            secret = equals and _SECRET_SETTINGS.match(urllib.parse.unquote(name))
            settings.append(f"{name}={MASK}" if secret else setting)
        query = "&".join(settings)
    return f"{scheme}://{path}{question}{query}"


def _user_info(rest: str) -> str:
    """`KEY:SECRET` of `KEY:SECRET@bucket/…` (a secret may hold `/`, a user name may not), or ""."""
    match = _USER_INFO.match(rest)
    return match.group(1) if match else ""


def scrubbed(message: str, location: str) -> str:
    """A storage library's message with the location's credentials (and any URL's) removed."""
    for secret in _secrets_of(location):
        message = message.replace(secret, MASK)
    return shown_location(message)


def _secrets_of(location: str) -> list[str]:
    _, _, rest = location.partition("://")
    user_info = _user_info(rest)
    found = [user_info, *user_info.split(":")] if user_info else []
    _, _, query = rest.partition("?")
    found += [value for name, value in urllib.parse.parse_qsl(query) if _SECRET_SETTINGS.match(name)]
    found += [urllib.parse.quote(secret, safe="") for secret in found]
    return sorted({secret for secret in found if len(secret) >= 3}, key=len, reverse=True)


def _filesystem(url: str) -> tuple[Any, str]:
    """(fsspec filesystem, path inside it) for a URL; storage options come from the environment
    (fsspec's FSSPEC_<PROTOCOL>_<OPTION> variables) and the libraries' own configuration."""
    scheme = scheme_of(url)
    extra, library = REMOTE_PROTOCOLS[scheme]
    if extra:
        hint = f"{scheme}:// needs the {extra} extra: pip install 'pdscan[{extra}]'"
    else:
        hint = f"{scheme}:// needs fsspec, which every storage extra installs: pip install 'pdscan[s3]'"
    try:
        from fsspec.core import url_to_fs
    except ImportError:
        raise StorageUnavailable(f"{hint} (fsspec is not installed)") from None
    try:
        return url_to_fs(url)
    except ImportError:
        raise StorageUnavailable(f"{hint} ({library} is not installed)") from None


def open_binary(location: str, readahead: int | None = None) -> BinaryIO:
    """The location opened for reading bytes, never for writing; remote read errors are OSErrors.
    `readahead`: what a remote read fetches beyond the bytes it asks for (by default the
    library's block, 50 MiB for s3fs): small for a byte range read in a few large reads, so a
    1 MiB piece of a sampled log does not fetch 50 MiB."""
    if not is_remote(location):
        return open(location, "rb")
    try:
        filesystem, path = _filesystem(location)
        options = {} if readahead is None else {"block_size": readahead}
        return cast(BinaryIO, _Remote(filesystem.open(path, "rb", **options), location))
    except StorageUnavailable:
        raise
    except Exception as error:  # the library's own errors (botocore, aiohttp): one readable reason
        raise _os_error(error, location) from None


def size_of(location: str) -> int:
    """Bytes in the file or object (a remote size comes from the listing already made, cached)."""
    if not is_remote(location):
        return os.path.getsize(location)
    try:
        filesystem, path = _filesystem(location)
        return int(filesystem.size(path))
    except StorageUnavailable:
        raise
    except Exception as error:
        raise _os_error(error, location) from None


def expand(target: str) -> tuple[list[RemoteObject], list[Skipped]]:
    """Every object a URL, a glob (`**` included) or a prefix names, in name order (hidden
    names and folder markers left out), and what could not be listed. Raises StorageUnavailable
    and StorageURLError."""
    check_url(target)
    shown = shown_location(target)
    try:
        filesystem, path = _filesystem(target)
        found = list(_objects(filesystem, path))
    except StorageUnavailable:
        raise
    except Exception as error:
        return [], [skipped_because(shown, "skipped.cannot_list", (("error", reason(error, target)),))]
    if len(found) == 1 and found[0][0] == path.rstrip("/") and not _has_magic(path):
        return [RemoteObject(_object_url(target, path, found[0][0]), found[0][1], None)], []
    base = _base(path)
    return [RemoteObject(_object_url(target, path, name), size, _below(name, base)) for name, size in found], []


def check_url(target: str) -> None:
    """Refuse what s3fs and gcsfs would not read from a URL: credentials (`s3://KEY:SECRET@…`)
    and query strings (`?versionId=`, signatures): the scan would read something else or fail
    with a library's validation dump. abfs://container@account… has no `:` and is a container."""
    scheme = scheme_of(target)
    shown = shown_location(target)
    _, _, rest = target.partition("://")
    if scheme in _CREDENTIALS_FROM and _user_info(rest):
        raise StorageURLError(f"{shown}: credentials in {scheme}:// URLs are not read; use {_CREDENTIALS_FROM[scheme]}")
    if _QUERY.search(rest):
        raise StorageURLError(
            f"{shown}: query strings in storage URLs are not supported (a version, a signature, a SAS "
            "token); name the object without one: its current version is read, credentials come from the environment"
        )


def _objects(filesystem: Any, path: str) -> Iterator[tuple[str, int]]:
    """(path, size) of the regular objects a glob or prefix names (hidden names left out)."""
    if _has_magic(path):
        listing = filesystem.glob(path, detail=True)
    else:
        info = filesystem.info(path)
        if info.get("type") != "directory":
            yield info["name"].rstrip("/"), int(info.get("size") or 0)
            return
        listing = filesystem.find(path, detail=True)
    for name, info in sorted(listing.items()):
        folder_marker = name.endswith("/")  # `logs/sub/`, written by consoles to show a folder
        if info.get("type") == "file" and not folder_marker and not any(p.startswith(".") for p in name.split("/")[1:]):
            yield name, int(info.get("size") or 0)


def _has_magic(path: str) -> bool:
    return any(character in path for character in "*?[")


def _base(path: str) -> str:
    """The folder a prefix or glob lists below: `bucket/2026/**/*.gz` -> `bucket/2026`."""
    parts = path.rstrip("/").split("/")
    if not _has_magic(path):
        return "/".join(parts)
    return "/".join(parts[: next(i for i, part in enumerate(parts) if _has_magic(part))])


def _below(name: str, base: str) -> str:
    """`bucket/2026/app/x.log` below `bucket/2026` -> `app/x.log`."""
    return name[len(base) + 1 :] if base and name.startswith(base + "/") else name


def _object_url(target: str, path: str, object_path: str) -> str:
    """The URL of an object found under `target`, keeping what the URL's host part carries
    (`abfs://container@account…`, `hdfs://namenode:8020`) that the filesystem's paths drop."""
    parts = urllib.parse.urlsplit(target)
    netloc, scheme = parts.netloc, parts.scheme
    if scheme.lower() == "file":
        return f"file://{object_path}" if object_path.startswith("/") else f"file:///{object_path}"
    if object_path.startswith("/"):
        return f"{scheme}://{netloc}{object_path}"
    first, _, rest = object_path.partition("/")
    if netloc and first in (netloc, netloc.split("@")[0]) and netloc != first:
        return f"{scheme}://{netloc}/{rest}"
    return f"{scheme}://{object_path}"


def reason(error: BaseException, location: str) -> str:
    """Why a remote read failed, in one line without credentials or tracebacks."""
    if isinstance(error, FileNotFoundError) or getattr(error, "errno", None) == errno.ENOENT:
        # s3fs says "Not Found", "The specified bucket does not exist" or the key: one wording.
        detail = "no such file or directory" if scheme_of(location) == "file" else "no such bucket or object"
    elif isinstance(error, PermissionError):
        detail = f"access denied ({error})" if str(error) else "access denied"
    else:
        name = type(error).__name__
        lines = [line.strip() for line in str(error).strip().splitlines() if line.strip()]
        text = " ".join(lines[:2]) if lines and lines[0].endswith(":") else (lines[0] if lines else "")
        detail = f"{name}: {text}" if text else name
    return scrubbed(detail, location)


def _os_error(error: BaseException, location: str) -> OSError:
    if isinstance(error, OSError) and not error.strerror:
        return OSError(reason(error, location))
    if isinstance(error, OSError):
        return error
    return OSError(reason(error, location))


class _Remote:
    """A remote file whose read errors (botocore, aiohttp, timeouts) arrive as OSError with a
    reason free of credentials, as a local file's do: the log reader knows only OSError."""

    def __init__(self, handle: Any, location: str) -> None:
        self._handle = handle
        self._location = location

    def read(self, size: int = -1) -> bytes:
        try:
            return bytes(self._handle.read(size))
        except Exception as error:
            raise _os_error(error, self._location) from None

    def seek(self, offset: int, whence: int = 0) -> int:
        try:
            return int(self._handle.seek(offset, whence))
        except Exception as error:
            raise _os_error(error, self._location) from None

    def tell(self) -> int:
        return int(self._handle.tell())

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def writable(self) -> bool:
        return False

    @property
    def closed(self) -> bool:
        return bool(self._handle.closed)

    def close(self) -> None:
        self._handle.close()

    def flush(self) -> None:
        return None

    def __enter__(self) -> _Remote:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
