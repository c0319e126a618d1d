"""Access tokens: signing them, a machine client's token (client credentials), and the published keys."""

from dataclasses import dataclass
from typing import Any

from tickethub.kernel import new_id
from users.domain.clients import InvalidClient
from users.domain.tokens import client_token_claims
from users.service.context import UsersContext


@dataclass(frozen=True, slots=True)
class IssuedToken:
    jwt: str  # signed with the current key, which the JWKS lists first
    expires_in: int  # seconds


def issue(context: UsersContext, claims: dict[str, Any]) -> IssuedToken:
    return IssuedToken(jwt=context.signing_keys.sign(claims), expires_in=context.token_policy.ttl_seconds)


async def issue_client_token(context: UsersContext, client_id: str, secret: str) -> IssuedToken:
    """A token for a configured machine client, with its role; InvalidClient for any wrong credential."""
    client = context.machine_clients.authenticate(client_id, secret)
    if client is None:
        raise InvalidClient()
    claims = client_token_claims(client, context.token_policy, now=context.clock(), token_id=new_id())
    return issue(context, claims)


def published_keys(context: UsersContext) -> list[dict[str, Any]]:
    """The public keys that verify tokens (the JWKS): the current one, then any previous ones."""
    return context.signing_keys.jwks()["keys"]
