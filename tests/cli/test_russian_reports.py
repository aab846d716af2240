"""`--lang ru` writes every sentence a person reads in Russian: evidence, explanations, stale
declarations, skipped items, in every format people read. What may stay in Latin script is what
names or quotes something: identifiers, file names and values (in backticks or code elements, or
listed as such in the JSON report of the same scan), and a short list of names and acronyms that
Russian writes in Latin letters too (IP, SQL, JSON, SQLite, PayPal…).
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from string import Formatter

import pytest
from support.command import run_pdscan
from support.report_outputs import copy_shop

from pdscan.detect.names import NameClassifier
from pdscan.detect.user_rules import load_user_rules
from pdscan.formats.wording import languages
from pdscan.model import Evidence, Phrase
from pdscan.policy import load_policy
from pdscan.ruleset.datatypes import bundled_rules
from pdscan.ruleset.taxonomy import taxonomy_titles
from pdscan.sentences import labels_document, plural, sentence, skipped_because

# Names and acronyms Russian text writes in Latin letters as well.
LATIN_IN_RUSSIAN = {
    *("IP", "SQL", "JSON", "SQLite", "IBAN", "SWIFT", "PAN", "IMEI", "MAC", "UDID", "SSN", "SIN", "KYC", "JWT"),
    *("API", "IDFA", "GAID", "ABA", "MEID", "SHA", "UTF", "cookie", "pdscan", "Wi", "Fi"),
    *("PayPal", "OAuth", "OpenID", "Connect", "Apple", "Google", "Android", "Facebook", "Firebase", "Analytics"),
    *("DMM", "MyDMM", "Marketplace", "Adobe", "SiteCatalyst", "ClickTale"),
}
# Keys of the JSON report whose strings are sentences pdscan writes (everything else there is
# an identifier, a file name or a value).
SENTENCE_KEYS = {"explanation", "text", "reason", "notes"}
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'\u2019-]*[A-Za-z]|[A-Za-z]")


def build_sources(shop: Path) -> None:
    """The example shop, with what it lacks: database values (JSON keys, doubted and confirmed
    names), the schema evidence of table prefixes and SQL types, a log of over a thousand values,
    an ignored place, stale declarations (a table gone, a category no longer in a column's
    values), skipped files, and what pdscan reads but cannot use: a table created twice, a
    quote that never closes, a statement it does not read, a migration that does not parse, a
    SQLite file that is not a database."""
    extra = shop / "extra"
    extra.mkdir()
    (extra / "schema.sql").write_text(
        "CREATE TABLE hs_emp_children (id integer primary key, ec_name varchar(100));\n"
        "CREATE TABLE audit_trail (id integer primary key, origin inet);\n"
        "CREATE TABLE phone (id integer primary key, number varchar(20));\n"
        "CREATE TABLE sessions (id integer primary key, session_id varchar(64), user_id integer);\n"
        "CREATE TABLE channels (id integer primary key, medium varchar(10), address varchar(100));\n"
        "CREATE TABLE oauth_codes (id integer primary key, auth_code varchar(64));\n",
        encoding="utf-8",
    )
    database = sqlite3.connect(extra / "crm.db")
    database.execute(
        "CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT, phone TEXT, birth_date TEXT, notes TEXT, "
        "profile TEXT)"
    )
    for i in range(1100):
        profile = {"contact": {"email": f"c{i}@example.net", "ip": f"192.0.2.{i % 250 + 1}"}}
        profile["backup"] = {"mail": f"b{i}@example.net"}
        database.execute(
            "INSERT INTO customers (email, phone, birth_date, notes, profile) VALUES (?, ?, ?, ?, ?)",
            (
                f"person{i % 4}@example.com",
                f"03-1234-{5600 + i:04d}",
                "unknown",
                f"from buyer{i}@example.org",
                json.dumps(profile),
            ),
        )
    database.commit()
    database.close()
    visits = "".join(f"2026-11-25T06:01:00Z INFO visit ip=198.51.100.{i % 250 + 1}\n" for i in range(1200))
    (shop / "logs" / "visits.log").write_text(
        "2026-11-25T06:00:00Z INFO login user=kenji ip=203.0.113.8\n" + visits, encoding="utf-8"
    )
    (shop / "logs" / "dump.log").write_bytes(b"\x00\x01\x02binary\x00" * 64)
    (extra / "README.md").write_text("notes, not a schema\n", encoding="utf-8")
    (extra / "zz_more.sql").write_text(
        "CREATE TABLE phone (id integer primary key, number varchar(20), fax varchar(20));\n"
        "DO $$ BEGIN EXECUTE 'CREATE TABLE z (id integer)'; END $$;\n"
        "CREATE TABLE memo (id integer, body text DEFAULT 'draft);\n"
        "CREATE TABLE kept (id integer primary key, contact_email varchar(100));\n",
        encoding="utf-8",
    )
    (extra / "broken.db").write_bytes(b"SQLite format 3\x00" + b"\xff" * 8176)  # its header, then no database
    (extra / "migrations").mkdir()
    (extra / "migrations" / "0001_initial.py").write_text(
        "from django.db import migrations\n\nclass Migration(migrations.Migration):\n    operations = [\n",
        encoding="utf-8",
    )
    data_map = (shop / "pdscan.yml").read_text(encoding="utf-8")
    data_map = data_map.replace(
        "\n# Logs:",
        '\n  extra:\n    files: ["extra/schema.sql"]\n    tables:\n      fax_numbers:\n'
        "        columns:\n          fax: [delivery]\n"
        '  crm:\n    files: ["extra/crm.db"]\n    tables:\n      customers:\n        columns:\n'
        "          notes: {categories: {email: [customer_support], phone: [delivery]}}\n\n# Logs:",
        1,
    )
    data_map += (
        '\nignore:\n  - place: channels.address\n    category: "*"\n'
        "    reason: адреса служебных каналов рассылки, не людей\n"
    )
    (shop / "pdscan.yml").write_text(data_map, encoding="utf-8")


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Every people format of a scan and an inventory in Russian, and the JSON report."""
    root = tmp_path_factory.mktemp("russian")
    build_sources(copy_shop(root))
    written: dict[str, str] = {}
    runs = [("scan", fmt) for fmt in ("csv", "markdown", "html", "table")]
    runs += [("inventory", fmt) for fmt in ("csv", "markdown", "html", "table")]
    for command, fmt in [*runs, ("scan", "json")]:
        never_fail = ("--fail-on", "never") if command == "scan" else ()
        result = run_pdscan(command, "shop", "--format", fmt, "--lang", "ru", *never_fail, "-q", cwd=root, text=False)
        assert result.returncode == 0, result.stderr.decode()
        written[f"{command} {fmt}"] = result.stdout.decode("utf-8-sig")
    return written


