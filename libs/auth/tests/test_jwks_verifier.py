"""The JWKS verifier: keys fetched lazily, refetched for a new kid, tokens remembered until expiry."""

import asyncio
import time

import httpx
import pytest

from tickethub.auth import JwksVerifier, KeysUnavailable, TokenRejected
from tickethub.testing import TokenIssuer

JWKS_URL = "http://users.test/.well-known/jwks.json"


class JwksEndpoint:
    """Serves whatever key sets the test puts up, and counts the fetches."""

    def __init__(self, *issuers: TokenIssuer) -> None:
        self.issuers = list(issuers)
        self.fetches = 0
        self.up = True

    def handle(self, _: httpx.Request) -> httpx.Response:
        self.fetches += 1
        if not self.up:
            return httpx.Response(503)
        return httpx.Response(200, json={"keys": [k for i in self.issuers for k in i.jwks()["keys"]]})

    def verifier(self) -> JwksVerifier:
        http = httpx.AsyncClient(transport=httpx.MockTransport(self.handle))
        return JwksVerifier(
            JWKS_URL, issuer="tickethub-users", audience="tickethub", http=http, min_refetch_seconds=0
        )


async def test_a_token_is_verified_once_and_then_remembered() -> None:
    issuer = TokenIssuer()
    endpoint = JwksEndpoint(issuer)
    verifier = endpoint.verifier()
    token = issuer.token("USER")

    first = await verifier.verify(token)
    endpoint.up = False  # the users service goes away
    again = await verifier.verify(token)

    assert first == again
    assert first.role == "USER"
    assert endpoint.fetches == 1


async def test_a_new_key_is_fetched_and_a_foreign_one_rejected() -> None:
    current, rotated, foreign = TokenIssuer(), TokenIssuer(), TokenIssuer()
    endpoint = JwksEndpoint(current)
    verifier = endpoint.verifier()
    await verifier.verify(current.token("USER"))

    endpoint.issuers.append(rotated)  # a rotation publishes the new key beside the old one
    assert (await verifier.verify(rotated.token("ADMIN"))).role == "ADMIN"
    with pytest.raises(TokenRejected):
        await verifier.verify(foreign.token("ADMIN"))
    assert (await verifier.verify(current.token("USER"))).role == "USER"  # the old key still counts


async def test_expired_and_foreign_audience_tokens_are_rejected() -> None:
    issuer = TokenIssuer()
    verifier = JwksEndpoint(issuer).verifier()
    with pytest.raises(TokenRejected):
        await verifier.verify(issuer.token("USER", expires_in=-60))
    with pytest.raises(TokenRejected):
        await verifier.verify(issuer.token("USER", audience="elsewhere"))
    with pytest.raises(TokenRejected):
        await verifier.verify("not.a.jwt")


async def test_unreachable_keys_are_not_a_verdict_on_the_token() -> None:
    issuer = TokenIssuer()
    endpoint = JwksEndpoint(issuer)
    endpoint.up = False
    with pytest.raises(KeysUnavailable):
        await endpoint.verifier().verify(issuer.token("USER"))


async def test_a_remembered_token_still_expires() -> None:
    issuer = TokenIssuer()
    verifier = JwksEndpoint(issuer).verifier()
    token = issuer.token("USER", expires_in=1)
    await verifier.verify(token)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # polls through the token's second and the 5 s leeway
        try:
            await verifier.verify(token)
        except TokenRejected:
            return
        await asyncio.sleep(0.1)
    raise AssertionError("an expired token kept verifying")
