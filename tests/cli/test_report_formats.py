"""Every report format from the same fixture scan (DDL migrations, a SQLite database, logs and a
data map: the example shop), each parsed back: JSON Schema, the csv module, a Markdown parser,
an HTML parser, YAML and fideslang's own models."""

from __future__ import annotations

import csv
import hashlib
import importlib.resources
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from fideslang.default_taxonomy import DEFAULT_TAXONOMY
from fideslang.models import Dataset
from markdown_it import MarkdownIt
from support.command import run_pdscan
from support.paths import REPO
from support.report_outputs import INVENTORY_FORMATS, REPORT_FORMATS, copy_shop

TIMESTAMP = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00")
CARD = "4111 1111 1111 1111"
CARD_CLAUSE = "«е) Информация о кредитной карте (имя, номер, дата истечения срока действия)»"  # noqa: RUF001


def schema(name: str) -> dict[str, Any]:
    return json.loads((importlib.resources.files("pdscan") / "schemas" / name).read_text("utf-8"))


def inventory_validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema("inventory.schema.json"))  # standalone: test_json_schemas.py


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_shop(tmp_path_factory.mktemp("fixture"))


@pytest.fixture(scope="module")
def outputs(shop: Path) -> dict[str, bytes]:
    """`scan` and `inventory` in every format, written with --output as a person would file them."""
    written = {}
    for name in REPORT_FORMATS:
        result = run_pdscan(
            "scan", "shop", "--format", name, "--output", f"report.{name}", "-q", cwd=shop.parent, text=False
        )
        assert result.returncode == 1, result.stderr.decode()  # the shop holds undeclared data on purpose
        written[name] = (shop.parent / f"report.{name}").read_bytes()
    for name in INVENTORY_FORMATS:
        result = run_pdscan(
            "inventory", "shop", "--format", name, "--output", f"inventory.{name}", "-q", cwd=shop.parent, text=False
        )
        assert result.returncode == 0, result.stderr.decode()
        written[f"inventory.{name}"] = (shop.parent / f"inventory.{name}").read_bytes()
    return written


@pytest.fixture(scope="module")
def report(outputs: dict[str, bytes]) -> dict[str, Any]:
    return json.loads(outputs["json"])


def places_of(report: dict[str, Any]) -> set[tuple[str, str | None, str | None, str | None]]:
    """(source, table, column, category) of every place, as the JSON findings give them."""
    return {
        (where["database"] or where["source"], where["table"], where["column"], f["category"])
        for f in report["findings"]
        for where in (f["location"],)
    }


