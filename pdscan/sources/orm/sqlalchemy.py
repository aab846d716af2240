"""SQLAlchemy models and Alembic migrations, read as syntax trees, never imported.

Models: declarative classes with `__tablename__` and `Column(…)` / `mapped_column(…)`
attributes (the attribute's name unless the column is named first: `Column("last_ip", INET)`),
and `Table("users", metadata, Column("email", String), …)`. Alembic: the `upgrade()` of each
revision, in the order of `down_revision` links: `op.create_table`, `op.add_column`,
`op.drop_column`, `op.alter_column(new_column_name=…, type_=…)`, `op.rename_table`,
`op.drop_table`, and the same on a `batch_op` of `op.batch_alter_table`. `downgrade()` is the way
back, not history. The column type is the type's name as written (`String(255)`, `INET`,
`Boolean`); `comment=` and a `# pdscan: …` comment are declarations.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from pdscan.sources.ddl.parser import (
    AddColumn,
    AlterColumnType,
    Change,
    ColumnDef,
    CreateTable,
    DropColumn,
    DropTable,
    RenameColumn,
    RenameTable,
)
from pdscan.sources.orm.ordering import parents_first
from pdscan.sources.orm.python_source import (
    assignment,
    comment_of,
    comments_by_line,
    keyword,
    last_name,
    parse_python,
    string,
)

_COLUMN_CALLS = frozenset({"Column", "mapped_column"})


def is_sqlalchemy_models(text: str) -> bool:
    return "__tablename__" in text or ("Table(" in text and "Column(" in text and "sqlalchemy" in text)


def is_alembic_revision(text: str) -> bool:
    return "down_revision" in text and "def upgrade" in text


def read_sqlalchemy_models(text: str) -> list[Change]:
    """Tables of declarative classes and `Table(…)` calls. A mapped class's subclass without a
    `__tablename__` of its own (single-table inheritance) adds its columns to its parent's
    table; one that names a table but defines no column creates none."""
    tree = parse_python(text)
    comments = comments_by_line(text)
    changes: list[Change] = []
    mapped: dict[str, str] = {}  # class name -> its table
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            changes.extend(_declarative(node, comments, mapped))
        elif isinstance(node, ast.Call) and last_name(node.func) == "Table" and (table := _table_call(node, comments)):
            changes.append(table)
    return changes


def _declarative(node: ast.ClassDef, comments: dict[int, str], mapped: dict[str, str]) -> list[Change]:
    table = None
    columns: list[ColumnDef] = []
    for statement in node.body:
        target, value = assignment(statement)
        if target == "__tablename__":
            table = string(value)
        elif target is not None and isinstance(value, ast.Call) and (column := _column_call(value)) is not None:
            columns.append(_column(column, comments, default_name=target, annotated=_annotation(statement)))
    parent = next((mapped[name] for base in node.bases if (name := last_name(base)) in mapped), None)
    if table is None and parent is not None:
        mapped[node.name] = parent
        return [AddColumn(parent, column) for column in columns]
    if table is None or (parent is not None and not columns):
        return []
    mapped[node.name] = table
    return [CreateTable(table, node.lineno, tuple(columns), comment=ast.get_docstring(node))]


def _column_call(value: ast.Call) -> ast.Call | None:
    """The `Column(…)` of an attribute: written alone or inside `column_property(Column(…))`."""
    if last_name(value.func) in _COLUMN_CALLS:
        return value
    if last_name(value.func) == "column_property" and value.args and isinstance(value.args[0], ast.Call):
        return _column_call(value.args[0])
    return None


def _table_call(call: ast.Call, comments: dict[int, str]) -> CreateTable | None:
    name = string(call.args[0]) if call.args else None
    if name is None:
        return None
    columns = [
        _column(item, comments)
        for item in call.args[1:]
        if isinstance(item, ast.Call) and last_name(item.func) in _COLUMN_CALLS
    ]
    comment, _ = comment_of(call, {})
    return CreateTable(name, call.lineno, tuple(column for column in columns if column.name), comment=comment)


def _annotation(statement: ast.stmt) -> str | None:
    """`Mapped[str]` -> "str": the type of a `mapped_column()` written without one."""
    if isinstance(statement, ast.AnnAssign) and isinstance(statement.annotation, ast.Subscript):
        inner = statement.annotation.slice
        return ast.unparse(inner) if isinstance(inner, ast.expr) else None
    return None


def _column(
    call: ast.Call, comments: dict[int, str], default_name: str = "", annotated: str | None = None
) -> ColumnDef:
    """`Column("name", Type, …)`, `Column(Type, …)`, `mapped_column(Type, name=…)`."""
    arguments = list(call.args)
    name = string(arguments[0]) if arguments else None
    if name is not None:
        arguments = arguments[1:]
    name = name or string(keyword(call, "name")) or default_name
    type_node = arguments[0] if arguments and not _is_foreign_key(arguments[0]) else keyword(call, "type_")
    sql_type = _type_text(type_node) or annotated
    if sql_type is None and any(_is_foreign_key(item) for item in arguments):
        sql_type = "ForeignKey"
    comment, annotation = comment_of(call, comments)
    return ColumnDef(name, sql_type, call.lineno, comment, annotation)


def _is_foreign_key(node: ast.expr) -> bool:
    return isinstance(node, ast.Call) and last_name(node.func) == "ForeignKey"


def _type_text(node: ast.expr | None) -> str | None:
    """`sa.String(255)` -> "String(255)", `postgresql.INET` -> "INET"."""
    if node is None:
        return None
    if isinstance(node, ast.Call):
        inner = ", ".join(ast.unparse(argument) for argument in node.args)
        return f"{last_name(node.func)}({inner})" if inner else last_name(node.func)
    return last_name(node) or None


# ---------------------------------------------------------------------------------------------
# Alembic


@dataclass(frozen=True)
class AlembicRevision:
    revision: str
    down_revisions: tuple[str, ...]
    upgrade: tuple[ast.stmt, ...]
    comments: dict[int, str]
    name: str


def read_alembic_revision(text: str, name: str) -> AlembicRevision:
    tree = parse_python(text)
    revision = name
    down: tuple[str, ...] = ()
    upgrade: tuple[ast.stmt, ...] = ()
    for node in tree.body:
        target, value = assignment(node)
        if target == "revision" and (text_value := string(value)):
            revision = text_value
        elif target == "down_revision":
            down = _revisions(value)
        elif isinstance(node, ast.FunctionDef) and node.name == "upgrade":
            upgrade = tuple(node.body)
    return AlembicRevision(revision, down, upgrade, comments_by_line(text), name)


def _revisions(node: ast.expr | None) -> tuple[str, ...]:
    if isinstance(node, ast.Tuple | ast.List):
        return tuple(value for item in node.elts if (value := string(item)))
    value = string(node)
    return (value,) if value else ()


def revision_order(revisions: list[AlembicRevision]) -> list[AlembicRevision]:
    """Parents before children along `down_revision`; ties and unknown parents by file name."""
    ordered = sorted(revisions, key=lambda revision: revision.name)
    return parents_first(ordered, lambda revision: revision.revision, lambda revision: revision.down_revisions)


def alembic_changes(revision: AlembicRevision) -> Iterator[Change]:
    for statement in revision.upgrade:
        yield from _statement_changes(statement, revision.comments, None)


def _statement_changes(
    statement: ast.stmt, comments: dict[int, str], batch: tuple[str, str] | None
) -> Iterator[Change]:
    """`batch` is (the name a `with op.batch_alter_table("t") as name` binds, the table)."""
    if isinstance(statement, ast.With):
        for item in statement.items:
            call = item.context_expr
            if (
                isinstance(call, ast.Call)
                and last_name(call.func) == "batch_alter_table"
                and isinstance(item.optional_vars, ast.Name)
                and (table := string(call.args[0] if call.args else keyword(call, "table_name")))
            ):
                for inner in statement.body:
                    yield from _statement_changes(inner, comments, (item.optional_vars.id, table))
        return
    if not isinstance(statement, ast.Expr) or not isinstance(statement.value, ast.Call):
        return
    call = statement.value
    if not isinstance(call.func, ast.Attribute) or not isinstance(call.func.value, ast.Name):
        return
    owner, operation = call.func.value.id, call.func.attr
    arguments = list(call.args)
    if batch is not None and owner == batch[0]:
        arguments.insert(0, ast.Constant(batch[1]))
    elif owner != "op":
        return
    yield from _operation(operation, call, arguments, comments)


def _operation(operation: str, call: ast.Call, arguments: list[ast.expr], comments: dict[int, str]) -> Iterator[Change]:
    table = string(arguments[0]) if arguments else string(keyword(call, "table_name"))
    if table is None:
        return
    if operation == "create_table":
        columns = [
            _column(item, comments)
            for item in arguments[1:]
            if isinstance(item, ast.Call) and last_name(item.func) in _COLUMN_CALLS
        ]
        comment, _ = comment_of(call, {})
        yield CreateTable(table, call.lineno, tuple(column for column in columns if column.name), comment=comment)
    elif operation == "add_column" and len(arguments) >= 2 and isinstance(arguments[1], ast.Call):
        yield AddColumn(table, _column(arguments[1], comments))
    elif operation == "drop_column" and (column := _second_name(arguments, call, "column_name")):
        yield DropColumn(table, column)
    elif operation == "alter_column" and (column := _second_name(arguments, call, "column_name")):
        new_type = _type_text(keyword(call, "type_"))
        if new_type:
            yield AlterColumnType(table, column, new_type)
        new_name = string(keyword(call, "new_column_name"))
        if new_name:
            yield RenameColumn(table, column, new_name, call.lineno)
    elif operation == "rename_table" and (new := _second_name(arguments, call, "new_table_name")):
        yield RenameTable(table, new)
    elif operation == "drop_table":
        yield DropTable(table)


def _second_name(arguments: list[ast.expr], call: ast.Call, name: str) -> str | None:
    return string(arguments[1]) if len(arguments) > 1 else string(keyword(call, name))
