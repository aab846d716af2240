"""What PostgreSQL and MySQL/MariaDB share: a SQLAlchemy engine, reflection through its
inspector, and turning driver errors into one safe line.

The dialect modules say how to list tables (with the include/exclude patterns in the catalog
query itself), how to make a session read-only with a statement timeout, and how to sample.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import replace
from typing import Any

from pdscan.detect.readable import shown_name
from pdscan.model import Column, Location, Skipped, SourceKind, Table
from pdscan.sentences import skipped_because
from pdscan.sources.database.interface import (
    Catalog,
    CatalogTable,
    ConnectError,
    SampleColumn,
    SampleError,
    TableFilter,
    TableRef,
    is_binary,
    sample_kind,
)
from pdscan.sources.database.target import DatabaseTarget, redact

CONNECT_TIMEOUT = 10  # seconds to reach a server before it counts as unreachable
REFLECT_BATCH = 500  # tables per inspector call: one catalog query per batch, not per table


class DriverMissing(ConnectError):
    """The database's driver is not installed: the message names the pip extra."""


def create_engine(
    target: DatabaseTarget,
    drivername: str,
    pool_size: int,
    connect_args: dict[str, Any],
    on_connect: Callable[[Any, Any], None] | None = None,
) -> Any:
    """An engine for the target (`on_connect` runs on every new DBAPI connection, before any
    use); a missing driver or an unreachable server is a ConnectError."""
    try:
        import sqlalchemy
        from sqlalchemy.engine import URL
    except ImportError:  # pragma: no cover - sqlalchemy is a dependency of pdscan
        raise DriverMissing("skipped.sqlalchemy_missing") from None
    url = URL.create(
        drivername,
        username=target.user,
        password=target.password,
        host=target.host,
        port=target.port,
        database=target.database,
        query=dict(target.query),
    )
    try:
        engine = sqlalchemy.create_engine(
            url, pool_size=pool_size, max_overflow=0, pool_pre_ping=False, connect_args=connect_args
        )
    except ImportError:
        needs = (("kind", target.kind), ("driver", target.engine.driver), ("extra", target.engine.extra))
        raise DriverMissing("skipped.driver_missing", needs) from None
    if on_connect is not None:
        sqlalchemy.event.listen(engine, "connect", on_connect)
    try:
        with engine.connect():
            pass
    except Exception as error:
        engine.dispose()
        raise ConnectError("skipped.cannot_connect", (("error", describe(error, target)),)) from None
    return engine


def describe(error: BaseException, target: DatabaseTarget | None) -> str:
    """The driver's own message (not SQLAlchemy's wrapping with SQL and links), made safe."""
    original = getattr(error, "orig", None) or error
    args: tuple[object, ...] = getattr(original, "args", ())
    mysql_style = len(args) == 2 and isinstance(args[0], int)  # PyMySQL: (errno, message)
    text = f"{args[1]} (MySQL error {args[0]})" if mysql_style else str(original)
    return redact(text, target)


def reflect(
    engine: Any,
    target: DatabaseTarget,
    listed: Sequence[TableRef],
    comments: dict[tuple[str | None, str], str | None],
    table_filter: TableFilter,
) -> Catalog:
    """Columns, types and comments of the listed tables through SQLAlchemy's inspector, in
    batches, per schema; a table that vanished between listing and reflecting is skipped."""
    import sqlalchemy

    refs = [ref for ref in listed if table_filter.matches(ref.schema, ref.name)]
    by_schema: dict[str | None, list[TableRef]] = {}
    for ref in refs:
        by_schema.setdefault(ref.schema, []).append(ref)
    tables: list[CatalogTable] = []
    skipped: list[Skipped] = []
    with engine.connect() as connection:
        inspector = sqlalchemy.inspect(connection)
        default_schema = inspector.default_schema_name
        for schema, in_schema in by_schema.items():
            for start in range(0, len(in_schema), REFLECT_BATCH):
                batch = in_schema[start : start + REFLECT_BATCH]
                names = [ref.name for ref in batch]
                columns = _columns(inspector, schema, names, target, default_schema, skipped)
                for ref in batch:
                    shown = _shown(ref, default_schema)
                    if (schema, ref.name) not in columns:
                        said = shown_name(shown)
                        skipped.append(skipped_because(target.display, "skipped.table_gone", (("table", said),)))
                        continue
                    found = columns[(schema, ref.name)]
                    if found is None:  # reported by _columns
                        continue
                    tables.append(
                        _catalog_table(target, ref, shown, found, comments.get((ref.schema, ref.name)), engine)
                    )
    return Catalog(tuple(tables), tuple(skipped))


