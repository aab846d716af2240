"""Names and sampled values judged together: what a column of a live database is reported as."""

from __future__ import annotations

from pdscan.detect.column_values import ColumnProfiler, checks_for, judge_column
from pdscan.detect.names import NameClassifier
from pdscan.ruleset.taxonomy import taxonomy_titles
from pdscan.sentences import sentence

CLASSIFIER = NameClassifier.bundled()
TITLES = taxonomy_titles()


def judged(column: str, values: list[object], table: str = "customers", sql_type: str = "text") -> dict:
    by_name = CLASSIFIER.classify_name(column, table, sql_type)
    profiler = ColumnProfiler(checks_for(by_name))
    for value in values:
        profiler.add(value)
    found = judge_column(by_name, profiler.result(), lambda key: CLASSIFIER.classify_name(key, table), TITLES)
    return {judgement.detection.data_type: judgement for judgement in found}


def test_a_column_named_nothing_but_full_of_addresses_is_an_email_column() -> None:
    values = [f"please mail ann{n}@example.org" for n in range(412)] + ["no contact"] * 588
    (email,) = judged("notes", values).values()
    assert email.detection.data_type == "user.contact.email"
    assert sentence(email.detection.evidence[0]).startswith("412 of 1,000 sampled values hold an e-mail address")
    assert email.values is not None and email.values.matched == 412 and email.values.sampled == 1000
    assert all(sample == "***@*******.org" for sample in email.values.samples), "masked"


def test_one_address_repeated_in_every_row_is_the_systems_own() -> None:
    template = "Dear {{name}}, write to support@shop.example with questions."
    assert judged("email_template", [template] * 500) == {}
    assert judged("body", [template] * 500) == {}


def test_one_card_iban_or_document_number_repeated_in_every_row_is_still_a_persons() -> None:
    # A support address repeats because it is the shop's; a card number, IBAN or passport
    # number names one person's account or document however often it is copied.
    card = judged("payload", ["paid with 4111 1111 1111 1111"] * 200)
    assert set(card) == {"user.financial.credit_card.number"}
    assert card["user.financial.credit_card.number"].values.distinct == 1
    iban = judged("memo", ["refund to GB82 WEST 1234 5698 7654 32"] * 50)
    assert set(iban) == {"user.financial.bank_account.iban"}
    repeated_address = judged("memo", ["write to support@shop.example"] * 200)
    assert repeated_address == {}


def test_a_free_text_column_of_phone_numbers_holds_phones() -> None:
    values = [f"Customer prefers a call: +81 90-1234-{n:04d} after six" for n in range(40)] + ["no call"] * 60
    (phone,) = judged("remarks", values).values()
    assert phone.detection.data_type == "user.contact.phone_number"
    assert phone.values is not None and phone.values.matched == 40
    assert "1234" not in " ".join(phone.values.samples), "masked"


def test_a_free_text_column_of_national_numbers_beside_a_phone_word_holds_phones() -> None:
    values = [f"call back on tel 03-5555-{n:04d} please" for n in range(10)]
    values += [f"電話 090-1234-{n:04d} まで" for n in range(10)]
    values += [f"order 03-5555-{n:04d} shipped" for n in range(80)]  # no phone word: an order number
    (phone,) = judged("memo", values).values()
    assert phone.detection.data_type == "user.contact.phone_number"
    assert phone.values is not None and phone.values.matched == 20


def test_a_few_stray_values_do_not_make_a_column_personal() -> None:
    values = ["ann@example.org", "bob@example.org"] + ["plain text"] * 998
    assert judged("comment", values) == {}


def test_booleans_and_flags_named_like_personal_data_are_not() -> None:
    assert judged("dob_required", [True, False] * 50, sql_type="boolean") == {}
    assert judged("ip_allowlist_enabled", ["1", "0"] * 50, sql_type="tinyint(1)") == {}


def test_values_confirm_a_name_and_a_name_no_value_fits_is_doubted() -> None:
    confirmed = judged("email", [f"u{n}@example.org" for n in range(50)])["user.contact.email"]
    assert confirmed.detection.confidence == 0.97
    doubted = judged("email", [f"hash{n:032x}" for n in range(50)])["user.contact.email"]
    assert doubted.detection.confidence < 0.9
    assert sentence(doubted.detection.evidence[-1]) == "none of 50 sampled values is an e-mail address"


def test_phone_columns_are_confirmed_by_a_phone_check() -> None:
    phone = judged("phone", [f"090-1234-{n:04d}" for n in range(30)])["user.contact.phone_number"]
    assert "30 of 30 sampled values are valid as a phone number (phone check)" in sentence(phone.detection.evidence[-1])
    written_with_country = judged("phone", [f"+81 90-1234-{n:04d}" for n in range(30)])["user.contact.phone_number"]
    assert written_with_country.detection.confidence == 0.97


def test_json_documents_are_read_by_key_path() -> None:
    documents = [f'{{"contact": {{"email": "p{n}@example.org", "tel": "+81 90-1111-{n:04d}"}}}}' for n in range(40)]
    found = judged("profile", documents)
    email = found["user.contact.email"]
    assert (
        sentence(email.detection.evidence[0])
        == "JSON key `contact.email` (40 of 40 sampled documents) means e-mail address"
    )
    assert "under JSON key `contact.email`" in sentence(email.detection.evidence[1])
    assert "user.contact.phone_number" in found
