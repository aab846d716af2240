"""The bundled policy as data, and a user's policy checked with file:line:column for every mistake."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from support.paths import SHARED

from pdscan.model import PolicyRef
from pdscan.policy import load_policy
from pdscan.ruleset.checker import PolicyError
from pdscan.ruleset.taxonomy import load_taxonomy
from pdscan.ruleset.yaml_lines import Problem, YamlError, load_marked_text

CATEGORY_IDS = [
    "name",
    "address",
    "phone",
    "email",
    "credit_card",
    "bank_account",
    "identity_document",
    "transaction",
    "ip_address",
    "device",
    "device_id",
    "location",
    "voluntary",
    "account",
    "cookie",
    "date_of_birth",
    "consented",
]
OUTSIDE_THE_POLICY = {
    "user.health_and_medical",
    "user.biometric",
    "user.demographic.religious_belief",
    "user.demographic.race_ethnicity",
    "user.demographic.political_opinion",
    "user.demographic.sexual_orientation",
    "user.criminal_history",
}
SEED = SHARED / "seed" / "privacy-policy.ru.txt"

# A small valid policy; each bad-policy test breaks one line of it.
SMALL_POLICY = """\
policy:
  id: acme-2024
  title: Acme privacy policy
  version: "2024-01-01"
purposes:
  - id: delivery
    title: {en: Delivery, ru: Доставка}
    clause: "§2"
    text_ru: "доставка"
  - id: support
    title: {en: Support, ru: Поддержка}
    clause: "§3"
    text_ru: "поддержка"
categories:
  - id: email
    title: {en: E-mail, ru: Почта}
    clause: "§1a"
    text_ru: "Почта"
    data_types: [user.contact.email]
    purposes: [delivery, support]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "policy.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(path: Path) -> list[Problem]:
    with pytest.raises(PolicyError) as raised:
        load_policy(path)
    return list(raised.value.problems)


# --- the bundled policy ---------------------------------------------------------------------


def test_bundled_policy_identity_and_reference() -> None:
    policy = load_policy()
    assert (policy.id, policy.version) == ("engoo-dmm-2014", "2014-05-28")
    assert len(policy.sha256) == 64
    assert policy.ref == PolicyRef("engoo-dmm-2014", policy.title, "2014-05-28", policy.sha256, policy.path)


def test_bundled_policy_has_all_17_categories_with_clause_and_both_titles() -> None:
    policy = load_policy()
    assert [category.id for category in policy.categories] == CATEGORY_IDS
    for category in policy.categories:
        assert category.clause.startswith("§"), category.id
        assert category.title_en and category.title_ru and category.text_ru, category.id
        assert any("\u0400" <= ch <= "\u04ff" for ch in category.title_ru), category.id  # Cyrillic, really


def test_bundled_policy_purposes_all_present_and_used() -> None:
    policy = load_policy()
    ids = {purpose.id for purpose in policy.purposes}
    assert len(ids) == len(policy.purposes) == 30
    for purpose in policy.purposes:
        assert purpose.clause.startswith("§") and purpose.title_en and purpose.title_ru and purpose.text_ru
    used = {purpose for category in policy.categories for purpose in category.purposes}
    assert used == ids
    for overlapping in ("traffic_analysis", "usage_analysis", "trend_analysis"):
        assert policy.purpose(overlapping).note and "fidelity" in policy.purpose(overlapping).note


def test_date_of_birth_has_no_purpose_and_says_why() -> None:
    category = load_policy().category("date_of_birth")
    assert category.purposes == ()
    assert category.note and "§4g" in category.note and "§4m" in category.note


@pytest.mark.parametrize(
    ("category", "purposes"),
    [
        (
            "phone",
            {
                "inquiries",
                "delivery",
                "payment",
                "customer_support",
                "fraud_prevention",
                "transaction_processing",
                "third_party_provision",
            },
        ),
        ("bank_account", {"payouts", "customer_support", "transaction_processing"}),
        ("identity_document", {"identity_verification"}),
        ("ip_address", {"fraud_prevention", "answering_inquiries"}),
        ("voluntary", {"customer_identification", "registration", "third_party_provision"}),
        ("date_of_birth", set()),
        ("consented", {"usage_analysis", "service_improvement", "new_service_planning", "stated_at_collection"}),
    ],
)
def test_purposes_follow_the_clauses(category: str, purposes: set[str]) -> None:
    assert set(load_policy().category(category).purposes) == purposes


def test_card_data_never_permits_advertising() -> None:
    policy = load_policy()
    assert "advertising" not in policy.category("credit_card").purposes
    assert "advertising" in policy.category("name").purposes


def test_interpretive_categories_say_so() -> None:
    policy = load_policy()
    assert "§4j" in (policy.category("location").note or "")
    account = policy.category("account").note or ""
    assert "third_party_provision" in account and "§4l" in account
    assert "third_party_provision" not in policy.category("account").purposes


