"""Reading an RFC 6749 §4.4 token request: its form, and the client's credentials (§2.3.1)."""

import base64
import binascii
from typing import Any
from urllib.parse import unquote_plus

from litestar import Request, Response
from litestar.exceptions import ValidationException

from tickethub.web.errors import domain_problem
from users.api.dto import TokenRequest
from users.domain.clients import CLIENT_CREDENTIALS, InvalidClient, InvalidTokenRequest, UnsupportedGrantType

FORM = "application/x-www-form-urlencoded"


def check_grant(request: Request[Any, Any, Any], data: TokenRequest) -> None:
    if request.content_type[0] != FORM:
        raise InvalidTokenRequest(f"The body must be {FORM}.", parameter="content-type", source="header")
    if data.grant_type is None:
        raise InvalidTokenRequest("Missing parameter: grant_type.", parameter="grant_type")
    if data.grant_type != CLIENT_CREDENTIALS:
        raise UnsupportedGrantType()


def client_credentials(authorization: str | None, data: TokenRequest) -> tuple[str, str]:
    """The client id and secret, from HTTP Basic or from the body; a client uses one way, not both."""
    if authorization is None:
        if data.client_id is None or data.client_secret is None:
            raise InvalidClient()
        return data.client_id, data.client_secret
    scheme, _, encoded = authorization.partition(" ")
    if scheme.lower() != "basic":
        raise InvalidClient()
    if data.client_secret is not None:
        raise InvalidTokenRequest(
            "Authenticate the client one way: HTTP Basic or client_secret, not both.",
            parameter="client_secret",
        )
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        decoded = ""
    client_id, separator, secret = decoded.partition(":")
    if not separator:
        raise InvalidTokenRequest(
            "Basic credentials must be base64 of client_id:client_secret.",
            parameter="authorization",
            source="header",
        )
    # RFC 6749 §2.3.1: both parts are form-urlencoded before they are joined.
    client_id, secret = unquote_plus(client_id), unquote_plus(secret)
    if data.client_id is not None and data.client_id != client_id:
        raise InvalidTokenRequest("client_id differs from the Basic credentials' id.", parameter="client_id")
    return client_id, secret


def unreadable_form(_: Request[Any, Any, Any], exc: ValidationException) -> Response[dict[str, Any]]:
    """A form Litestar cannot map (a parameter sent twice) is an RFC 6749 `invalid_request`, not a 422."""
    items = exc.extra if isinstance(exc.extra, list) else []
    keys = (str(item["key"]) for item in items if isinstance(item, dict) and item.get("key"))
    parameter = next(keys, "body")
    return domain_problem(InvalidTokenRequest(f"Send {parameter} once, as text.", parameter=parameter))
