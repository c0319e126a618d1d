"""Waiting for a dependency: transient errors are waited out, others and the deadline are not."""

import pytest

from tickethub.startup import until_available


class Starting(Exception):
    """The dependency is still starting."""


async def test_a_dependency_that_comes_up_is_waited_for() -> None:
    calls = 0

    async def connect() -> str:
        nonlocal calls
        calls += 1
        if calls < 3:
            raise Starting
        return "connected"

    assert await until_available("it", connect, transient=(Starting,), patience=10) == "connected"
    assert calls == 3


async def test_another_error_is_raised_at_once() -> None:
    calls = 0

    async def connect() -> None:
        nonlocal calls
        calls += 1
        raise ValueError("misconfigured")

    with pytest.raises(ValueError, match="misconfigured"):
        await until_available("it", connect, transient=(Starting,), patience=10)
    assert calls == 1


async def test_a_dependency_that_never_comes_fails_the_start_with_its_last_error() -> None:
    async def connect() -> None:
        raise Starting("still down")

    with pytest.raises(Starting, match="still down"):
        await until_available("it", connect, transient=(Starting,), patience=0.5)