def test_every_taxonomy_type_except_the_outside_ones_is_covered_by_exactly_one_category() -> None:
    policy = load_policy()
    for data_type in load_taxonomy():
        owners = [
            category.id
            for category in policy.categories
            for prefix in category.data_types
            if data_type == prefix or data_type.startswith(prefix + ".")
        ]
        expected = 0 if data_type in OUTSIDE_THE_POLICY else 1
        assert len(owners) == expected, (data_type, owners)


def test_category_for_takes_the_longest_prefix() -> None:
    policy = load_policy()
    assert policy.category_for("user.financial.credit_card.number").id == "credit_card"
    assert policy.category_for("user.contact.fax_number").id == "phone"
    assert policy.category_for("user.authorization.session_token").id == "cookie"
    assert policy.category_for("user.authorization.credentials").id == "account"
    assert policy.category_for("user.health_and_medical") is None
    assert policy.category_for("user.contactless") is None  # a prefix must end at a dot
    assert policy.category_for("user.demographic.date_of_birth").id == "date_of_birth"
    assert policy.category_for("user.demographic.gender").id == "voluntary"
    assert policy.category_for("user.device.device_id.imei").id == "device_id"
    assert policy.category_for("user.device.user_agent").id == "device"


def test_unknown_ids_raise_key_error() -> None:
    policy = load_policy()
    with pytest.raises(KeyError):
        policy.category("nope")
    with pytest.raises(KeyError):
        policy.purpose("nope")


@pytest.mark.skipif(not SEED.is_file(), reason="seed policy text not present")
def test_every_quoted_fragment_is_verbatim_from_the_seed() -> None:
    seed = SEED.read_text(encoding="utf-8")
    policy = load_policy()
    for entry in (*policy.categories, *policy.purposes):
        for fragment in entry.text_ru.split("; "):
            assert fragment in seed, (entry.id, fragment)


# --- a user's policy --------------------------------------------------------------------------


def test_the_small_policy_is_valid(tmp_path: Path) -> None:
    policy = load_policy(write(tmp_path, SMALL_POLICY))
    assert policy.path == str(tmp_path / "policy.yaml")
    assert policy.category("email").purposes == ("delivery", "support")
    assert policy.purpose("support").title_ru == "Поддержка"


@pytest.mark.parametrize(
    ("old", "new", "line", "column", "message"),  # line and column of the offending key or value
    [
        ("purposes: [delivery, support]", "purposes: [delivery, spam]", 20, 26, "'spam' is not a purpose defined"),
        ("data_types: [user.contact.email]", "data_types: [user.contact.emial]", 19, 18, "'user.contact.emial' is"),
        ('clause: "§1a"', "clause: [1, a]", 17, 13, "'clause' must be a non-empty text"),
        ("    title: {en: E-mail, ru: Почта}\n", "", 15, 5, "a category is missing 'title'"),
        ("{en: Support, ru: Поддержка}", "{en: Support}", 11, 12, "'title' is missing 'ru'"),
        ("{en: Delivery, ru: Доставка}", "{en: Deli, very, ru: Доставка}", 7, 23, "unknown key 'very' in 'title'"),
        ("  - id: support\n", "  - id: delivery\n", 10, 5, "duplicate purpose id 'delivery'"),
        ('    text_ru: "доставка"\n', '    text_ru: "доставка"\n    colour: red\n', 10, 5, "unknown key 'colour'"),
        ("  id: acme-2024", "  id: Acme 2024", 2, 7, "'id' must be a policy id"),
        ("  - id: email", "  - id: E-mail", 15, 9, "'id' must be a lower-case id"),
        ("purposes: [delivery, support]", "purposes: delivery", 20, 15, "'purposes' must be a list"),
    ],
)
def test_each_mistake_names_file_line_and_column(
    tmp_path: Path, old: str, new: str, line: int, column: int, message: str
) -> None:
    assert old in SMALL_POLICY
    path = write(tmp_path, SMALL_POLICY.replace(old, new, 1))
    found = [problem for problem in problems_of(path) if message in problem.message]
    assert found, [str(problem) for problem in problems_of(path)]
    assert (found[0].path, found[0].line, found[0].column) == (str(path), line, column)
    assert str(found[0]).startswith(f"{path}:{line}:{column}: ")


def test_all_problems_are_reported_at_once_in_file_order(tmp_path: Path) -> None:
    text = SMALL_POLICY.replace("[delivery, support]", "[delivery, spam]").replace("user.contact.email", "user.x")
    problems = problems_of(write(tmp_path, text))
    assert [problem.line for problem in problems] == [19, 20]


def test_duplicate_key_is_an_error_with_both_lines(tmp_path: Path) -> None:
    text = SMALL_POLICY.replace('  version: "2024-01-01"\n', '  version: "2024-01-01"\n  title: Again\n')
    [problem] = problems_of(write(tmp_path, text))
    assert (problem.line, problem.column) == (5, 3)
    assert "duplicate key 'title' (first written at line 3)" in problem.message


