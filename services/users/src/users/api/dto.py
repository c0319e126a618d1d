"""Request and response bodies of the users API; constraints here make bad values a 422 naming the field."""

from typing import Annotated, Any, Literal

from msgspec import Meta, Struct, field

from users.domain.accounts import (
    EMAIL_MAX_LENGTH,
    EMAIL_PATTERN,
    NAME_MAX_LENGTH,
    NAME_PATTERN,
    PASSWORD_MAX_LENGTH,
    PASSWORD_MIN_LENGTH,
    Account,
    Role,
)
from users.service.tokens import IssuedToken

Email = Annotated[
    str,
    Meta(
        max_length=EMAIL_MAX_LENGTH,
        pattern=EMAIL_PATTERN,
        description="e-mail address, unique regardless of case",
        examples=["ann@example.com"],
    ),
]
NewPassword = Annotated[
    str,
    Meta(
        min_length=PASSWORD_MIN_LENGTH,
        max_length=PASSWORD_MAX_LENGTH,
        description=f"{PASSWORD_MIN_LENGTH} to {PASSWORD_MAX_LENGTH} characters",
        examples=["correct horse battery"],
    ),
]
SIGNED_JWT_EXAMPLE = "eyJhbGciOiJFZERTQSIsImtpZCI6ImsxIn0.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"
Name = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=NAME_MAX_LENGTH,
        pattern=NAME_PATTERN,
        description="display name",
        examples=["Ann Smith"],
    ),
]


class Registration(Struct, rename="camel"):
    email: Email
    password: NewPassword
    name: Name

    def __repr__(self) -> str:  # the password must never reach a log line
        return f"Registration(email={self.email!r}, name={self.name!r})"


class Credentials(Struct, rename="camel"):
    email: Annotated[
        str,
        Meta(
            max_length=EMAIL_MAX_LENGTH, description="e-mail address (any case)", examples=["ann@example.com"]
        ),
    ]
    password: Annotated[str, Meta(max_length=PASSWORD_MAX_LENGTH, examples=["correct horse battery"])]

    def __repr__(self) -> str:
        return f"Credentials(email={self.email!r})"


class AccountView(Struct, rename="camel"):
    id: Annotated[str, Meta(examples=["3c9d7f2a-1b6e-4f0a-8d5c-2e7b9a4f6c13"])]
    email: Annotated[str, Meta(examples=["ann@example.com"])]
    name: Annotated[str, Meta(examples=["Ann Smith"])]
    role: Role

    @classmethod
    def of(cls, account: Account) -> "AccountView":
        return cls(id=str(account.id), email=account.email, name=account.name, role=account.role)


class AccessToken(Struct, rename="camel"):
    access_token: Annotated[str, Meta(description="a signed JWT", examples=[SIGNED_JWT_EXAMPLE])]
    token_type: Literal["Bearer"]
    expires_in: Annotated[int, Meta(description="seconds until the token expires", examples=[900])]

    @classmethod
    def of(cls, token: IssuedToken) -> "AccessToken":
        return cls(
            access_token=token.jwt,
            token_type="Bearer",  # noqa: S106 - the OAuth 2 token type, not a secret
            expires_in=token.expires_in,
        )


class TokenRequest(Struct):
    """RFC 6749 §4.4.2, with the RFC's parameter names; unrecognised parameters are ignored."""

    grant_type: Annotated[
        str | None, Meta(description="must be `client_credentials`", examples=["client_credentials"])
    ] = None
    client_id: Annotated[
        str | None, Meta(description="the client's id, unless sent with HTTP Basic", examples=["operator"])
    ] = None
    client_secret: Annotated[
        str | None,
        Meta(
            description="its secret, unless sent with HTTP Basic",
            examples=["s3cret-at-least-32-characters-long-0001"],
        ),
    ] = None
    scope: Annotated[
        str | None, Meta(description="ignored: a client gets its configured role", examples=["booking"])
    ] = None

    def __repr__(self) -> str:
        return f"TokenRequest(grant_type={self.grant_type!r}, client_id={self.client_id!r})"


class MachineAccessToken(AccessToken):
    """The login response, plus the same values under RFC 6749 §5.1's names.

    TicketHub bodies are camelCase, but OAuth 2 client libraries (authlib's, for one) read only
    `access_token`, `token_type` and `expires_in`: answering both spares every machine client a
    custom parser.
    """

    rfc_access_token: Annotated[str, Meta(examples=[SIGNED_JWT_EXAMPLE])] = field(name="access_token")
    rfc_token_type: Literal["Bearer"] = field(name="token_type")
    rfc_expires_in: Annotated[int, Meta(examples=[900])] = field(name="expires_in")

    @classmethod
    def of(cls, token: IssuedToken) -> "MachineAccessToken":
        answer = AccessToken.of(token)
        return cls(
            access_token=answer.access_token,
            token_type=answer.token_type,
            expires_in=answer.expires_in,
            rfc_access_token=answer.access_token,
            rfc_token_type=answer.token_type,
            rfc_expires_in=answer.expires_in,
        )


class ServiceStatus(Struct, rename="camel"):
    service: Annotated[str, Meta(examples=["users"])]
    status: Literal["ok", "degraded"]
    database: Literal["up", "down"]
    signing_key_id: Annotated[str, Meta(description="kid of the key that signs new tokens", examples=["k1"])]
    checks: Annotated[dict[str, str], Meta(examples=[{"postgres": "ok"}])]


class JsonWebKeySet(Struct):
    keys: Annotated[
        list[dict[str, Any]],
        Meta(
            description="the key that signs new tokens, then any previous ones still verifying",
            examples=[
                [
                    {
                        "kty": "OKP",
                        "crv": "Ed25519",
                        "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
                        "kid": "k1",
                        "alg": "EdDSA",
                        "use": "sig",
                    }
                ]
            ],
        ),
    ]
