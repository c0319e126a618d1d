"""Prices: one positive amount per seat category, exact to the cent, and nothing else."""

from decimal import Decimal

import pytest

from catalog.domain.errors import InvalidPrices
from catalog.domain.pricing import format_price, parse_price, parse_prices


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("250.00", Decimal("250.00")),
        ("250", Decimal("250.00")),
        ("0.5", Decimal("0.50")),
        ("0.01", Decimal("0.01")),
        ("99999999.99", Decimal("99999999.99")),
    ],
)
def test_valid_prices(text: str, amount: Decimal) -> None:
    assert parse_price(text) == amount


@pytest.mark.parametrize(
    "text",
    [
        "0",
        "0.00",
        "-1.00",
        "1.005",
        "1e3",
        "",
        " 1.00",
        "1.",
        ".5",
        "1,00",
        "NaN",
        "Infinity",
        "123456789.00",
    ],
)
def test_invalid_prices(text: str) -> None:
    assert parse_price(text) is None


def test_every_category_priced_in_layout_order() -> None:
    prices = parse_prices({"VIP": "400", "STANDARD": "250.5"}, ["STANDARD", "VIP"])

    assert prices == {"STANDARD": Decimal("250.50"), "VIP": Decimal("400.00")}
    assert list(prices) == ["STANDARD", "VIP"]


def test_missing_and_unknown_categories_are_named() -> None:
    with pytest.raises(InvalidPrices) as caught:
        parse_prices({"STANDARD": "250.00", "BALCONY": "10.00", "LOUNGE": "5.00"}, ["STANDARD", "VIP"])

    problem = caught.value
    assert problem.status == 422
    assert problem.extra["missingCategories"] == ["VIP"]
    assert problem.extra["unknownCategories"] == ["BALCONY", "LOUNGE"]
    assert [e["field"] for e in problem.extra["errors"]] == ["prices.VIP", "prices.BALCONY", "prices.LOUNGE"]


def test_bad_amounts_are_named_by_category() -> None:
    with pytest.raises(InvalidPrices) as caught:
        parse_prices({"STANDARD": "0", "VIP": "12.345"}, ["STANDARD", "VIP"])

    assert [e["field"] for e in caught.value.extra["errors"]] == ["prices.STANDARD", "prices.VIP"]


def test_format_price_always_has_two_decimals() -> None:
    assert format_price(Decimal("250")) == "250.00"
    assert format_price(Decimal("0.5")) == "0.50"
