import pytest

from pdscan.ruleset.identifiers import singular, split_identifier


@pytest.mark.parametrize(
    ("identifier", "words"),
    [
        ("shipping_address_1", ("shipping", "address", "1")),
        ("shippingAddress1", ("shipping", "address", "1")),
        ("ShippingAddress", ("shipping", "address")),
        ("shipping-address", ("shipping", "address")),
        ("request.headers.user-agent", ("request", "headers", "user", "agent")),
        ("HTTPUserAgent", ("http", "user", "agent")),
        ("IPAddress", ("ip", "address")),
        ("IPv6Address", ("ipv", "6", "address")),
        ("ipv6_address", ("ipv", "6", "address")),
        ("UserIDs", ("user", "id")),
        ("userID", ("user", "id")),
        ("CUSTOMER_EMAIL", ("customer", "email")),
        ("cc_num", ("cc", "num")),
        ("X-Forwarded-For", ("x", "forwarded", "for")),
        ("address1", ("address", "1")),
        ("CVV2", ("cvv", "2")),
        ("dateOfBirth", ("date", "of", "birth")),
        ("_ga", ("ga",)),
        ("[First Name]", ("first", "name")),
        ("Фамилия_клиента", ("familiya", "klienta")),  # Cyrillic is read transliterated
        ("", ()),
    ],
)
def test_identifiers_split_into_lower_case_words(identifier: str, words: tuple[str, ...]) -> None:
    assert split_identifier(identifier) == words


@pytest.mark.parametrize(
    ("plural", "single"),
    [
        ("addresses", "address"),
        ("categories", "category"),
        ("users", "user"),
        ("status", "status"),
        ("people", "people"),
        ("boxes", "box"),
    ],
)
def test_table_words_compare_in_the_singular(plural: str, single: str) -> None:
    assert singular(plural) == single


def test_table_names_compare_in_the_singular() -> None:
    from pdscan.ruleset.identifiers import singular

    words = ["statuses", "bonuses", "warehouses", "houses", "addresses", "categories", "users", "boxes"]
    assert [singular(word) for word in words] == [
        "status",
        "bonus",
        "warehouse",
        "house",
        "address",
        "category",
        "user",
        "box",
    ]
