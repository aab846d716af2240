"""A database URL as the scan uses it: which kind of server, where, which database, and the
password kept apart from everything that is ever shown.

The password comes from the URL, else the environment (the engine's variable, `MYSQL_PWD`; for
PostgreSQL the driver itself reads `PGPASSWORD` and `~/.pgpass`: see `engines.py`), else a
prompt when the user asked for one. What is
shown (reports, messages, errors) is the URL with the password replaced by `***`, and every
message from a driver is passed through `redact` before anyone sees it.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from pdscan.sources.database.engines import PASSWORD_VARIABLES, Engine, engine_for_scheme, engine_named

MASK = "***"
PASSWORD_OPTIONS = frozenset({"password", "pass", "passwd", "pwd"})  # URL query options that carry one
# `scheme://user:secret@` (also `scheme:/…`, a slash short): the secret runs to the last `@`
# before a space, since people type `@` and `/` unencoded in passwords.
_USERINFO = re.compile(r"(\b[a-z][a-z0-9+.-]*:/{1,2}[^:/@\s]*):\S*@", re.IGNORECASE)
# `password=secret` (a URL option, a libpq conninfo), `'password': 'secret'` (a dict in a message);
# one masked already is left as it is, with what follows it.
_PASSWORD_SETTING = re.compile(
    r"""((["'])(?:password|passwd|pwd|pass)\2\s*:\s*|\b(?:password|passwd|pwd|pass)\s*=\s*)"""
    r"""(\*\*\*(?![^\s&'",;:)}\]])|'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|[^\s&'",;)}\]]+)""",
    re.IGNORECASE,
)


class TargetError(Exception):
    """A database URL that cannot be used as written (the message never holds its password)."""


@dataclass(frozen=True)
class DatabaseTarget:
    kind: str  # postgresql | mysql | mariadb
    display: str  # the URL as shown everywhere: password masked
    database: str  # the name data maps address it by
    host: str | None
    port: int | None
    user: str | None
    query: tuple[tuple[str, str], ...] = ()
    password: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        engine_named(self.kind)  # a kind no engine claims fails here, not as some other engine's server

    @property
    def engine(self) -> Engine:
        return engine_named(self.kind)

    def secrets(self) -> tuple[str, ...]:
        """Every form of the password a message could carry, longest first."""
        return _forms(self.password) if self.password else ()


def is_database_url(text: str) -> bool:
    """A server URL this module reads (sqlite:/// files are told apart by discovery)."""
    scheme, separator, _ = text.partition("://")
    return bool(separator) and engine_for_scheme(scheme) is not None


def masked(text: str) -> str:
    """`postgresql://u:secret@h/db?password=x` -> `postgresql://u:***@h/db?password=***`: a URL's
    user-info and every `password=` setting masked; other text unchanged."""
    text = _USERINFO.sub(rf"\1:{MASK}@", text)
    return _PASSWORD_SETTING.sub(_masked_setting, text)


def _masked_setting(match: re.Match[str]) -> str:
    value = match.group(3)
    quote = value[0] if value[0] in "'\"" else ""
    return f"{match.group(1)}{quote}{MASK}{quote}"


def scrub(text: str, secrets: Iterable[str]) -> str:
    """`text` (a message, a traceback) without any of `secrets` and without any password a URL
    or a setting in it carries."""
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return masked(text)


def command_line_secrets(arguments: Iterable[str], environ: Mapping[str, str]) -> tuple[str, ...]:
    """Every password the database URLs among `arguments` and the password variables carry, in
    the forms a message could show: what a traceback must be scrubbed of."""
    found: set[str] = set()
    for argument in arguments:
        if not is_database_url(argument):
            continue
        try:
            found.update(parse_target(argument, {}).secrets())
        except (TargetError, ValueError):
            continue  # a URL too broken to parse: `masked` still hides its user-info
    for name in PASSWORD_VARIABLES:
        if environ.get(name):
            found.update(_forms(environ[name]))
    return tuple(found)


def parse_target(
    text: str,
    environ: Mapping[str, str],
    prompt: Callable[[str], str] | None = None,
) -> DatabaseTarget:
    """Read a server URL; `prompt` (given with --password-prompt) asks when no password was given."""
    scheme, _, rest = text.partition("://")
    engine = engine_for_scheme(scheme)
    if engine is None:
        raise TargetError(f"{masked(text)}: not a database URL")
    kind = engine.name
    try:
        parsed = urllib.parse.urlsplit(f"{kind}://{rest}")
    except ValueError:
        raise TargetError(
            f"{masked(text)}: the host is not valid (an IPv6 address goes in brackets: [2001:db8::1]:5432)"
        ) from None
    port = _port(parsed, text)
    database = urllib.parse.unquote(parsed.path.lstrip("/"))
    if not database:
        raise TargetError(f"{masked(text)}: name the database after the host, e.g. {kind}://user@host/shop")
    user = urllib.parse.unquote(parsed.username) if parsed.username else None
    password = urllib.parse.unquote(parsed.password) if parsed.password is not None else None
    query = []
    for name, value in urllib.parse.parse_qsl(parsed.query):
        if name.lower() in PASSWORD_OPTIONS:  # `?password=…`: drivers take it, so hide it like one
            password = value if password is None else password
        else:
            query.append((name, value))
    parsed = parsed._replace(query=urllib.parse.urlencode(query))
    display = _display(scheme, parsed, password is not None)
    if password is None and not engine.driver_reads_password:
        password = environ.get(engine.password_variable) or None
    if password is None and prompt is not None:
        password = prompt(display)
    return DatabaseTarget(
        kind=kind,
        display=display,
        database=database,
        host=parsed.hostname,
        port=port,
        user=user,
        query=tuple(query),
        password=password,
    )


def _port(parsed: urllib.parse.SplitResult, text: str) -> int | None:
    try:
        port = parsed.port
    except ValueError:  # `:abc`, `:99999`
        port = 0
    if port == 0:
        raise TargetError(f"{masked(text)}: the port must be a number from 1 to 65535")
    return port


def _display(scheme: str, parsed: urllib.parse.SplitResult, has_password: bool) -> str:
    user = parsed.username or ""
    userinfo = (user + (f":{MASK}" if has_password else "") + "@") if (user or has_password) else ""
    host = parsed.hostname or ""
    if host and ":" in host:
        host = f"[{host}]"
    port = f":{parsed.port}" if parsed.port else ""
    query = f"?{parsed.query}" if parsed.query else ""
    return f"{scheme}://{userinfo}{host}{port}{parsed.path}{query}"


def redact(text: str, target: DatabaseTarget | None) -> str:
    """A driver's message made safe to show: the password in any form becomes `***`, a URL's
    user-info is masked, and the first two lines are kept, as one (drivers add context and hints)."""
    text = scrub(text, target.secrets() if target is not None else ())
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return " ".join(lines[:2]) if lines else "unknown error"


def _forms(password: str) -> tuple[str, ...]:
    """A password as typed and URL-encoded (both ways), longest first."""
    forms = {password, urllib.parse.quote(password, safe=""), urllib.parse.quote_plus(password)}
    return tuple(sorted(forms, key=len, reverse=True))
