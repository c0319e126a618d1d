"""Access-token claims: what a token says about its bearer and for how long."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from users.domain.accounts import Account
from users.domain.clients import MachineClient


@dataclass(frozen=True, slots=True)
class TokenPolicy:
    issuer: str
    audience: str
    ttl_seconds: int


def _claims(subject: str, role: str, policy: TokenPolicy, now: datetime, token_id: UUID) -> dict[str, Any]:
    """What every token says; every service checks iss, aud and exp before trusting role."""
    issued_at = int(now.timestamp())
    return {
        "iss": policy.issuer,
        "aud": policy.audience,
        "sub": subject,
        "iat": issued_at,
        "exp": issued_at + policy.ttl_seconds,
        "jti": str(token_id),
        "role": role,
    }


def access_token_claims(
    account: Account, policy: TokenPolicy, *, now: datetime, token_id: UUID
) -> dict[str, Any]:
    """Claims of a short-lived bearer token for a person's account."""
    claims = _claims(str(account.id), account.role.value, policy, now, token_id)
    return claims | {"email": account.email, "name": account.name}


def client_token_claims(
    client: MachineClient, policy: TokenPolicy, *, now: datetime, token_id: UUID
) -> dict[str, Any]:
    """Claims of a machine's token: the same shape, with the client id as subject (RFC 9068's client_id)."""
    claims = _claims(client.client_id, client.role, policy, now, token_id)
    return claims | {"client_id": client.client_id}
