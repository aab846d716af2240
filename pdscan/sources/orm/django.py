"""Django schemas: `models.py` (models as classes) and migration files (`migrations.AddField`…).

Tables get the names Django gives them: `Meta.db_table`, else `<app label>_<model name>` in
lower case, the app label being the folder of the app (`shop/models.py`,
`shop/models/customer.py`, `shop/migrations/0002_x.py` are all app `shop`). A foreign key
`user` is the column `user_id`; `db_column=` renames; many-to-many fields live in a table of
their own (`<table>_<field>`, with the two keys). The field class is the column's type
(`EmailField`, `GenericIPAddressField`, `BooleanField`): pdscan reads it as it reads a SQL type.
`help_text=`/`db_comment=` and a `# pdscan: …` comment are declarations, as in SQL.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePath

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
    dotted_name,
    is_true,
    keyword,
    last_name,
    parse_python,
    string,
)

_RELATIONS = frozenset({"ForeignKey", "OneToOneField", "ParentalKey"})
# Fields that django.contrib.auth's abstract bases give a custom user model (`class User(AbstractUser)`).
_AUTH_BASE_FIELDS = {
    "AbstractBaseUser": (("password", "CharField"), ("last_login", "DateTimeField")),
    "PermissionsMixin": (("is_superuser", "BooleanField"),),
    "AbstractUser": (
        ("password", "CharField"),
        ("last_login", "DateTimeField"),
        ("is_superuser", "BooleanField"),
        ("username", "CharField"),
        ("first_name", "CharField"),
        ("last_name", "CharField"),
        ("email", "EmailField"),
        ("is_staff", "BooleanField"),
        ("is_active", "BooleanField"),
        ("date_joined", "DateTimeField"),
    ),
}
_NOT_COLUMNS = frozenset({"ManyToManyField", "GenericForeignKey", "GenericRelation", "ParentalManyToManyField"})


def app_label(path: PurePath) -> str:
    """The app a models or migrations file belongs to: the folder holding `models.py`,
    `models/` or `migrations/`."""
    parents = path.parent.parts
    if path.parent.name in ("models", "migrations") and len(parents) >= 2:
        return parents[-2]
    return path.parent.name or "app"


def is_django_models(text: str) -> bool:
    return "models.Model" in text or "from django.db import models" in text


def is_django_migration(text: str) -> bool:
    return "migrations.Migration" in text


# ---------------------------------------------------------------------------------------------
# models.py


@dataclass
class _Model:
    name: str
    table: str
    line: int
    fields: list[ColumnDef] = field(default_factory=list)
    many_to_many: list[tuple[str, str, int]] = field(default_factory=list)  # field, target model, line
    has_primary_key: bool = False
    abstract: bool = False
    proxy: bool = False
    parents: list[str] = field(default_factory=list)
    comment: str | None = None


def read_django_models(text: str, path: PurePath) -> list[Change]:
    """The tables a models file defines (abstract parents' fields copied into their children)."""
    tree = parse_python(text)
    comments = comments_by_line(text)
    label = app_label(path)
    models: dict[str, _Model] = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and (model := _model(node, label, comments, models)) is not None:
            models[model.name] = model
    changes: list[Change] = []
    for model in models.values():
        if model.abstract or model.proxy:
            continue
        columns = _inherited(model, models) + model.fields
        if not model.has_primary_key and not any(column.name == "id" for column in columns):
            columns.insert(0, ColumnDef("id", "AutoField", model.line))
        changes.append(CreateTable(model.table, model.line, tuple(columns), comment=model.comment))
        for name, target, line in model.many_to_many:
            keys = dict.fromkeys((f"{model.name.lower()}_id", f"{target.lower()}_id"))
            through = [ColumnDef("id", "AutoField", line), *(ColumnDef(key, "ForeignKey", line) for key in keys)]
            changes.append(CreateTable(f"{model.table}_{name}", line, tuple(through)))
    return changes


def _model(node: ast.ClassDef, label: str, comments: dict[int, str], known: dict[str, _Model]) -> _Model | None:
    """A model class: one deriving from `Model`, a model of the file, django.contrib.auth's
    bases, or any class (a base from another module) whose attributes are model fields."""
    bases = [last_name(base) for base in node.bases]
    is_model = any(base in ("Model", *known, *_AUTH_BASE_FIELDS) or base.endswith("Model") for base in bases)
    if not is_model and not any(_is_field(assignment(statement)[1]) for statement in node.body):
        return None
    model = _Model(node.name, f"{label}_{node.name.lower()}", node.lineno, comment=ast.get_docstring(node))
    model.parents = [base for base in bases if base in known]
    inherited = dict(field for base in bases for field in _AUTH_BASE_FIELDS.get(base, ()))
    model.fields = [ColumnDef(name, kind, node.lineno) for name, kind in inherited.items()]
    for statement in node.body:
        if isinstance(statement, ast.ClassDef) and statement.name == "Meta":
            _read_meta(statement, model)
            continue
        target, value = assignment(statement)
        if target is not None and (
            isinstance(value, ast.Call) or (isinstance(value, ast.Constant) and value.value is None)
        ):
            model.fields = [column for column in model.fields if column.name != target]  # `username = None` removes it
        if target is None or not isinstance(value, ast.Call):
            continue
        kind = last_name(value.func)
        if kind in _NOT_COLUMNS:
            if kind == "ManyToManyField" and keyword(value, "through") is None:
                model.many_to_many.append((target, _related_model(value), statement.lineno))
            continue
        if kind.endswith("Field") or kind in _RELATIONS:
            column = _field_column(target, value, comments)
            model.fields = [existing for existing in model.fields if existing.name != column.name]
            model.fields.append(column)
            model.has_primary_key = model.has_primary_key or is_true(keyword(value, "primary_key"))
    for parent in model.parents:
        if not known[parent].abstract:  # multi-table inheritance: a link to the parent's row
            model.fields.insert(0, ColumnDef(f"{parent.lower()}_ptr_id", "OneToOneField", node.lineno))
    return model


def _is_field(value: ast.expr | None) -> bool:
    if not isinstance(value, ast.Call):
        return False
    kind = last_name(value.func)
    return dotted_name(value.func).startswith("models.") and (kind.endswith("Field") or kind in _RELATIONS)


def _read_meta(meta: ast.ClassDef, model: _Model) -> None:
    for statement in meta.body:
        target, value = assignment(statement)
        if target == "db_table" and (table := string(value)) is not None:
            model.table = table
        elif target == "abstract":
            model.abstract = is_true(value)
        elif target == "proxy":
            model.proxy = is_true(value)
        elif target == "db_table_comment" and (text := string(value)) is not None:
            model.comment = text


def _inherited(model: _Model, models: dict[str, _Model]) -> list[ColumnDef]:
    """Fields of abstract parents (and their parents), which Django copies into the child."""
    columns: list[ColumnDef] = []
    for parent_name in model.parents:
        parent = models[parent_name]
        if parent.abstract:
            columns += _inherited(parent, models) + parent.fields
    return columns


def _field_column(name: str, call: ast.Call, comments: dict[int, str]) -> ColumnDef:
    kind = last_name(call.func)
    column = string(keyword(call, "db_column"))
    if column is None:
        column = f"{name}_id" if kind in _RELATIONS else name
    comment, annotation = comment_of(call, comments)
    return ColumnDef(column, kind, call.lineno, comment, annotation)


def _related_model(call: ast.Call) -> str:
    """The model a relation points at: `"Tag"`, `"shop.Tag"`, `Tag`, or `to=…`."""
    target = call.args[0] if call.args else keyword(call, "to")
    name = string(target) if string(target) is not None else last_name(target) if target is not None else ""
    return (name or "target").rsplit(".", 1)[-1]


# ---------------------------------------------------------------------------------------------
# migrations


@dataclass(frozen=True)
class DjangoMigration:
    """One migration file: its name, the migrations it depends on, and its operations."""

    app: str
    name: str
    dependencies: tuple[tuple[str, str], ...]
    operations: tuple[ast.Call, ...]
    comments: dict[int, str]


def read_django_migration(text: str, path: PurePath) -> DjangoMigration:
    tree = parse_python(text)
    dependencies: list[tuple[str, str]] = []
    operations: list[ast.Call] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.ClassDef) or not any(last_name(b) == "Migration" for b in node.bases):
            continue
        for statement in node.body:
            target, value = assignment(statement)
            if target == "dependencies" and isinstance(value, ast.List | ast.Tuple):
                for item in value.elts:
                    if isinstance(item, ast.Tuple) and len(item.elts) == 2:
                        app, name = string(item.elts[0]), string(item.elts[1])
                        if app and name:
                            dependencies.append((app, name))
            elif target == "operations" and isinstance(value, ast.List | ast.Tuple):
                operations.extend(item for item in value.elts if isinstance(item, ast.Call))
    return DjangoMigration(app_label(path), path.stem, tuple(dependencies), tuple(operations), comments_by_line(text))