def named_things(report: dict[str, object]) -> list[str]:
    """Every identifier, file name and value the JSON report lists, longest first."""
    found: set[str] = set()

    def walk(node: object, key: str = "") -> None:
        if isinstance(node, dict):
            for child_key, child in node.items():
                walk(child, child_key)
        elif isinstance(node, list):
            for child in node:
                walk(child, key)
        elif isinstance(node, str) and key not in SENTENCE_KEYS and node:
            found.add(node)

    walk(report)
    found.update(Path(name).name for name in list(found) if "/" in name)  # charts name a source by its last part
    return sorted(found, key=len, reverse=True)


def policy_words() -> list[str]:
    """The policy's ids, and its own words, which reports quote as it writes them (never translated)."""
    policy = load_policy()
    return [said for item in (*policy.categories, *policy.purposes) for said in (item.text_ru, item.id)]


class _ReadText(HTMLParser):
    """What a reader sees of a page: its text and tooltips, without code elements and styles."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("code", "style", "script"):
            self._hidden += 1
        if tag != "wbr":  # a word-break opportunity is inside a word; other tags end what came before
            self.parts.append("\n")
        self.parts.extend(f"{value}\n" for name, value in attrs if name in ("title", "aria-label") and value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("code", "style", "script"):
            self._hidden -= 1
        self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def latin_words(text: str, names: list[str]) -> Iterator[str]:
    """Latin-script words left once names, values, paths and ids are taken out, with context."""
    text = re.sub(r"`[^`\n]*`", " ", text)
    for name in names:
        text = re.sub(rf"(?<![\w/.-]){re.escape(name)}(?![\w/-])", " ", text)
    text = re.sub(r"https?://\S+|\S*[/\\]\S*|§\w+|--[a-z-]+|\S*[\d_@*.]\S*", " ", text)
    for match in LATIN_WORD.finditer(text):
        if match.group() not in LATIN_IN_RUSSIAN:
            yield text[max(0, match.start() - 40) : match.end() + 40].replace("\n", " ")


@pytest.mark.parametrize(
    "output",
    [f"scan {fmt}" for fmt in ("csv", "markdown", "html", "table")]
    + [f"inventory {fmt}" for fmt in ("csv", "markdown", "html", "table")],
)
def test_a_russian_report_has_no_english_sentence(outputs: dict[str, str], output: str) -> None:
    names = named_things(json.loads(outputs["scan json"])) + policy_words()
    text = outputs[output]
    if "markdown" in output:
        text = re.sub(r"\\(.)", r"\1", text)  # Markdown's escapes: \` is a backtick, \_ an underscore
    if "html" in output:
        reader = _ReadText()
        reader.feed(text)
        text = "".join(reader.parts)
    english = list(latin_words(text, names))
    assert not english, f"{len(english)} Latin words in `{output}`, the first: " + " | ".join(english[:8])


def test_a_russian_report_says_why_stdin_was_skipped(tmp_path: Path) -> None:
    said: dict[str, str] = {}
    for fmt in ("markdown", "json"):
        result = run_pdscan(
            "scan", "-", "--format", fmt, "--lang", "ru", "--fail-on", "never", "-q",
            stdin=b"CREATE TABLE notes (id integer);\x00\x00\x00", cwd=tmp_path, text=False,
        )  # fmt: skip
        said[fmt] = result.stdout.decode("utf-8")
    assert json.loads(said["json"])["skipped"][0]["reason"] == "binary file (NUL bytes), not SQL text"
    text = re.sub(r"\\(.)", r"\1", said["markdown"])
    english = list(latin_words(text, named_things(json.loads(said["json"])) + policy_words()))
    assert not english, " | ".join(english)


def test_the_json_report_says_its_evidence_in_english_as_before(outputs: dict[str, str]) -> None:
    findings = json.loads(outputs["scan json"])["findings"]
    texts = {evidence["text"] for finding in findings for evidence in finding["evidence"]}
    assert "1,201 values match `ipv4` and pass its check" in texts
    assert "column name `ec_name` contains `name`: full name" in texts
    assert "1,000 of 1,000 sampled values hold an e-mail address (4 different) (validated by `email`)" in texts


def test_russian_evidence_agrees_with_its_numbers() -> None:
    one = Evidence("value", "value.log_matches", (("count", 1), ("detector", "email")))
    few = Evidence("value", "value.log_matches", (("count", 3), ("detector", "email")))
    many = Evidence("value", "value.log_matches", (("count", 1211), ("detector", "email")))
    assert sentence(one, "ru") == "1 значение соответствует шаблону `email` и проходит его проверку"  # noqa: RUF001 (Cyrillic)
    assert sentence(few, "ru") == "3 значения соответствуют шаблону `email` и проходят его проверку"  # noqa: RUF001 (Cyrillic)
    assert sentence(many, "ru") == "1\u00a0211 значений соответствуют шаблону `email` и проходят его проверку"  # noqa: RUF001 (Cyrillic)
    title = Phrase("IP address", (("ru", "IP-адрес"),))
    field = Evidence("name", "name.log_field", (("name", "ip"), ("title", title), ("count", 21)))
    assert sentence(field, "ru") == "имя поля `ip` означает «IP-адрес» (21 значение)"
    assert sentence(field) == "field name `ip` means IP address (21 values)"


@pytest.mark.parametrize(
    ("count", "form"),
    [(1, "значение"), (2, "значения"), (5, "значений"), (11, "значений"), (21, "значение"), (104, "значения")],
)
def test_russian_plural_forms(count: int, form: str) -> None:
    assert plural("ru", count, "значение|значения|значений") == form


def test_every_sentence_has_every_language_with_the_same_fields() -> None:
    for key, texts in labels_document()["sentences"].items():
        assert set(texts) == set(languages()), key
        fields = {lang: {name for _, name, _, _ in Formatter().parse(text) if name} for lang, text in texts.items()}
        assert fields["ru"] == fields["en"], f"{key}: {fields}"


def test_every_title_and_name_meaning_of_the_rules_is_in_russian() -> None:
    rules = bundled_rules()
    untranslated = [key for key, title in taxonomy_titles().items() if title.said_in("ru") == title.en]
    untranslated += [
        pattern.means.en
        for rule in rules.data_types
        for pattern in rule.patterns
        if pattern.means and pattern.means.said_in("ru") == pattern.means.en
    ]
    untranslated += [c.name for c in rules.table_contexts.values() if c.means.said_in("ru") == c.means.en]
    same_in_both = ("user.financial.bank_account.iban", "user.device.device_id.imei")  # IBAN, IMEI
    assert [key for key in untranslated if key not in same_in_both] == []


def test_a_users_rule_says_what_a_name_means_in_each_language(tmp_path: Path) -> None:
    rules = tmp_path / "hr-rules.yaml"
    rules.write_text(
        "data_types:\n"
        "  user.government_id.insurance_number:\n"
        "    names:\n"
        "      - words: [strakhovoi, nomer]\n"
        "        means: {en: an insurance number (Russian strakhovoi nomer), ru: номер страховки}\n"
        "    examples:\n"
        "      match: [{column: strakhovoi_nomer, table: employees}]\n"
        "      no_match: [{column: nomer_zakaza, table: orders}]\n",
        encoding="utf-8",
    )
    (detection,) = NameClassifier(load_user_rules([rules])).classify_name("strakhovoi_nomer", "employees")
    said = [sentence(evidence, "ru") for evidence in detection.evidence]
    assert said[0] == "имя столбца `strakhovoi_nomer` означает «номер страховки»"
    assert sentence(detection.evidence[0]) == (
        "column name `strakhovoi_nomer` means an insurance number (Russian strakhovoi nomer)"
    )


@pytest.mark.parametrize(
    ("columns", "count"),
    [
        ("email text", "**1** место с персональными данными"),  # noqa: RUF001
        ("email text, phone text", "**2** места с персональными данными"),  # noqa: RUF001
    ],
)
def test_the_markdown_summary_counts_places_in_russian(tmp_path: Path, columns: str, count: str) -> None:
    (tmp_path / "users.sql").write_text(f"CREATE TABLE users (id integer, {columns});\n", encoding="utf-8")
    result = run_pdscan("scan", "users.sql", "--format", "markdown", "--lang", "ru", cwd=tmp_path, text=False)
    assert result.returncode == 1, result.stderr.decode()
    assert count in result.stdout.decode()


def test_a_table_created_twice_names_its_unread_columns_in_either_language() -> None:
    unread = tuple(f"c{i}" for i in range(10))
    values = (("table", "phone"), ("first", "a.sql:1"), ("columns", unread), ("more", 3))
    note = skipped_because("b.sql", "replay.again_unread_more", values, 4)
    assert note.reason == (
        "CREATE TABLE phone again without a DROP TABLE since a.sql:1: a database refuses it, so the first "
        "definition is kept; its columns not in the table are not reported: c0, c1, c2, c3, c4, c5, c6, c7, c8, c9"
        " and 3 more"
    )
    assert sentence(note, "ru").endswith(
        "не учтены: `c0`, `c1`, `c2`, `c3`, `c4`, `c5`, `c6`, `c7`, `c8`, `c9` и ещё 3"
    )
