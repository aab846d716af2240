"""ORM schema files (Rails, Prisma, Django, SQLAlchemy, Alembic) read as schema sources: the
readers on small texts, and real-layout projects (tests/fixtures/orm) scanned through the CLI."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path, PurePath

import pytest
from support.command import run_pdscan
from support.paths import TESTS

from pdscan.sources.ddl.parser import AddColumn, CreateTable, DropColumn, RenameColumn
from pdscan.sources.orm import orm_format
from pdscan.sources.orm.django import read_django_models
from pdscan.sources.orm.prisma import PrismaSyntaxError, read_prisma
from pdscan.sources.orm.rails import RubySyntaxError, read_rails
from pdscan.sources.orm.sqlalchemy import read_sqlalchemy_models

FIXTURES = TESTS / "fixtures" / "orm"


def scan(*arguments: str) -> tuple[dict, subprocess.CompletedProcess[str]]:
    result = run_pdscan("scan", *arguments, "--format", "json", "--quiet")
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout), result


def places(report: dict) -> dict[tuple[str, str], tuple[str, str, str]]:
    """(table, column) -> (file name:line, category, verdict)."""
    found = {}
    for finding in report["findings"]:
        location = finding["location"]
        where = f"{Path(location['source']).name}:{location['line']}"
        found[location["table"], location["column"]] = (where, finding["category"], finding["verdict"])
    return found


def test_a_rails_schema_and_its_dsl_spellings() -> None:
    text = """ActiveRecord::Schema[7.1].define(version: 1) do
  create_table "people", id: :uuid, comment: "Club members" do |t|
    t.string "given_name", "family_name", comment: "purpose: registration"
    t.references "club", polymorphic: true
    t.timestamps
    t.index ["given_name"], name: "ix"
  end
  create_table :legacy_cards, :id => false do |t|
    t.column "holder", :string # pdscan: purpose=payment
  end
end
"""
    people, cards = read_rails(text)
    assert isinstance(people, CreateTable) and people.comment == "Club members"
    columns = [(c.name, c.sql_type, c.line) for c in people.columns]
    assert columns == [
        ("id", "uuid", 2),
        ("given_name", "varchar", 3),
        ("family_name", "varchar", 3),
        ("club_id", "bigint", 4),
        ("club_type", "varchar", 4),
        ("created_at", "datetime", 5),
        ("updated_at", "datetime", 5),
    ]
    assert people.columns[1].comment == "purpose: registration"
    assert [(c.name, c.annotation) for c in cards.columns] == [("holder", "pdscan: purpose=payment")]


def test_a_rails_migration_changes_and_its_way_back_is_not_history() -> None:
    text = """class Tidy < ActiveRecord::Migration[7.1]
  def up
    add_column :people, :mobile, :string
    rename_column :people, :mobile, :cell_phone
    remove_column :people, :fax
    change_table :people do |t|
      t.string :nickname
      t.remove :badge
    end
  end

  def down
    add_column :people, :fax, :string
  end
end
"""
    changes = read_rails(text)
    assert changes[0] == AddColumn("people", changes[0].column) and changes[0].column.name == "mobile"
    assert changes[1] == RenameColumn("people", "mobile", "cell_phone", 4)
    assert changes[2] == DropColumn("people", "fax")
    assert [type(c).__name__ for c in changes[3:]] == ["AddColumn", "DropColumn"]
    assert not any(isinstance(c, AddColumn) and c.column.name == "fax" for c in changes)


def test_a_rails_table_created_with_force_replaces_an_earlier_one(tmp_path: Path) -> None:
    (tmp_path / "schema.rb").write_text(
        'create_table "people" do |t|\n  t.string "nickname"\nend\n'
        'create_table "people", force: :cascade do |t|\n  t.string "email"\nend\n',
        encoding="utf-8",
    )
    report, _ = scan(str(tmp_path))
    assert set(places(report)) == {("people", "email")} and not report["skipped"]


def test_a_rails_block_never_closed_is_a_syntax_error_at_its_line() -> None:
    with pytest.raises(RubySyntaxError) as error:
        read_rails('create_table "people" do |t|\n  t.string "email"\n')
    assert error.value.line == 1


def test_prisma_models_use_mapped_names_native_types_and_doc_comments() -> None:
    text = """/// Club members
