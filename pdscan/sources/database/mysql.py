"""MySQL and MariaDB through PyMySQL: read-only sessions, tables sampled as a bounded random range.

Every session starts with `SET SESSION TRANSACTION READ ONLY` (so even an autocommitted
statement could not write) and each table's sample runs inside `START TRANSACTION READ ONLY`.
A table with a single integer primary key is read from a random key onwards (`WHERE key >= r
ORDER BY key LIMIT n`, wrapping round to the start): the index bounds the cost by the sample.
Without one, a small table is read `ORDER BY RAND()` and a large one by its first n rows.
Each statement carries its own time limit (MariaDB `SET STATEMENT max_statement_time`, MySQL
the `MAX_EXECUTION_TIME` hint).
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from functools import partial
from typing import Any

from pdscan.sources.database.interface import (
    JSON,
    MAX_JSON_CHARACTERS,
    MAX_TEXT_CHARACTERS,
    Catalog,
    SampleColumn,
    SampleError,
    TableFilter,
    TableRef,
)
from pdscan.sources.database.server import create_engine, describe, reflect, remaining_ms, table_connection
from pdscan.sources.database.target import DatabaseTarget

READ_ONLY_SESSION = "SET SESSION TRANSACTION READ ONLY"
SMALL_TABLE_ROWS_PER_SAMPLE = 10  # up to 10 samples' worth of rows, ORDER BY RAND() is cheap
LIST_TABLES = """
SELECT table_name, table_rows, table_comment
FROM information_schema.tables
WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE' {include} {exclude}
ORDER BY table_name
"""
INTEGER_KEYS = """
SELECT k.table_name, MIN(k.column_name)
FROM information_schema.key_column_usage k
JOIN information_schema.columns c
  ON c.table_schema = k.table_schema AND c.table_name = k.table_name AND c.column_name = k.column_name
