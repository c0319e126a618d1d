"""Login rate limits through the entrypoint, counted in the stack's real Redis."""

import pytest

from system import Api, expect_problem

pytestmark = pytest.mark.e2e

FAILURES_PER_ACCOUNT = 10  # the users service's default, which the e2e stack keeps


async def test_failed_logins_lock_the_account_even_against_its_right_password(api: Api) -> None:
    user = await api.register()
    wrong = {"email": user["email"], "password": "not-the-password"}

    failures = [await api.http.post("/auth/login", json=wrong) for _ in range(FAILURES_PER_ACCOUNT)]
    locked = await api.http.post("/auth/login", json={"email": user["email"], "password": user["password"]})

    assert [response.status_code for response in failures] == [401] * FAILURES_PER_ACCOUNT
    problem = expect_problem(locked, 429)
    assert problem["type"] == "urn:tickethub:problem:too-many-login-attempts"
    assert 1 <= int(locked.headers["retry-after"]) <= 900
    assert (await api.register())["role"] == "USER"  # registration is not what is limited
