"""The bundled policy encodes the seed; a user's policy is checked with file:line:column."""

from pathlib import Path

import pytest

from pdscan.policy import PolicyError, load_policy, load_taxonomy

BUNDLED = Path(__file__).resolve().parents[1] / "rules" / "policy.yaml"
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


def test_bundled_policy_has_every_category_with_clause_and_both_titles() -> None:
    policy = load_policy()
    assert policy.id == "engoo-dmm-2014"
    assert [c.id for c in policy.categories] == CATEGORY_IDS
    for category in policy.categories:
        assert category.clause.startswith("§") and category.title_en and category.title_ru and category.text_ru
    assert len(policy.purposes) == 30
    for purpose in policy.purposes:
        assert purpose.clause.startswith("§") and purpose.title_en and purpose.title_ru and purpose.text_ru


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


def test_card_data_may_not_be_used_for_advertising_but_names_may() -> None:
    policy = load_policy()
    assert "advertising" not in policy.category("credit_card").purposes
    assert "advertising" in policy.category("name").purposes


def test_the_clause_words_are_quoted_from_the_seed() -> None:
    seed = Path(__file__).resolve().parents[2] / "shared" / "seed" / "privacy-policy.ru.txt"
    if not seed.is_file():
        pytest.skip(f"seed policy not found at {seed}")
    text = seed.read_text(encoding="utf-8")
    policy = load_policy()
    for purpose in policy.purposes:
        for fragment in purpose.text_ru.split("; "):
            assert fragment.rstrip(".") in text, purpose.id
    for category in policy.categories:
        assert category.text_ru.split(";")[0].split(": ...")[0] in text, category.id


def test_every_data_type_maps_to_exactly_one_category_or_is_outside_the_policy() -> None:
    policy = load_policy()
    for data_type in load_taxonomy():
        category = policy.category_for(data_type)
        assert (category is None) == (data_type in OUTSIDE_THE_POLICY), data_type


def test_the_longest_prefix_decides() -> None:
    policy = load_policy()
    assert policy.category_for("user.demographic.date_of_birth").id == "date_of_birth"
    assert policy.category_for("user.demographic.gender").id == "voluntary"
    assert policy.category_for("user.device.device_id.imei").id == "device_id"
    assert policy.category_for("user.device.user_agent").id == "device"


def write_policy(tmp_path: Path, edit: tuple[str, str]) -> Path:
    text = BUNDLED.read_text(encoding="utf-8")
    assert edit[0] in text
    path = tmp_path / "policy.yaml"
    path.write_text(text.replace(edit[0], edit[1], 1), encoding="utf-8")
    return path


def line_of(path: Path, needle: str) -> int:
    """The last line holding `needle` (an edit duplicating an earlier line lands after it)."""
    return max(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


@pytest.mark.parametrize(
    ("edit", "needle", "message"),
    [
        (
            ("purposes: [payouts, customer_support", "purposes: [payouts, spam, customer_support"),
            "payouts, spam",
            "'spam' is not a purpose defined under 'purposes'",
        ),
        (
            ("data_types: [user.contact.email]", "data_types: [user.contact.emial]"),
            "user.contact.emial",
            "'user.contact.emial' is neither a data type",
        ),
        (("      en: Phone number\n", ""), "ru: Телефонный номер", "'en'"),
        (("  - id: payouts\n", "  - id: payouts\n    colour: red\n"), "colour: red", "unknown key 'colour'"),
        (("  - id: payouts\n", "  - id: payment\n"), "id: payment", "duplicate purpose id 'payment'"),
        (
            ("data_types: [user.contact.email]", "data_types: [user.contact.email, user.name]"),
            "user.contact.email, user.name",
            "data type 'user.name' is already claimed",
        ),
    ],
)
def test_policy_mistakes_name_file_line_and_column(
    tmp_path: Path, edit: tuple[str, str], needle: str, message: str
) -> None:
    path = write_policy(tmp_path, edit)
    with pytest.raises(PolicyError) as error:
        load_policy(path)
    problems = [p for p in error.value.problems if message in p.message]
    assert problems, [str(p) for p in error.value.problems]
    assert problems[0].path == str(path)
    assert problems[0].line == line_of(path, needle)
    assert problems[0].column >= 1


def test_duplicate_keys_and_syntax_errors_are_reported_with_lines(tmp_path: Path) -> None:
    duplicate = tmp_path / "duplicate.yaml"
    duplicate.write_text("policy: {id: a, title: b, version: '1'}\npolicy: {id: c}\n", encoding="utf-8")
    with pytest.raises(PolicyError, match=r"duplicate\.yaml:2:1: duplicate key 'policy'"):
        load_policy(duplicate)
    broken = tmp_path / "broken.yaml"
    broken.write_text("policy:\n  id: [unclosed\n", encoding="utf-8")
    with pytest.raises(PolicyError, match=r"broken\.yaml:3:1: not valid YAML"):
        load_policy(broken)


def test_an_alias_bomb_fails_fast_instead_of_eating_memory(tmp_path: Path) -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 9):
        previous, current = chr(ord("a") + level - 1), chr(ord("a") + level)
        lines.append(f"{current}: &{current} [" + ", ".join([f"*{previous}"] * 10) + "]")
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(PolicyError, match="alias bomb"):
        load_policy(bomb)


def test_a_missing_policy_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="cannot read the policy"):
        load_policy(tmp_path / "nope.yaml")
