"""The validating webhook, called by the apiserver over TLS: start in the future, prices that fit the hall."""

import pytest

from tickethub.stack.control_plane import KubectlError
from tickethub.testing import eventually

from .resources import Shows, condition
from .standin import ServicesState

pytestmark = pytest.mark.integration


def test_a_show_starting_in_the_past_is_refused(shows: Shows) -> None:
    with pytest.raises(KubectlError, match="startsAt 2021-06-01T18:30:00Z is not in the future"):
        shows.create(startsAt="2021-06-01T18:30:00Z")


async def test_moving_a_show_into_the_past_is_refused(shows: Shows) -> None:
    name = shows.create()["metadata"]["name"]
    with pytest.raises(KubectlError, match="is not in the future"):
        shows.patch_spec(name, {"startsAt": "2021-06-01T18:30:00Z"})


@pytest.mark.parametrize(
    ("prices", "message"),
    [
        ([{"category": "STANDARD", "price": "250"}], "prices miss seat categories of the hall: PREMIUM"),
        (
            [
                {"category": "STANDARD", "price": "250"},
                {"category": "PREMIUM", "price": "400"},
                {"category": "GOLD", "price": "900"},
            ],
            "prices name seat categories the hall does not have: GOLD",
        ),
    ],
)
def test_prices_must_fit_the_halls_seat_categories(
    shows: Shows, prices: list[dict[str, str]], message: str
) -> None:
    with pytest.raises(KubectlError, match=message):
        shows.create(prices=prices)


def test_an_unknown_hall_is_refused(shows: Shows) -> None:
    with pytest.raises(KubectlError, match="No hall"):
        shows.create(hallId="00000000-0000-4000-8000-000000000000")


async def test_a_slow_catalog_lets_the_show_in_unchecked(
    shows: Shows, services: tuple[ServicesState, str]
) -> None:
    state, _ = services
    with state.lock:
        state.layout_delay_seconds = 3.0
    try:
        name = shows.create(prices=[{"category": "STANDARD", "price": "250"}])["metadata"]["name"]
    finally:
        with state.lock:
            state.layout_delay_seconds = 0.0

    async def handled() -> bool:
        return bool(condition(shows.get(name), "CatalogSynced"))

    await eventually(handled, "the operator to schedule the unchecked show")