def csv_rows(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 with a byte-order mark, so spreadsheets read it as UTF-8"
    text = data.decode("utf-8-sig")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", ""), "RFC 4180: every record ends in CRLF"
    return list(csv.DictReader(io.StringIO(text, newline="")))


class Html(HTMLParser):
    """Tags with their attributes, the text of every element, and text per tag name."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.open: list[str] = []
        self.text_in: dict[str, list[str]] = {}
        self.text: list[str] = []
        self.feed(page.replace("<wbr>", ""))  # a line-break opportunity inside a name, no text of its own
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in ("meta", "br", "rect", "link", "img", "input"):
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.open:
            while self.open.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        for tag in set(self.open):
            self.text_in.setdefault(tag, []).append(data)

    def named(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]


def test_the_json_report_validates_and_names_everything_that_judged_it(report: dict[str, Any], shop: Path) -> None:
    jsonschema.Draft202012Validator(schema("report.schema.json")).validate(report)
    changelog = (REPO / "docs" / "report.md").read_text(encoding="utf-8").split("## Changelog", 1)[1]
    versions = re.findall(r"^### (\d+\.\d+\.\d+)", changelog, flags=re.MULTILINE)
    assert versions[0] == report["schema_version"], "docs/report.md's changelog starts at the version reports carry"
    assert versions[-3:] == ["1.2.0", "1.1.0", "1.0.0"]
    data_map = shop / "pdscan.yml"
    assert report["data_map"] == {
        "path": "shop/pdscan.yml",
        "sha256": hashlib.sha256(data_map.read_bytes()).hexdigest(),
    }
    assert report["show_data"] is False
    kinds = {source["kind"] for source in report["sources"]}
    assert kinds == {"ddl", "sqlite", "log"}, "the fixture scan covers DDL, a SQLite database and logs"


def test_csv_is_one_row_per_place_and_reads_back(outputs: dict[str, bytes], report: dict[str, Any]) -> None:
    rows = csv_rows(outputs["csv"])
    assert list(rows[0]) == [
        "source",
        "kind",
        "table or file",
        "column or field",
        "defined at",
        "category",
        "category title",
        "clause",
        "data types",
        "declared purposes",
        "declared in",
        "purposes the policy permits",
        "verdict",
        "explanation",
        "evidence",
        "values seen",
        "samples",
        "warnings",
        "fingerprint",
        "silenced warnings",
    ]
    keyed = {(r["source"], r["table or file"], r["column or field"], r["category"]): r for r in rows}
    assert len(keyed) == len(rows) == len(places_of(report))
    card = keyed[("shop/migrations", "payments", "card_number", "credit_card")]
    assert card["verdict"] == "purpose_not_permitted"
    assert (card["clause"], card["category title"]) == ("§4e", "Credit card information")
    assert card["declared purposes"] == "payment; advertising"
    assert "advertising" not in card["purposes the policy permits"].split("; ")
    assert card["defined at"] == "shop/migrations/002_orders.sql:17"
    logged = keyed[("shop/logs/app.jsonl", "shop/logs/app.jsonl", "card", "credit_card")]
    assert (logged["kind"], logged["warnings"]) == ("log", "plaintext_sensitive")
    assert logged["samples"] == "4*** **** **** 1111"
    assert logged["values seen"] == "1"
    sampled = keyed[("shop/shop.db", "support_tickets", "customer_email", "email")]
    assert sampled["kind"] == "sqlite" and sampled["verdict"] == "ok"
    assert {row["verdict"] for row in rows} == {f["verdict"] for f in report["findings"]}


def test_markdown_parses_into_headings_quotes_and_tables(outputs: dict[str, bytes], report: dict[str, Any]) -> None:
    text = outputs["markdown"].decode("utf-8")
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]  # as written
    assert headings[0] == "Personal data report"
    for verdict in {f["verdict"] for f in report["findings"]}:
        assert any(f"(`{verdict}`)" in heading for heading in headings), verdict
    quotes = [tokens[i + 2].content for i, t in enumerate(tokens) if t.type == "blockquote_open"]
    assert any(CARD_CLAUSE in q for q in quotes)
    inlines = [tokens[i + 1] for i, t in enumerate(tokens) if t.type == "td_open"]
    cells = ["".join(child.content for child in inline.children or []) for inline in inlines]  # as shown
    assert "payments.card_number" in cells
    assert "shop/logs/app.jsonl: customer.email" in cells
    # every place appears as one table row under its verdict
    place_rows = sum(1 for t in tokens if t.type == "tr_open") - sum(1 for t in tokens if t.type == "thead_open")
    assert place_rows >= len(places_of(report))


def test_html_is_one_self_contained_page(outputs: dict[str, bytes], report: dict[str, Any]) -> None:
    page = outputs["html"].decode("utf-8")
    parsed = Html(page)
    names = {name for name, _ in parsed.tags}
    assert not names & {"script", "link", "img", "iframe", "object", "embed", "base"}, "nothing loaded from anywhere"
    assert len(parsed.named("style")) == 1 and "url(" not in page, "inline CSS only, no fetched fonts or images"
    assert not any(key in attrs for _, attrs in parsed.tags for key in ("src", "href", "srcset", "xlink:href"))
    assert "://" not in page, "no address of any kind in the page"
    csp = [m for m in parsed.named("meta") if m.get("http-equiv") == "Content-Security-Policy"]
    assert csp and csp[0]["content"] == "default-src 'none'; style-src 'unsafe-inline'"
    assert parsed.named("html")[0]["lang"] == "en"


def test_html_chart_and_findings_agree_with_the_json(outputs: dict[str, bytes], report: dict[str, Any]) -> None:
    parsed = Html(outputs["html"].decode("utf-8"))
    assert len(parsed.named("svg")) == 1
    cells = [attrs["data-verdict"] for attrs in parsed.named("g") if "data-verdict" in attrs]
    sources_by_category = {(place[0], place[3]) for place in places_of(report)}
    assert len(cells) == len(sources_by_category), "one coloured cell per category and source holding it"
    fills = {attrs["fill"] for attrs in parsed.named("rect")}
    assert {"#c62828", "#e0a800", "#2e7d32"} <= fills, "purpose_not_permitted, undeclared and ok have their colours"
    sections = [attrs["id"] for attrs in parsed.named("section")]
    severity = ["not_in_policy", "no_policy_purpose", "purpose_not_permitted", "undeclared", "ok"]
    assert sections == [f"verdict-{v}" for v in severity if v in {f["verdict"] for f in report["findings"]}]
    quotes = " ".join(parsed.text_in["blockquote"])
    assert CARD_CLAUSE in quotes
    assert "«д) Адрес электронный почты»" in quotes
    facts = " ".join(parsed.text_in["dd"])
    for fact in (report["policy"]["sha256"], report["tool"]["rules_version"], report["data_map"]["sha256"]):
        assert fact in facts
    text = " ".join(parsed.text)
    for source in report["sources"]:
        assert source["source"] in text


def test_fides_datasets_validate_with_fideslang(outputs: dict[str, bytes]) -> None:
    document = yaml.safe_load(outputs["fides"])
    known = {category.fides_key for category in DEFAULT_TAXONOMY.data_category}
    datasets = [Dataset.model_validate(entry) for entry in document["dataset"]]
    assert {d.name for d in datasets} == {
        "shop/logs/access.log",
        "shop/logs/app.jsonl",
        "shop/logs/auth.log",
        "shop/migrations",
        "shop/shop.db",
    }

    def fields(items: list[Any], prefix: str = "") -> dict[str, Any]:
        found = {}
        for item in items or []:
            found[prefix + item.name] = item
            found.update(fields(item.fields, prefix + item.name + "."))
        return found

    by_name = {d.name: d for d in datasets}
    used = set()
    for dataset in datasets:
        used |= set(dataset.data_categories or [])
        for collection in dataset.collections:
            used |= set(collection.data_categories or [])
            used |= {c for f in fields(collection.fields).values() for c in f.data_categories or []}
    assert used <= known, "only fideslang's own data-category keys"
    app = {c.name: fields(c.fields) for c in by_name["shop/logs/app.jsonl"].collections}["app.jsonl"]
    assert app["customer.email"].data_categories == ["user.contact.email"], "log field paths are nested fields"
    migrations = {c.name: fields(c.fields) for c in by_name["shop/migrations"].collections}
    card = migrations["payments"]["card_number"]
    assert card.data_categories == ["user.financial.credit_card"], "an extension key given as its fideslang parent"
    assert "purpose_not_permitted" in card.description and "advertising" in card.description


def test_inventory_in_every_format(outputs: dict[str, bytes], report: dict[str, Any]) -> None:
    document = json.loads(outputs["inventory.json"])
    inventory_validator().validate(document)
    listed = [c["id"] for c in document["categories"]]
    assert listed[:3] == ["name", "address", "phone"], "every category of the policy, in its order"
    assert listed[-1] is None, "then data no category covers"
    email = next(c for c in document["categories"] if c["id"] == "email")
    assert email["policy_words"] == "д) Адрес электронный почты" and email["clause"] == "§4d"
    assert {p["kind"] for p in email["places"]} == {"ddl", "sqlite", "log"}
    bank = next(c for c in document["categories"] if c["id"] == "bank_account")
    assert bank["places"] == [], "a category nothing holds is listed, empty: that is the answer"
    all_places = sum(len(c["places"]) for c in document["categories"])
    assert all_places == len(places_of(report))
    assert len(csv_rows(outputs["inventory.csv"])) == all_places
    tokens = MarkdownIt("commonmark").enable("table").parse(outputs["inventory.markdown"].decode())
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert "Bank account information (`bank_account`), §4f" in headings
    parsed = Html(outputs["inventory.html"].decode())
    assert "category-email" in [attrs["id"] for attrs in parsed.named("section")]
    assert not {name for name, _ in parsed.tags} & {"script", "link", "img"}
    assert [d["name"] for d in yaml.safe_load(outputs["inventory.fides"])["dataset"]] == [
        d["name"] for d in yaml.safe_load(outputs["fides"])["dataset"]
    ]
    table = outputs["inventory.table"].decode()
    assert "E-mail address" in table and "customers.email" in table


def test_inventory_of_one_category_across_ddl_databases_and_logs(shop: Path) -> None:
    result = run_pdscan(
        "inventory", "shop", "--category", "email", "--format", "csv", "-q", cwd=shop.parent, text=False
    )
    assert result.returncode == 0, result.stderr.decode()
    rows = csv_rows(result.stdout)
    assert {row["category"] for row in rows} == {"email"}
    assert {(row["kind"], row["table or file"], row["column or field"]) for row in rows} == {
        ("ddl", "customers", "email"),
        ("sqlite", "support_tickets", "customer_email"),
        ("log", "shop/logs/app.jsonl", "customer.email"),
        ("log", "shop/logs/access.log", "request"),
    }
    declared = {row["column or field"]: row["declared purposes"] for row in rows}
    assert declared["email"] == "user_notifications; customer_support"


def test_identical_scans_differ_only_in_their_time(shop: Path, outputs: dict[str, bytes]) -> None:
    """Twice more, one process and two: every format byte for byte the same but the timestamp."""
    for name in REPORT_FORMATS:
        for jobs in ("1", "2"):
            again = run_pdscan(
                "scan", "shop", "--format", name, "--jobs", jobs, "-q", cwd=shop.parent, text=False
            ).stdout
            assert TIMESTAMP.sub(b"<time>", again) == TIMESTAMP.sub(b"<time>", outputs[name]), (name, jobs)
    for name in ("json", "markdown", "html"):
        assert TIMESTAMP.search(outputs[name]), f"{name} states when the scan ran"
    for name in INVENTORY_FORMATS:
        again = run_pdscan(
            "inventory", "shop", "--format", name, "--jobs", "2", "-q", cwd=shop.parent, text=False
        ).stdout
        assert TIMESTAMP.sub(b"<time>", again) == TIMESTAMP.sub(b"<time>", outputs[f"inventory.{name}"]), name


def test_no_raw_personal_value_in_any_format_unless_show_data(shop: Path, outputs: dict[str, bytes]) -> None:
    shown = json.loads(
        run_pdscan("scan", "shop", "--format", "json", "--show-data", "-q", cwd=shop.parent, text=False).stdout
    )
    raw = {
        sample
        for finding in shown["findings"]
        for sample in (finding["occurrences"] or finding["values"] or {"samples": []})["samples"]
        if len(sample) >= 8
    }
    assert CARD in raw and "hanako.yamada@example.com" in raw and len(raw) >= 10
    for name, data in outputs.items():
        text = data.decode("utf-8-sig")
        leaked = sorted(value for value in raw if value in text)
        assert leaked == [], f"{name} shows raw values: {leaked}"
    for name in ("json", "csv", "markdown", "html"):
        unmasked = run_pdscan(
            "scan", "shop", "--format", name, "--show-data", "-q", cwd=shop.parent, text=False
        ).stdout.decode()
        assert CARD in unmasked, f"{name} --show-data shows the values it was asked to"
        if name in ("markdown", "html"):
            assert "handle it as personal data" in unmasked


def test_russian_reports_take_titles_from_the_policy_and_labels_from_the_data(shop: Path) -> None:
    html = run_pdscan(
        "scan", "shop", "--format", "html", "--lang", "ru", "-q", cwd=shop.parent, text=False
    ).stdout.decode()
    parsed = Html(html)
    assert parsed.named("html")[0]["lang"] == "ru"
    text = " ".join(parsed.text)
    for russian in (
        "Отчёт о персональных данных",  # noqa: RUF001
        "Хранится без заявленной цели",
        "Информация о кредитной карте",  # noqa: RUF001
        "Рассылка и распространение рекламы наших услуг и услуг других компаний",  # a purpose's title
        "Сведения о сканировании",  # noqa: RUF001
    ):
        assert russian in text, russian
    assert "Held without a declared purpose" not in text
    markdown = run_pdscan(
        "scan", "shop", "--format", "markdown", "--lang", "ru", "-q", cwd=shop.parent, text=False
    ).stdout.decode()
    assert markdown.startswith("# Отчёт о персональных данных")  # noqa: RUF001
    rows = csv_rows(
        run_pdscan("scan", "shop", "--format", "csv", "--lang", "ru", "-q", cwd=shop.parent, text=False).stdout
    )
    assert "категория" in rows[0] and "Адрес электронной почты" in {row["название категории"] for row in rows}
    inventory = run_pdscan(
        "inventory", "shop", "--lang", "ru", "--category", "phone", "-q", cwd=shop.parent, text=False
    )
    assert "Телефонный номер" in inventory.stdout.decode()


def test_the_fides_export_is_english_whatever_lang_says(shop: Path, outputs: dict[str, bytes]) -> None:
    """Fides datasets are for programs, as JSON and SARIF: --lang ru changes none of their words
    (a place no category covers once had its Russian label among English descriptions)."""
    for command, english in (("scan", outputs["fides"]), ("inventory", outputs["inventory.fides"])):
        result = run_pdscan(command, "shop", "--format", "fides", "--lang", "ru", "-q", cwd=shop.parent, text=False)
        assert b"Not covered by the policy" in english, "the shop holds data no category covers"
        assert TIMESTAMP.sub(b"", result.stdout) == TIMESTAMP.sub(b"", english), command
