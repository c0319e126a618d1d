"""Machine clients of the OAuth 2 client-credentials grant (RFC 6749 §4.4): the operator, other services.

Clients come from configuration only (a mounted Kubernetes Secret), never from code. A secret is
kept as its SHA-256 digest and compared in constant time, so neither a wrong secret's length nor its
first differing character shows in the response time.
"""

import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tickethub.auth.identity import ADMIN, SERVICE
from tickethub.web.problems import DomainError, Unauthenticated

CLIENT_ROLES = (SERVICE, ADMIN)
CLIENT_ID_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}"
SECRET_MIN_LENGTH = 32  # `secrets.token_urlsafe(32)` makes 43 characters
CLIENT_CREDENTIALS = "client_credentials"

_CLIENT_ID = re.compile(CLIENT_ID_PATTERN)


class ClientConfigurationError(ValueError):
    """The configured clients are not valid JSON of the expected shape (the message never holds a secret)."""


class TokenRequestError(DomainError):
    """An RFC 6749 §5.2 error (400): the problem carries the RFC's `error` code and names the parameter.

    RFC 6749 makes a missing or repeated parameter a 400 `invalid_request`, where the rest of the API
    answers 422; the `errors` list names the parameter the same way.
    """

    status = 400
    error_code = "invalid_request"

    def __init__(self, detail: str, *, parameter: str, source: str = "body") -> None:
        errors = [{"field": parameter, "in": source, "message": detail}]
        super().__init__(detail, error=self.error_code, errors=errors)


class InvalidTokenRequest(TokenRequestError):
    slug = "invalid-token-request"
    title = "Invalid token request"


class UnsupportedGrantType(TokenRequestError):
    slug = "unsupported-grant-type"
    title = "Unsupported grant type"
    error_code = "unsupported_grant_type"

    def __init__(self) -> None:
        super().__init__(f'Only grant_type "{CLIENT_CREDENTIALS}" is supported.', parameter="grant_type")


class InvalidClient(Unauthenticated):
    slug = "invalid-client"
    title = "Client authentication failed"

    def __init__(self) -> None:
        # One answer for an unknown client, a wrong secret and missing credentials.
        super().__init__("The client id or secret is wrong or missing.", error="invalid_client")

    @property
    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": 'Basic realm="tickethub"'}


def _digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


@dataclass(frozen=True, slots=True)
class MachineClient:
    client_id: str
    role: str
    secret_digest: bytes = field(repr=False)


class MachineClients:
    def __init__(self, clients: Mapping[str, MachineClient] | None = None) -> None:
        self._clients = dict(clients or {})
        # Unknown ids are compared against this, so they cost what a known id costs.
        self._stand_in = _digest(secrets.token_urlsafe(SECRET_MIN_LENGTH))

    @classmethod
    def from_json(cls, text: str) -> "MachineClients":
        """`{"<client id>": {"secret": "...", "role": "SERVICE"}, ...}`."""
        try:
            data = json.loads(text)
        except ValueError:
            raise ClientConfigurationError("the OAuth clients are not valid JSON") from None
        if not isinstance(data, dict):
            raise ClientConfigurationError('the OAuth clients must be a JSON object: {"<client id>": {...}}')
        return cls({client_id: _client(client_id, entry) for client_id, entry in data.items()})

    def __len__(self) -> int:
        return len(self._clients)

    def authenticate(self, client_id: str, secret: str) -> MachineClient | None:
        client = self._clients.get(client_id)
        expected = client.secret_digest if client else self._stand_in
        matches = hmac.compare_digest(_digest(secret), expected)
        return client if client is not None and matches else None


def _client(client_id: str, entry: Any) -> MachineClient:
    if not _CLIENT_ID.fullmatch(client_id):
        raise ClientConfigurationError(
            f"OAuth client id {client_id[:64]!r} must match {CLIENT_ID_PATTERN} (letters, digits, . _ -)"
        )
    if not isinstance(entry, dict) or set(entry) != {"secret", "role"}:
        raise ClientConfigurationError(f'OAuth client {client_id!r} must be {{"secret": ..., "role": ...}}')
    secret, role = entry["secret"], entry["role"]
    if not isinstance(secret, str) or len(secret) < SECRET_MIN_LENGTH:
        raise ClientConfigurationError(
            f"the secret of OAuth client {client_id!r} must be a string of at least {SECRET_MIN_LENGTH} "
            "characters (e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`)"
        )
    if role not in CLIENT_ROLES:
        raise ClientConfigurationError(
            f"the role of OAuth client {client_id!r} must be one of {', '.join(CLIENT_ROLES)}"
        )
    return MachineClient(client_id=client_id, role=role, secret_digest=_digest(secret))
