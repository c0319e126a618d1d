"""Bearer-token identities verified against the users service's JWKS, and role guards.

Identity only ever comes from a verified token: client-sent identity headers are never trusted.
"""

from tickethub.auth.identity import ADMIN, SERVICE, USER, Identity
from tickethub.auth.jwks import JwksVerifier, KeysUnavailable, TokenRejected
from tickethub.auth.middleware import BearerAuth, BearerAuthMiddleware, requires_role

__all__ = [
    "ADMIN",
    "SERVICE",
    "USER",
    "BearerAuth",
    "BearerAuthMiddleware",
    "Identity",
    "JwksVerifier",
    "KeysUnavailable",
    "TokenRejected",
    "requires_role",
]