def test_two_categories_may_not_claim_one_data_type(tmp_path: Path) -> None:
    text = SMALL_POLICY + (
        "  - id: mail\n"
        "    title: {en: Mail, ru: Почта}\n"
        '    clause: "§1b"\n'
        '    text_ru: "Почта"\n'
        "    data_types: [user.name, user.contact.email]\n"
        "    purposes: []\n"
    )
    [problem] = problems_of(write(tmp_path, text))
    assert (problem.line, problem.column) == (25, 29)
    assert problem.message == "data type 'user.contact.email' is already claimed by category 'email'"


def test_an_unquoted_date_version_is_accepted(tmp_path: Path) -> None:
    policy = load_policy(write(tmp_path, SMALL_POLICY.replace('"2024-01-01"', "2024-01-01")))
    assert policy.version == "2024-01-01"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the policy file must be a mapping"),
        ("- a\n- b\n", "the policy file must be a mapping"),
        ("policy: {id: a, title: b, version: '1'}\n", "the policy file is missing 'categories'"),
    ],
)
def test_wrong_shapes_are_problems_not_tracebacks(tmp_path: Path, text: str, message: str) -> None:
    assert any(message in problem.message for problem in problems_of(write(tmp_path, text)))


def test_syntax_error_points_at_the_line(tmp_path: Path) -> None:
    [problem] = problems_of(write(tmp_path, "policy:\n  id: [unclosed\n  title: x\n"))
    assert problem.line >= 2 and "not valid YAML" in problem.message


def test_billion_laughs_is_an_error_not_a_hang(tmp_path: Path) -> None:
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in "bcdefghi":
        previous = chr(ord(level) - 1)
        lines.append(f"{level}: &{level} [" + ", ".join([f"*{previous}"] * 9) + "]")
    started = time.monotonic()
    problems = problems_of(write(tmp_path, "\n".join(lines) + "\n"))
    assert time.monotonic() - started < 10
    assert "alias bomb" in problems[-1].message


def test_an_unreadable_or_non_utf8_file_is_a_problem(tmp_path: Path) -> None:
    [missing] = problems_of(tmp_path / "absent.yaml")
    assert missing.message.startswith("cannot read the policy")
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("policy: {title: caf\u00e9}\n".encode("latin-1"))
    [problem] = problems_of(latin)
    assert "UTF-8" in problem.message


# --- the YAML loader under the policy ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "column", "message"),
    [
        ("a: &a [*a]\n", 1, 4, "alias refers to the value that contains it"),
        ("a: !!python/object:os.system x\n", 1, 4, "cannot read this value"),
        ("a: !custom {b: 1}\n", 1, 4, "tag '!custom' is not supported"),
        ("base: &b {x: 1}\nc:\n  <<: *b\n", 3, 3, "merge keys (<<) are not supported"),
        ("? [1, 2]\n: value\n", 1, 3, "a key must be a plain value"),
        ("a:" + " [" * 300 + " ]" * 300 + "\n", 1, 1, "nested"),
    ],
)
def test_yaml_loader_rejects_what_it_cannot_mark(text: str, line: int, column: int, message: str) -> None:
    with pytest.raises(YamlError) as raised:
        load_marked_text(text, "x.yaml")
    problem = raised.value.problems[-1]
    assert message in problem.message
    if message != "nested":
        assert (problem.line, problem.column) == (line, column)


def test_yaml_loader_marks_keys_values_and_items() -> None:
    marked = load_marked_text("top:\n  key: value\n  items:\n    - one\n    - two\n", "x.yaml")
    top = marked.value["top"]
    assert marked.problem(top, "m", "key", on_key=True).line == 2
    assert marked.problem(top, "m", "key").column == 8
    assert marked.problem(top["items"], "m", 1).line == 5
    assert marked.problem(top, "m").line == 2


def test_aliases_within_the_cap_are_expanded() -> None:
    marked = load_marked_text("common: &p [a, b]\nx: *p\ny: *p\n", "x.yaml")
    assert marked.value["x"] == marked.value["y"] == ["a", "b"]


# --- taxonomy ---------------------------------------------------------------------------------


def test_bundled_taxonomy_has_titles_for_dotted_keys() -> None:
    taxonomy = load_taxonomy()
    assert taxonomy["user.contact.email"] == "E-mail address"
    assert all(key.startswith("user.") for key in taxonomy)


def test_a_broken_taxonomy_names_every_problem(tmp_path: Path) -> None:
    path = tmp_path / "taxonomy.yaml"
    path.write_text(
        "version: 1\n"
        "data_types:\n"
        "  user.ok: {title: Fine}\n"
        "  User.Bad: {title: Bad key}\n"
        "  user.untitled: {extension: true}\n"
        "  user.odd: {title: Odd, extension: maybe}\n",
        encoding="utf-8",
    )
    with pytest.raises(PolicyError) as raised:
        load_taxonomy(path)
    assert [(p.line, p.column) for p in raised.value.problems] == [(4, 3), (5, 18), (6, 37)]
    messages = " | ".join(p.message for p in raised.value.problems)
    assert "'User.Bad' is not a data-type key" in messages
    assert "missing 'title'" in messages
    assert "'extension' must be true or false" in messages
