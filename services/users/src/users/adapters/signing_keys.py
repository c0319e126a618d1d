"""Ed25519 signing keys: loaded from the environment, used to sign tokens, published as a JWKS.

`python -m users.adapters.signing_keys` prints a fresh private key as JWK JSON, for the local stack and
for creating the Kubernetes Secret (`JWT_SIGNING_KEY`). The private key never lives in code or in the
image.
"""

import json
from collections.abc import Sequence
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, OKPKey

ALGORITHM = "Ed25519"  # joserfc's fully-specified EdDSA name (RFC 9864); verifiers pin the same


class SigningKeyError(ValueError):
    """The configured key is missing or is not an Ed25519 JWK with a `kid`."""


def generate_signing_key() -> OKPKey:
    """A new Ed25519 key whose `kid` is its RFC 7638 thumbprint."""
    return OKPKey.generate_key("Ed25519", parameters={"use": "sig", "alg": ALGORITHM}, auto_kid=True)


def parse_key(text: str, *, private: bool) -> OKPKey:
    """One OKP Ed25519 JWK from JSON; `private` demands the secret part `d`."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise SigningKeyError("the signing key is not valid JSON") from exc
    return _import_key(data, private=private)


def _import_key(data: Any, *, private: bool) -> OKPKey:
    if not isinstance(data, dict) or data.get("kty") != "OKP" or data.get("crv") != "Ed25519":
        raise SigningKeyError('the signing key must be a JWK with "kty": "OKP" and "crv": "Ed25519"')
    if not data.get("kid"):
        raise SigningKeyError(
            'the signing key must have a "kid" (generate one with `python -m users.adapters.signing_keys`)'
        )
    if private and "d" not in data:
        raise SigningKeyError('the signing key must be a private JWK (with "d")')
    if data.get("alg", ALGORITHM) not in {ALGORITHM, "EdDSA"} or data.get("use", "sig") != "sig":
        raise SigningKeyError(f'the signing key must be for "use": "sig" with "alg": "{ALGORITHM}"')
    try:
        # RFC 8037's "EdDSA" names the same signature; joserfc checks a key's alg against the header's.
        key = OKPKey.import_key({**data, "alg": ALGORITHM})
    except (JoseError, ValueError) as exc:
        raise SigningKeyError(f"the signing key cannot be imported: {exc}") from exc
    return key


def parse_public_keys(text: str) -> list[OKPKey]:
    """Previous keys still published after a rotation: a JWKS `{"keys": [...]}` of Ed25519 JWKs."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise SigningKeyError("the previous public keys are not valid JSON") from exc
    if not isinstance(data, dict) or not isinstance(data.get("keys"), list):
        raise SigningKeyError('the previous public keys must be a JWKS: {"keys": [...]}')
    return [_import_key(item, private=False) for item in data["keys"]]


class SigningKeys:
    """The current private key (signs every new token) and previous public keys (verify older ones)."""

    def __init__(self, current: OKPKey, previous: Sequence[OKPKey] = ()) -> None:
        if not current.is_private:
            raise SigningKeyError("the current signing key must be private")
        self._current = current
        self._previous = [key for key in previous if key.kid != current.kid]

    @property
    def key_id(self) -> str:
        return str(self._current.kid)

    def sign(self, claims: dict[str, Any]) -> str:
        header = {"alg": ALGORITHM, "typ": "JWT", "kid": self.key_id}
        return jwt.encode(header, claims, self._current, algorithms=[ALGORITHM])

    def jwks(self) -> dict[str, list[dict[str, Any]]]:
        """Public parts only, current key first; a rotation lists the previous key until its tokens expire."""
        keys = [self._current, *self._previous]
        return {"keys": [_public_jwk(key) for key in keys]}

    def public_key_set(self) -> KeySet:
        """The published keys as joserfc objects (what a verifier builds from the JWKS)."""
        return KeySet([OKPKey.import_key(key) for key in self.jwks()["keys"]])


def _public_jwk(key: OKPKey) -> dict[str, Any]:
    public: dict[str, Any] = dict(key.as_dict(private=False))
    public.setdefault("use", "sig")
    public.setdefault("alg", ALGORITHM)
    return public


def main() -> None:
    print(json.dumps(generate_signing_key().as_dict(private=True)))


if __name__ == "__main__":
    main()