def _columns(
    inspector: Any,
    schema: str | None,
    names: list[str],
    target: DatabaseTarget,
    default_schema: str | None,
    skipped: list[Skipped],
) -> dict[tuple[str | None, str], list[dict[str, Any]]]:
    """Columns of a batch of tables in one call; when the batch fails (one table denied or
    locked), table by table, so only the tables at fault are skipped."""
    try:
        return dict(inspector.get_multi_columns(schema=schema, filter_names=names))
    except Exception:  # one of them is at fault: find which
        _reset(inspector)
    found: dict[tuple[str | None, str], list[dict[str, Any]]] = {}
    for name in names:
        try:
            found.update(inspector.get_multi_columns(schema=schema, filter_names=[name]))
        except Exception as error:
            said = shown_name(_shown(TableRef(schema, name), default_schema))
            skipped.append(_unreadable_columns(error, target, said))
            found[(schema, name)] = None  # type: ignore[assignment]
            _reset(inspector)
    return found


def _reset(inspector: Any) -> None:
    """After a failed catalog query PostgreSQL refuses the rest of the transaction: start anew."""
    with suppress(Exception):
        inspector.bind.rollback()


def _unreadable_columns(error: BaseException, target: DatabaseTarget, table: str) -> Skipped:
    text = describe(error, target)
    if "denied" in text.lower():
        message = "skipped.columns_denied"
    elif "timeout" in text.lower():
        message = "skipped.columns_locked"
    else:
        message = "skipped.columns_unreadable"
    return skipped_because(target.display, message, (("table", table), ("error", text)))


def _shown(ref: TableRef, default_schema: str | None) -> str:
    """`users` in the default schema, `audit.users` elsewhere: how people name it."""
    return ref.name if ref.schema in (None, default_schema) else f"{ref.schema}.{ref.name}"


def _catalog_table(
    target: DatabaseTarget,
    ref: TableRef,
    shown: str,
    reflected: list[dict[str, Any]],
    comment: str | None,
    engine: Any,
) -> CatalogTable:
    location = Location(target.display, SourceKind.DATABASE, table=shown_name(shown), database=target.database)
    columns = []
    sampled = []
    binary = []
    for entry in reflected:
        name = str(entry["name"])
        sql_type = _type_name(entry.get("type"), engine)
        columns.append(
            Column(
                location=replace(location, column=shown_name(name)),
                name=name,
                sql_type=sql_type,
                comment=entry.get("comment") or None,
            )
        )
        kind = sample_kind(sql_type)
        if kind is not None:
            sampled.append(SampleColumn(name, kind))
        elif is_binary(sql_type):
            binary.append(name)
    table = Table(location=location, name=shown, columns=tuple(columns), comment=comment or None)
    return CatalogTable(table, ref, tuple(sampled), tuple(binary))


def _type_name(sql_type: Any, engine: Any) -> str | None:
    if sql_type is None:
        return None
    try:
        return str(sql_type.compile(dialect=engine.dialect))
    except Exception:
        return type(sql_type).__name__.lower()


@contextmanager
def table_connection(engine: Any, target: DatabaseTarget) -> Iterator[Any]:
    """A pooled connection for one table's sample; failures to get one are a SampleError."""
    try:
        connection = engine.connect()
    except Exception as error:
        raise SampleError(f"cannot connect: {describe(error, target)}") from None
    try:
        yield connection
    finally:
        with suppress(Exception):  # a broken connection is dropped by the pool
            connection.close()


def remaining_ms(deadline: float, statement_timeout: float) -> int:
    """Milliseconds a statement may run: the statement timeout, cut to the table's time left."""
    left = min(statement_timeout, deadline - time.monotonic())
    if left <= 0:
        raise SampleError("the per-table time limit ran out before its sample was read")
    return max(1, int(left * 1000))
