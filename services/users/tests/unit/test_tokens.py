"""Token claims with a fixed clock, and tokens that tickethub.auth's verifier accepts or rejects."""

import json
from datetime import UTC, datetime, timedelta
from uuid import UUID

import httpx
import pytest
from joserfc import jwt

from tickethub.auth import JwksVerifier, TokenRejected
from users.adapters.signing_keys import SigningKeys, generate_signing_key
from users.domain.accounts import Account, Role
from users.domain.clients import MachineClients
from users.domain.tokens import TokenPolicy, access_token_claims, client_token_claims

ACCOUNT = Account(
    id=UUID("0b7c9a4e-8a0e-4d5e-9d8f-2f7c3c1a9b10"), email="Ann@Example.com", name="Ann", role=Role.ADMIN
)
POLICY = TokenPolicy(issuer="tickethub-users", audience="tickethub", ttl_seconds=900)
NOW = datetime(2026, 11, 24, 12, 0, 0, tzinfo=UTC)
TOKEN_ID = UUID("6d0f7e9c-1b2a-4c3d-8e9f-0a1b2c3d4e5f")


def test_claims_name_the_account_and_expire_after_the_ttl() -> None:
    assert access_token_claims(ACCOUNT, POLICY, now=NOW, token_id=TOKEN_ID) == {
        "iss": "tickethub-users",
        "aud": "tickethub",
        "sub": "0b7c9a4e-8a0e-4d5e-9d8f-2f7c3c1a9b10",
        "iat": 1795521600,
        "exp": 1795521600 + 900,
        "jti": "6d0f7e9c-1b2a-4c3d-8e9f-0a1b2c3d4e5f",
        "role": "ADMIN",
        "email": "Ann@Example.com",
        "name": "Ann",
    }


def test_claims_follow_the_policy() -> None:
    policy = TokenPolicy(issuer="issuer-x", audience="aud-y", ttl_seconds=60)
    claims = access_token_claims(
        ACCOUNT, policy, now=NOW + timedelta(microseconds=999_999), token_id=TOKEN_ID
    )
    assert (claims["iss"], claims["aud"], claims["exp"] - claims["iat"]) == ("issuer-x", "aud-y", 60)
    assert claims["iat"] == int(NOW.timestamp())  # whole seconds (NumericDate)


def test_a_machine_clients_claims_name_the_client_and_its_configured_role() -> None:
    clients = MachineClients.from_json(json.dumps({"show-operator": {"secret": "k" * 32, "role": "SERVICE"}}))
    client = clients.authenticate("show-operator", "k" * 32)
    assert client is not None
    assert client_token_claims(client, POLICY, now=NOW, token_id=TOKEN_ID) == {
        "iss": "tickethub-users",
        "aud": "tickethub",
        "sub": "show-operator",
        "client_id": "show-operator",
        "iat": 1795521600,
        "exp": 1795521600 + 900,
        "jti": "6d0f7e9c-1b2a-4c3d-8e9f-0a1b2c3d4e5f",
        "role": "SERVICE",
    }


def _verifier(keys: SigningKeys, audience: str = "tickethub") -> JwksVerifier:
    transport = httpx.MockTransport(lambda _: httpx.Response(200, json=keys.jwks()))
    http = httpx.AsyncClient(transport=transport)
    return JwksVerifier(
        "http://users/.well-known/jwks.json", issuer="tickethub-users", audience=audience, http=http
    )


async def test_a_signed_token_verifies_against_the_published_jwks() -> None:
    keys = SigningKeys(generate_signing_key())
    claims = access_token_claims(ACCOUNT, POLICY, now=datetime.now(UTC), token_id=TOKEN_ID)
    token = keys.sign(claims)

    header = jwt.decode(token, keys.public_key_set(), algorithms=["Ed25519"]).header
    assert header == {"alg": "Ed25519", "typ": "JWT", "kid": keys.key_id}
    identity = await _verifier(keys).verify(token)
    assert (identity.subject, identity.role, identity.email, identity.token_id) == (
        str(ACCOUNT.id),
        "ADMIN",
        "Ann@Example.com",
        str(TOKEN_ID),
    )


async def test_an_expired_token_is_rejected() -> None:
    keys = SigningKeys(generate_signing_key())
    claims = access_token_claims(
        ACCOUNT, POLICY, now=datetime.now(UTC) - timedelta(hours=1), token_id=TOKEN_ID
    )
    with pytest.raises(TokenRejected):
        await _verifier(keys).verify(keys.sign(claims))


async def test_a_token_for_another_audience_is_rejected() -> None:
    keys = SigningKeys(generate_signing_key())
    claims = access_token_claims(ACCOUNT, POLICY, now=datetime.now(UTC), token_id=TOKEN_ID)
    with pytest.raises(TokenRejected):
        await _verifier(keys, audience="another-audience").verify(keys.sign(claims))
