"""Genuinely signed test tokens: an Ed25519 TokenIssuer and its JWKS served over loopback HTTP.

Tokens look like the users service's (EdDSA over Ed25519, iss/aud/sub/role/iat/exp/jti), so a
service's own JwksVerifier fetches the key set and checks them exactly as in production.
"""

import contextlib
import json
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from joserfc import jwt
from joserfc.jwk import OKPKey

from tickethub.stack.ports import LOOPBACK

ISSUER = "tickethub-users"
AUDIENCE = "tickethub"
JWKS_PATH = "/.well-known/jwks.json"


class TokenIssuer:
    """Signs tokens like the users service does, with a throw-away key of its own."""

    def __init__(self) -> None:
        self.key = OKPKey.generate_key("Ed25519", parameters={"kid": "test-" + uuid.uuid4().hex[:8]})

    def jwks(self) -> dict[str, Any]:
        return {"keys": [self.key.as_dict(private=False)]}

    def token(
        self,
        role: str = "USER",
        *,
        subject: str | None = None,
        expires_in: int = 300,
        audience: str = AUDIENCE,
        key: OKPKey | None = None,
    ) -> str:
        """A token for `subject` (a new one unless given); `key` signs with another key than ours."""
        signer = key or self.key
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "aud": audience,
            "sub": subject or str(uuid.uuid4()),
            "role": role,
            "iat": now,
            "exp": now + expires_in,
            "jti": uuid.uuid4().hex,
        }
        return jwt.encode({"alg": "Ed25519", "kid": signer.kid}, claims, signer, algorithms=["Ed25519"])

    def headers(self, role: str = "USER", **options: Any) -> dict[str, str]:
        """The Authorization header for `token(role, **options)`."""
        return {"Authorization": f"Bearer {self.token(role, **options)}"}


@contextlib.contextmanager
def serving_jwks(jwks: dict[str, Any]) -> Iterator[str]:
    """Serves `jwks` over HTTP on loopback (a free port) while open; yields its URL."""
    body = json.dumps(jwks).encode()

    class Jwks(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            found = self.path == JWKS_PATH
            self.send_response(200 if found else 404)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body if found else b"{}")

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer((LOOPBACK, 0), Jwks)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{LOOPBACK}:{server.server_address[1]}{JWKS_PATH}"
    finally:
        server.shutdown()
        server.server_close()
