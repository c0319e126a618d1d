"""`python -m catalog.demo`: the demo catalog under its fixed ids, inserted once, readable through the API."""

import asyncio
import os
import sys

import httpx
import pytest

from catalog.service.demo_catalog import (
    DEMO_CATEGORIES,
    DEMO_CITY,
    DEMO_HALL_ID,
    DEMO_HALL_NAME,
    DEMO_MOVIE_ID,
    DEMO_MOVIE_MINUTES,
    DEMO_THEATRE_ID,
)
from catalog.settings import Settings

pytestmark = pytest.mark.integration


async def run_demo(settings: Settings) -> list[str]:
    """Runs the module as a cluster Job would; returns the lines it printed."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "catalog.demo",
        env={**os.environ, "DATABASE_URL": settings.database_url},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, err.decode()
    return out.decode().splitlines()


async def test_the_demo_catalog_is_inserted_once_and_served_by_the_api(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    first = await run_demo(settings)
    second = await run_demo(settings)

    assert [line.split()[:2] for line in first] == [
        ["created", "movie"],
        ["created", "theatre"],
        ["created", "hall"],
        ["created", "seats"],
    ]
    assert second == ["the demo catalog is complete already: nothing created"]
    movie = (await client.get(f"/movies/{DEMO_MOVIE_ID}")).json()
    theatre = (await client.get(f"/theatres/{DEMO_THEATRE_ID}")).json()
    halls = (await client.get(f"/theatres/{DEMO_THEATRE_ID}/halls")).json()
    layout = (await client.get(f"/halls/{DEMO_HALL_ID}/seats")).json()
    assert (movie["id"], movie["durationMinutes"]) == (DEMO_MOVIE_ID, DEMO_MOVIE_MINUTES)
    assert (theatre["id"], theatre["city"]) == (DEMO_THEATRE_ID, DEMO_CITY)
    assert [(hall["id"], hall["name"]) for hall in halls["items"]] == [(DEMO_HALL_ID, DEMO_HALL_NAME)]
    assert layout["categories"] == list(DEMO_CATEGORIES) == ["STANDARD", "PREMIUM"]
    seats = {seat["id"]: seat["category"] for seat in layout["seats"]}
    assert len(seats) == 28
    assert (seats["A1"], seats["B10"], seats["C8"]) == ("STANDARD", "STANDARD", "PREMIUM")
    assert "C9" not in seats
