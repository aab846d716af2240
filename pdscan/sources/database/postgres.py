"""PostgreSQL through psycopg: sessions read-only from their first statement, tables sampled
with `TABLESAMPLE SYSTEM` so the cost follows the sample, not the table.

Every connection starts with `default_transaction_read_only=on` and a statement timeout (libpq
`options`), so not even the catalog queries could write; each table's sample runs in its own
`READ ONLY` transaction with the timeout cut to the table's time left. Small tables are read
with `ORDER BY random() LIMIT n`, where a block sample would return too few rows; a table never
analysed (size unknown) by its first n rows.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

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

SMALL_TABLE_PAGES = 128  # up to 1 MiB of table: `ORDER BY random()` reads it all, cheaply
OVERSAMPLE = 3  # TABLESAMPLE returns about the asked share; ask for thrice the rows, LIMIT cuts
ROWS_PER_PAGE_GUESS = 30  # when the table was never analysed: few rows per page asks for more pages
# Tables the user can see, outside the system schemas, partitions once (through their parent).
# Sizes come from the statistics in pg_class: asking the table itself would wait on its locks.
LIST_TABLES = """
SELECT n.nspname, c.relname, c.reltuples::bigint, c.relpages, obj_description(c.oid, 'pg_class')
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
  AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%%'
  AND has_schema_privilege(n.oid, 'USAGE')
  {include} {exclude}
ORDER BY 1, 2
"""
INCLUDE = "AND (c.relname ILIKE ANY(%(include)s) OR (n.nspname || '.' || c.relname) ILIKE ANY(%(include)s))"
EXCLUDE = "AND NOT (c.relname ILIKE ANY(%(exclude)s) OR (n.nspname || '.' || c.relname) ILIKE ANY(%(exclude)s))"


class PostgresConnector:
    dialect = "postgresql"

    def __init__(self, target: DatabaseTarget, jobs: int, statement_timeout: float) -> None:
        self.target = target
        self.statement_timeout = statement_timeout
        options = (
            f"-c default_transaction_read_only=on -c statement_timeout={int(statement_timeout * 1000)} "
            "-c lock_timeout=5000 -c idle_in_transaction_session_timeout=600000"
        )
        self.engine = create_engine(
            target,
            "postgresql+psycopg",
            jobs,
            {"options": options, "connect_timeout": 10, "application_name": "pdscan"},
        )
        self.quote = self.engine.dialect.identifier_preparer.quote_identifier

    def catalog(self, tables: TableFilter) -> Catalog:
        includes = tables.like_includes()
        excludes = tables.like_excludes()
        query = LIST_TABLES.format(include=INCLUDE if includes else "", exclude=EXCLUDE if excludes else "")
        with self.engine.connect() as connection:
            rows = connection.exec_driver_sql(
                query, {"include": list(includes or ()), "exclude": list(excludes)}
            ).fetchall()
        refs = [
            TableRef(schema, name, int(tuples) if tuples is not None and tuples >= 0 else None, int(pages or 0))
            for schema, name, tuples, pages, _ in rows
        ]
        comments = {(schema, name): comment for schema, name, _, _, comment in rows}
        return reflect(self.engine, self.target, refs, comments, tables)

    def sample(self, table: TableRef, columns: Sequence[SampleColumn], limit: int, deadline: float) -> list[tuple]:
        selected = ", ".join(self._expression(column) for column in columns)
        qualified = f"{self.quote(table.schema)}.{self.quote(table.name)}" if table.schema else self.quote(table.name)
        source = f"{qualified} AS sampled"
        pages = table.pages or 0
        if table.estimated_rows is None:  # never analysed: its size is unknown, so no ORDER BY over all of it
            query = f"SELECT {selected} FROM {source} LIMIT {int(limit)}"
        elif pages <= SMALL_TABLE_PAGES:
            query = f"SELECT {selected} FROM {source} ORDER BY random() LIMIT {int(limit)}"
        else:
            rows = table.estimated_rows or pages * ROWS_PER_PAGE_GUESS
            share = min(100.0, 100.0 * OVERSAMPLE * limit / max(rows, 1))
            seed = random.randrange(1 << 30)
            query = (
                f"SELECT {selected} FROM {source} TABLESAMPLE SYSTEM ({share:.6f}) REPEATABLE ({seed}) "
                f"LIMIT {int(limit)}"
            )
        with table_connection(self.engine, self.target) as connection:
            try:
                with connection.begin():
                    connection.exec_driver_sql("SET TRANSACTION READ ONLY")
                    timeout = remaining_ms(deadline, self.statement_timeout)
                    connection.exec_driver_sql(f"SET LOCAL statement_timeout = {timeout}")
                    result = connection.exec_driver_sql(query).fetchall()
                    connection.rollback()
                    return [tuple(row) for row in result]
            except SampleError:
                raise
            except Exception as error:
                raise SampleError(_reason(error, self.target)) from None

    def _expression(self, column: SampleColumn) -> str:
        quoted = f"sampled.{self.quote(column.name)}"
        characters = MAX_JSON_CHARACTERS if column.kind == JSON else MAX_TEXT_CHARACTERS
        return f"left(CAST({quoted} AS text), {characters})"

    def close(self) -> None:
        self.engine.dispose()


def _reason(error: BaseException, target: DatabaseTarget) -> str:
    state = getattr(getattr(error, "orig", None), "sqlstate", None)
    if state == "42501":
        return "permission denied: its values were not sampled (its columns are judged by name)"
    if state in ("42P01", "3F000"):
        return "it disappeared during the scan"
    if state == "57014":
        return "the statement timeout cancelled its sample (--statement-timeout)"
    if state == "55P03":
        return "it is locked by another session (lock timeout)"
    return describe(error, target)


def connect(target: DatabaseTarget, jobs: int, statement_timeout: float) -> PostgresConnector:
    return PostgresConnector(target, jobs, statement_timeout)
