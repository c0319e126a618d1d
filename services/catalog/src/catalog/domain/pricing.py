"""Prices of a show: one positive amount per seat category of the hall, exact to the cent."""

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal

from catalog.domain.errors import InvalidPrices, field_error

# At most 8 integer digits (numeric(10, 2) in the read models) and 2 decimals; no sign, no exponent.
PRICE_PATTERN = r"^[0-9]{1,8}(\.[0-9]{1,2})?$"
_PRICE = re.compile(PRICE_PATTERN)
CENT = Decimal("0.01")


def parse_price(text: str) -> Decimal | None:
    """The amount of a decimal string like "250" or "250.5" (as 250.50); None if not a valid price."""
    if not _PRICE.match(text):
        return None
    amount = Decimal(text).quantize(CENT)
    return amount if amount > 0 else None


def parse_prices(raw: Mapping[str, str], categories: Sequence[str]) -> dict[str, Decimal]:
    """Validated prices in layout order; InvalidPrices names every missing, unknown or bad one."""
    errors: list[dict[str, str]] = []
    missing = [category for category in categories if category not in raw]
    unknown = sorted(category for category in raw if category not in categories)
    errors.extend(
        field_error(f"prices.{category}", "This seat category needs a price.") for category in missing
    )
    errors.extend(
        field_error(f"prices.{category}", "The hall has no seats of this category.") for category in unknown
    )
    prices: dict[str, Decimal] = {}
    for category in categories:
        if category not in raw:
            continue
        amount = parse_price(raw[category])
        if amount is None:
            errors.append(
                field_error(
                    f"prices.{category}", 'A positive decimal string with at most 2 decimals, like "250.00".'
                )
            )
        else:
            prices[category] = amount
    if errors:
        raise InvalidPrices(errors, missing=missing, unknown=unknown)
    return prices


def format_price(amount: Decimal) -> str:
    return f"{amount.quantize(CENT)}"