model Member {
  id     Int     @id
  /// purpose: registration
  email  String  @unique
  lastIp String? @map("last_ip") @db.Inet
  club   Club    @relation(fields: [clubId], references: [id])
  clubId Int     @map("club_id")
  kind   Kind
  @@map("members")
}
enum Kind {
  A
}
"""
    (member,) = read_prisma(text)
    assert member.table == "members" and member.comment == "Club members"
    assert [(c.name, c.sql_type) for c in member.columns] == [
        ("id", "integer"),
        ("email", "text"),
        ("last_ip", "inet"),
        ("club_id", "integer"),
        ("kind", "enum Kind"),
    ]
    assert member.columns[1].comment == "purpose: registration"


def test_a_prisma_block_never_closed_names_the_line_it_opened() -> None:
    with pytest.raises(PrismaSyntaxError) as error:
        read_prisma("\nmodel Member {\n  id Int @id\n")
    assert error.value.line == 2


def test_django_models_get_djangos_table_and_column_names() -> None:
    text = """from django.db import models


class Base(models.Model):
    created = models.DateTimeField()

    class Meta:
        abstract = True


class Member(Base):
    email = models.EmailField(help_text="purpose: registration")
    club = models.ForeignKey("Club", on_delete=models.CASCADE)
    phone = models.CharField(max_length=20, db_column="tel")  # pdscan: purpose=inquiries
    groups = models.ManyToManyField("Group")
"""
    member, groups = read_django_models(text, PurePath("clubs/models.py"))
    assert member.table == "clubs_member"
    assert [(c.name, c.sql_type) for c in member.columns] == [
        ("id", "AutoField"),
        ("created", "DateTimeField"),
        ("email", "EmailField"),
        ("club_id", "ForeignKey"),
        ("tel", "CharField"),
    ]
    assert member.columns[2].comment == "purpose: registration"
    assert member.columns[4].annotation == "pdscan: purpose=inquiries"
    assert groups.table == "clubs_member_groups"
    assert [c.name for c in groups.columns] == ["id", "member_id", "group_id"]


def test_sqlalchemy_models_name_columns_as_the_database_does() -> None:
    text = """from sqlalchemy import Column, ForeignKey, Integer, String, Table
from sqlalchemy.dialects.postgresql import INET


class Member(Base):
    __tablename__ = "members"
    id = Column(Integer, primary_key=True)
    ip = Column("last_ip", INET, comment="purpose: fraud_prevention")
    nickname: Mapped[str] = mapped_column(String(30))
    club_id = Column(ForeignKey("clubs.id"))


audit = Table("audit", metadata, Column("remote_addr", String))
"""
    member, audit = read_sqlalchemy_models(text)
    assert [(c.name, c.sql_type) for c in member.columns] == [
        ("id", "Integer"),
        ("last_ip", "INET"),
        ("nickname", "String(30)"),
        ("club_id", "ForeignKey"),
    ]
    assert member.columns[1].comment == "purpose: fraud_prevention"
    assert audit.table == "audit" and [c.name for c in audit.columns] == ["remote_addr"]


def test_a_django_user_model_on_djangos_auth_bases_has_their_fields() -> None:
    text = """from django.contrib.auth.models import AbstractUser, PermissionsMixin
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models
from core.models import Stamped


class User(AbstractUser):
    username = None
    email = models.EmailField(unique=True)


class Operator(AbstractBaseUser, PermissionsMixin):
    badge = models.CharField(max_length=20)


class Address(Stamped):
    city = models.CharField(max_length=80)


class Plain:
    label = "not a model"
"""
    tables = {t.table: [c.name for c in t.columns] for t in read_django_models(text, PurePath("accounts/models.py"))}
    assert tables == {
        "accounts_user": [
            "id",
            "password",
            "last_login",
            "is_superuser",
            "first_name",
            "last_name",
            "is_staff",
            "is_active",
            "date_joined",
            "email",
        ],
        "accounts_operator": ["id", "password", "last_login", "is_superuser", "badge"],
        "accounts_address": ["id", "city"],  # a base from another module: its fields make it a model
    }


def test_sqlalchemy_single_table_inheritance_adds_columns_to_the_parents_table() -> None:
    text = """class Person(Base):
    __tablename__ = "people"
    id = Column(Integer, primary_key=True)


class Customer(Person):
    email = Column(String(255))
    phone = column_property(Column(String(20)))


