"""Access-token claims: what a token says about its bearer and for how long."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from users.domain.accounts import Account


@dataclass(frozen=True, slots=True)
class TokenPolicy:
    issuer: str
    audience: str
    ttl_seconds: int


def access_token_claims(
    account: Account, policy: TokenPolicy, *, now: datetime, token_id: UUID
) -> dict[str, Any]:
    """Claims of a short-lived bearer token; every service checks iss, aud and exp before trusting role."""
    issued_at = int(now.timestamp())
    return {
        "iss": policy.issuer,
        "aud": policy.audience,
        "sub": str(account.id),
        "iat": issued_at,
        "exp": issued_at + policy.ttl_seconds,
        "jti": str(token_id),
        "role": account.role.value,
        "email": account.email,
        "name": account.name,
    }
