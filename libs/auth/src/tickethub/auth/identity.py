"""Who is calling: the verified claims of a bearer token."""

from dataclasses import dataclass
from typing import Any

ADMIN = "ADMIN"
USER = "USER"
SERVICE = "SERVICE"


@dataclass(frozen=True, slots=True)
class Identity:
    subject: str
    role: str
    email: str | None = None
    name: str | None = None
    token_id: str | None = None

    @classmethod
    def from_claims(cls, claims: dict[str, Any]) -> "Identity":
        return cls(
            subject=str(claims["sub"]),
            role=str(claims.get("role", USER)),
            email=claims.get("email"),
            name=claims.get("name"),
            token_id=claims.get("jti"),
        )
