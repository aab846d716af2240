"""Migration folders that write schema names and table prefixes as templates replay whole."""

from __future__ import annotations

from pathlib import Path

import pytest

from pdscan.sources.ddl.source import scan_ddl_files


def columns_of(tmp_path: Path, text: str, name: str = "001_init.sql") -> dict[str, list[str]]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    result = scan_ddl_files([path], database=str(tmp_path))
    assert not result.skipped, result.skipped
    return {table.name: [column.name for column in table.columns] for table in result.tables}


@pytest.mark.parametrize(
    "placeholder",
    ['{{ index .Options "Namespace" }}.', "${schema}.", "${flyway:defaultSchema}.", "%TABLE_PREFIX%", "{prefix}"],
)
def test_every_statement_on_a_templated_table_is_replayed(tmp_path: Path, placeholder: str) -> None:
    text = (
        f"CREATE TABLE {placeholder}members (id int, fax text, nickname text);\n"
        f"ALTER TABLE {placeholder}members ADD COLUMN email text;\n"
        f"ALTER TABLE {placeholder}members DROP COLUMN fax;\n"
        f"ALTER TABLE {placeholder}members RENAME COLUMN nickname TO display_name;\n"
    )
    assert columns_of(tmp_path, text) == {f"{placeholder}members": ["id", "email", "display_name"]}


def test_a_comment_on_a_templated_column_is_its_declaration(tmp_path: Path) -> None:
    path = tmp_path / "V1__init.sql"
    path.write_text(
        "CREATE TABLE ${schema}.members (id int, phone text);\n"
        "COMMENT ON COLUMN ${schema}.members.phone IS 'purpose: customer_support';\n",
        encoding="utf-8",
    )
    (table,) = scan_ddl_files([path], database="db").tables
    assert [(c.name, c.comment) for c in table.columns] == [("id", None), ("phone", "purpose: customer_support")]


def test_joomlas_prefix_is_a_table_not_a_temporary_one(tmp_path: Path) -> None:
    text = (
        "CREATE TABLE IF NOT EXISTS `#__users` (`id` int NOT NULL, `username` varchar(150)) ENGINE=InnoDB;\n"
        "ALTER TABLE `#__users` ADD COLUMN `email` varchar(100) NOT NULL DEFAULT '';\n"
    )
    assert columns_of(tmp_path, text, "install.mysql.utf8.sql") == {"#__users": ["id", "username", "email"]}


def test_text_that_only_looks_like_a_placeholder_is_kept_as_written(tmp_path: Path) -> None:
    text = "CREATE TABLE members (id int, tags text[] DEFAULT '{vip}', note text);\n"
    text += "COMMENT ON COLUMN members.note IS 'shown as {name} in ${currency}';\n"
    path = tmp_path / "a.sql"
    path.write_text(text, encoding="utf-8")
    (table,) = scan_ddl_files([path], database="db").tables
    assert table.columns[1].sql_type is not None and "pdscantpl" not in table.columns[1].sql_type
    assert table.columns[2].comment == "shown as {name} in ${currency}"