class Admin(Person):
    __tablename__ = "admins"
    __mapper_args__ = {"polymorphic_identity": "admin"}
"""
    changes = read_sqlalchemy_models(text)
    assert [type(change).__name__ for change in changes] == ["CreateTable", "AddColumn", "AddColumn"]
    assert [(c.table, c.column.name) for c in changes[1:]] == [("people", "email"), ("people", "phone")]


@pytest.mark.parametrize(
    ("name", "head", "expected"),
    [
        ("db/schema.rb", "ActiveRecord::Schema.define do", "rails"),
        ("db/migrate/1_x.rb", "class X < ActiveRecord::Migration[7.1]", "rails"),
        ("app/helpers/x.rb", "module Helpers; end", None),
        ("prisma/schema.prisma", "", "prisma"),
        ("shop/models.py", "from django.db import models\nclass A(models.Model): pass", "django-models"),
        ("shop/migrations/0001_x.py", "class Migration(migrations.Migration):", "django-migration"),
        ("alembic/versions/a.py", "down_revision = None\ndef upgrade(): pass", "alembic"),
        ("app/models.py", "class A(Base):\n    __tablename__ = 'a'", "sqlalchemy"),
        ("app/views.py", "def index(request): return 1", None),
        ("schema.sql", "CREATE TABLE a (b int);", None),
    ],
)
def test_a_files_format_is_told_from_its_name_and_content(name: str, head: str, expected: str | None) -> None:
    assert orm_format(Path(name), head) == expected


def test_a_rails_app_scanned_end_to_end() -> None:
    report, _ = scan(str(FIXTURES / "rails_app"))
    found = places(report)
    assert found["members", "email"] == ("schema.rb:10", "email", "ok")  # comment: "… purpose: …"
    assert found["members", "mobile_phone"] == ("schema.rb:16", "phone", "ok")  # # pdscan: purpose=…
    assert found["members", "current_sign_in_ip"][1:] == ("ip_address", "undeclared")
    assert found["members", "last_name"][0] == "schema.rb:14"
    assert ("members", "fax_number") not in found, "a migration's `down` is not replayed"
    assert ("members", "fax") not in found, "added then removed"
    assert not report["skipped"]


def test_a_prisma_project_scanned_end_to_end() -> None:
    report, _ = scan(str(FIXTURES / "prisma_app"))
    found = places(report)
    assert found["customers", "email"] == ("schema.prisma:14", "email", "ok")
    assert found["customers", "full_name"] == ("schema.prisma:15", "name", "ok")
    assert found["customers", "last_ip"] == ("schema.prisma:16", "ip_address", "undeclared")
    assert ("customers", "customerId") not in found and ("Order", "customer") not in found


def test_a_django_app_scanned_end_to_end_without_running_its_code() -> None:
    marker = FIXTURES / "django_app" / "shop" / "IMPORTED"
    report, _ = scan(str(FIXTURES / "django_app"))
    assert not marker.exists(), "models.py was executed"
    found = places(report)
    assert found["customers", "email"] == ("models.py:19", "email", "ok")  # help_text="purpose: …"
    assert found["customers", "phone"] == ("models.py:20", "phone", "ok")  # # pdscan: purpose=…
    assert found["customers", "last_ip"][1:] == ("ip_address", "undeclared")
    migrations = [s for s in report["sources"] if s["source"].endswith("migrations")]
    assert migrations and migrations[0]["status"] == "scanned"
    by_file = {(f["location"]["column"], Path(f["location"]["source"]).name) for f in report["findings"]}
    assert ("phone", "0002_rename_mobile_remove_fax.py") in by_file, "RenameField replayed in dependency order"
    assert not any(column in ("mobile", "fax") for column, _ in by_file)
    assert not report["skipped"], "__init__.py and other code files are not skipped sources"


def test_an_alembic_history_replays_upgrades_in_revision_order() -> None:
    report, _ = scan(str(FIXTURES / "alembic_app"))
    versions = {
        f["location"]["column"]: (Path(f["location"]["source"]).name, f["verdict"])
        for f in report["findings"]
        if "versions" in f["location"]["source"]
    }
    assert versions == {
        "email": ("b7e1_add_phone.py", "undeclared"),  # renamed from `mail` by a batch operation
        "phone": ("b7e1_add_phone.py", "ok"),
    }
    models = places({"findings": [f for f in report["findings"] if "versions" not in f["location"]["source"]]})
    assert models["accounts", "signup_ip_address"] == ("models.py:15", "ip_address", "ok")


def test_files_that_do_not_parse_are_one_line_each_and_the_rest_is_read(tmp_path: Path) -> None:
    (tmp_path / "schema.prisma").write_text("model Member {\n  email String\n", encoding="utf-8")
    (tmp_path / "models.py").write_text("from django.db import models\nclass A(models.Model:\n", encoding="utf-8")
    (tmp_path / "schema.rb").write_text('create_table "people" do |t|\n  t.string "email"\n', encoding="utf-8")
    (tmp_path / "good.sql").write_text("CREATE TABLE members (email text);\n", encoding="utf-8")
    report, _ = scan(str(tmp_path))
    reasons = {(Path(item["source"]).name, item["line"]): item["reason"] for item in report["skipped"]}
    assert reasons[("schema.prisma", 1)].startswith("model Member opened here has no closing `}`")
    assert reasons[("models.py", 2)].startswith("Python syntax error")
    assert reasons[("schema.rb", 1)].startswith("`create_table` block opened here is never closed")
    assert places(report)["members", "email"][1] == "email"


def test_schema_format_forces_how_a_file_is_read(tmp_path: Path) -> None:
    source = tmp_path / "tables.txt"
    source.write_text('class M(Base):\n    __tablename__ = "members"\n    email = Column(String)\n', encoding="utf-8")
    report, _ = scan(str(source), "--schema-format", "sqlalchemy")
    assert places(report)["members", "email"] == ("tables.txt:3", "email", "undeclared")


def test_the_plain_column_shortcut_reads_lines_as_the_tokenizer_does(monkeypatch: pytest.MonkeyPatch) -> None:
    from pdscan.sources.orm import rails

    text = (FIXTURES / "rails_app" / "db" / "schema.rb").read_text(encoding="utf-8") + (
        'create_table "cards" do |t|\n'
        '  t.string "holder", null: false, comment: "purpose: payment" # pdscan: category=credit_card\n'
        '  t.decimal "limit", precision: 8, scale: 2, default: -1.5\n'
        '  t.references "owner", polymorphic: true, type: :uuid\n'
        '  t.string "a", "b"\n'
        "end\n"
    )
    shortcut = rails.read_rails(text)
    monkeypatch.setattr(rails, "_PLAIN_COLUMN", re.compile(r"(?!)"))
    assert shortcut == rails.read_rails(text)


def test_a_data_map_and_a_baseline_address_orm_tables_as_the_orm_names_them(tmp_path: Path) -> None:
    app = tmp_path / "app"
    shutil.copytree(FIXTURES / "prisma_app", app)
    (app / "pdscan.yml").write_text(
        "version: 1\ndatabases:\n  prisma:\n    files: ['prisma/*.prisma']\n    tables:\n"
        "      customers:\n        columns:\n          last_ip: [fraud_prevention]\n"
        "          homepage: [registration]\n      Order:\n        columns:\n          total: [payment]\n",
        encoding="utf-8",
    )
    report, _ = scan(str(app), "--config", str(app / "pdscan.yml"))
    assert {verdict for _, _, verdict in places(report).values()} == {"ok"}
    (app / "pdscan.yml").unlink()
    baseline = tmp_path / "baseline.json"
    written = run_pdscan("baseline", str(app), "--output", str(baseline), "--quiet")
    assert written.returncode == 0, written.stderr
    again, result = scan(str(app), "--baseline", str(baseline))
    assert result.returncode == 0, "every finding is accepted by the baseline written from the same schema"
    failing = [finding for finding in again["findings"] if finding["verdict"] != "ok"]
    assert failing and {finding["baseline_state"] for finding in failing} == {"unchanged"}


def test_migrations_replay_parents_first_whatever_their_names_say() -> None:
    from pdscan.sources.orm.ordering import parents_first

    parents = {
        "a_last": ["m_middle"],
        "m_middle": ["z_first"],
        "z_first": [],
        "b_cycle": ["c_cycle"],
        "c_cycle": ["b_cycle"],
    }
    ordered = parents_first(sorted(parents), lambda name: name, lambda name: parents[name] + ["not_here"])
    assert ordered == ["z_first", "m_middle", "a_last", "c_cycle", "b_cycle"]