def migration_order(migrations: list[DjangoMigration]) -> list[DjangoMigration]:
    """Dependencies first (a topological order), ties and cycles by app and name."""
    ordered = sorted(migrations, key=lambda migration: (migration.app, migration.name))
    return parents_first(ordered, lambda m: (m.app, m.name), lambda m: sorted(m.dependencies))


class MigrationReplay:
    """Django operations as schema changes; remembers each model's table across migrations."""

    def __init__(self) -> None:
        self.tables: dict[tuple[str, str], str] = {}  # (app, model in lower case) -> a db_table
        self.relations: dict[tuple[str, str, str], str] = {}  # (app, model, field) -> column

    def changes(self, migration: DjangoMigration) -> Iterator[Change]:
        for operation in migration.operations:
            yield from self._operation(migration, operation)

    def _table(self, app: str, model: str) -> str:
        return self.tables.get((app, model.lower()), f"{app}_{model.lower()}")

    def _operation(self, migration: DjangoMigration, call: ast.Call) -> Iterator[Change]:
        kind, app = last_name(call.func), migration.app
        arguments = {item.arg: item.value for item in call.keywords if item.arg}
        positional = list(call.args)
        if kind == "CreateModel":
            model = string(arguments.get("name") or (positional[0] if positional else None))
            fields = arguments.get("fields") or (positional[1] if len(positional) > 1 else None)
            if model is None:
                return
            table = _option_table(arguments.get("options"))
            if table is not None:
                self.tables[app, model.lower()] = table
            table = self._table(app, model)
            columns = [
                column
                for name, field_call in _field_pairs(fields)
                if (column := self._column(app, model, name, field_call, migration)) is not None
            ]
            yield CreateTable(table, call.lineno, tuple(columns))
        elif kind in ("AddField", "AlterField"):
            model, name = string(arguments.get("model_name")), string(arguments.get("name"))
            field_call = arguments.get("field")
            if model and name and isinstance(field_call, ast.Call):
                column = self._column(app, model, name, field_call, migration)
                if column is None:
                    return
                table = self._table(app, model)
                if kind == "AddField":
                    yield AddColumn(table, column)
                else:
                    yield AlterColumnType(table, column.name, column.sql_type or "")
        elif kind == "RemoveField":
            model, name = string(arguments.get("model_name")), string(arguments.get("name"))
            if model and name:
                yield DropColumn(self._table(app, model), self.relations.get((app, model.lower(), name), name))
        elif kind == "RenameField":
            model = string(arguments.get("model_name"))
            old, new = string(arguments.get("old_name")), string(arguments.get("new_name"))
            if model and old and new:
                old_column = self.relations.pop((app, model.lower(), old), old)
                new_column = f"{new}_id" if old_column != old else new
                if old_column != old:
                    self.relations[app, model.lower(), new] = new_column
                yield RenameColumn(self._table(app, model), old_column, new_column, call.lineno)
        elif kind == "DeleteModel":
            model = string(arguments.get("name") or (positional[0] if positional else None))
            if model:
                yield DropTable(self._table(app, model))
        elif kind == "RenameModel":
            old, new = string(arguments.get("old_name")), string(arguments.get("new_name"))
            if old and new:
                old_table = self._table(app, old)
                if (app, old.lower()) in self.tables:  # a db_table of its own stays as it was
                    self.tables[app, new.lower()] = self.tables.pop((app, old.lower()))
                elif old_table != (new_table := self._table(app, new)):
                    yield RenameTable(old_table, new_table)
        elif kind == "AlterModelTable":
            model, table = string(arguments.get("name")), string(arguments.get("table"))
            if model and table:
                old_table = self._table(app, model)
                self.tables[app, model.lower()] = table
                yield RenameTable(old_table, table)

    def _column(self, app: str, model: str, name: str, call: ast.Call, migration: DjangoMigration) -> ColumnDef | None:
        kind = last_name(call.func)
        if kind in _NOT_COLUMNS:
            return None
        column = _field_column(name, call, migration.comments)
        if kind in _RELATIONS:
            self.relations[app, model.lower(), name] = column.name
        return column


def _option_table(options: ast.expr | None) -> str | None:
    if isinstance(options, ast.Dict):
        for key, value in zip(options.keys, options.values, strict=True):
            if string(key) == "db_table":
                return string(value)
    return None


def _field_pairs(fields: ast.expr | None) -> Iterator[tuple[str, ast.Call]]:
    if not isinstance(fields, ast.List | ast.Tuple):
        return
    for item in fields.elts:
        if isinstance(item, ast.Tuple) and len(item.elts) == 2 and isinstance(item.elts[1], ast.Call):
            name = string(item.elts[0])
            if name is not None:
                yield name, item.elts[1]