WHERE k.table_schema = DATABASE() AND k.constraint_name = 'PRIMARY'
GROUP BY k.table_name
HAVING COUNT(*) = 1 AND MIN(c.data_type) IN ('tinyint', 'smallint', 'mediumint', 'int', 'bigint')
"""
PERMISSION_ERRORS = {1142, 1143, 1044}
GONE_ERRORS = {1146, 1049}
TIMEOUT_ERRORS = {3024, 1969, 1317, 1205}  # max_execution_time, max_statement_time, interrupted, lock wait


class MySQLConnector:
    def __init__(self, target: DatabaseTarget, jobs: int, statement_timeout: float) -> None:
        self.target = target
        self.statement_timeout = statement_timeout
        self.engine = create_engine(
            target,
            "mysql+pymysql",
            jobs,
            {"connect_timeout": 10, "charset": "utf8mb4", "init_command": READ_ONLY_SESSION},
            partial(_session_limits, max(1, math.ceil(statement_timeout))),
        )
        with self.engine.connect() as connection:
            version = str(connection.exec_driver_sql("SELECT VERSION()").scalar() or "")
        self.dialect = "mariadb" if "mariadb" in version.lower() else "mysql"
        self.quote = self.engine.dialect.identifier_preparer.quote_identifier

    def catalog(self, tables: TableFilter) -> Catalog:
        includes = tables.like_includes()
        excludes = tables.like_excludes()
        parameters: dict[str, str] = {}
        include = exclude = ""
        if includes:
            parameters.update({f"i{n}": pattern for n, pattern in enumerate(includes)})
            include = "AND (" + " OR ".join(f"table_name LIKE %(i{n})s" for n in range(len(includes))) + ")"
        if excludes:
            parameters.update({f"x{n}": pattern for n, pattern in enumerate(excludes)})
            exclude = "".join(f" AND table_name NOT LIKE %(x{n})s" for n in range(len(excludes)))
        with self.engine.connect() as connection:
            rows = connection.exec_driver_sql(
                LIST_TABLES.format(include=include, exclude=exclude), parameters
            ).fetchall()
            keys = dict(connection.exec_driver_sql(INTEGER_KEYS).fetchall())
        refs = [
            TableRef(None, str(name), int(table_rows) if table_rows is not None else None, None, keys.get(name))
            for name, table_rows, _ in rows
        ]
        comments: dict[tuple[str | None, str], str | None] = {
            (None, str(name)): comment or None for name, _, comment in rows
        }
        return reflect(self.engine, self.target, refs, comments, tables)

    def sample(self, table: TableRef, columns: Sequence[SampleColumn], limit: int, deadline: float) -> list[tuple]:
        selected = ", ".join(self._expression(column) for column in columns)
        source = self.quote(table.name)
        limit = int(limit)
        with table_connection(self.engine, self.target) as connection:
            try:
                connection.exec_driver_sql("START TRANSACTION READ ONLY")
                try:
                    return self._rows(connection, table, selected, source, limit, deadline)
                finally:
                    connection.rollback()
            except SampleError:
                raise
            except Exception as error:
                raise SampleError(_reason(error, self.target)) from None

    def _rows(self, connection: Any, table: TableRef, selected: str, source: str, limit: int, deadline: float) -> list:
        key = self.quote(table.integer_key) if table.integer_key else None
        if key is None:
            small = table.estimated_rows is not None and table.estimated_rows <= SMALL_TABLE_ROWS_PER_SAMPLE * limit
            order = " ORDER BY RAND()" if small else ""
            return self._run(connection, f"SELECT {selected} FROM {source}{order} LIMIT {limit}", deadline)
        low, high = self._run(connection, f"SELECT MIN({key}), MAX({key}) FROM {source}", deadline)[0]
        if low is None:
            return []
        start = random.randint(int(low), int(high))
        rows = self._run(
            connection, f"SELECT {selected} FROM {source} WHERE {key} >= {start} ORDER BY {key} LIMIT {limit}", deadline
        )
        if len(rows) < limit:
            rows += self._run(
                connection,
                f"SELECT {selected} FROM {source} WHERE {key} < {start} ORDER BY {key} LIMIT {limit - len(rows)}",
                deadline,
            )
        return rows

    def _run(self, connection: Any, select: str, deadline: float) -> list[tuple]:
        timeout = remaining_ms(deadline, self.statement_timeout)
        if self.dialect == "mariadb":
            statement = f"SET STATEMENT max_statement_time={timeout / 1000:.3f} FOR {select}"
        else:
            statement = select.replace("SELECT ", f"SELECT /*+ MAX_EXECUTION_TIME({timeout}) */ ", 1)
        return [tuple(row) for row in connection.exec_driver_sql(statement).fetchall()]

    def _expression(self, column: SampleColumn) -> str:
        characters = MAX_JSON_CHARACTERS if column.kind == JSON else MAX_TEXT_CHARACTERS
        return f"LEFT(CAST({self.quote(column.name)} AS CHAR CHARACTER SET utf8mb4), {characters})"

    def close(self) -> None:
        self.engine.dispose()


def _session_limits(lock_wait: int, connection: Any, record: Any) -> None:
    """A table locked by someone else waits no longer than a statement may run (MySQL's
    default wait is a year); the session's own statements stay read-only."""
    del record
    with connection.cursor() as cursor:
        cursor.execute(f"SET SESSION lock_wait_timeout = {int(lock_wait)}")
        cursor.execute(READ_ONLY_SESSION)


def _reason(error: BaseException, target: DatabaseTarget) -> str:
    args = getattr(getattr(error, "orig", None), "args", ())
    code = args[0] if args and isinstance(args[0], int) else None
    if code in PERMISSION_ERRORS:
        return "permission denied: its values were not sampled (its columns are judged by name)"
    if code in GONE_ERRORS:
        return "it disappeared during the scan"
    if code in TIMEOUT_ERRORS:
        return "the statement timeout cancelled its sample (--statement-timeout)"
    return describe(error, target)


def connect(target: DatabaseTarget, jobs: int, statement_timeout: float) -> MySQLConnector:
    return MySQLConnector(target, jobs, statement_timeout)
