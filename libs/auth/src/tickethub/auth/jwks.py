"""Verifies JWTs with the public keys the users service publishes as a JWKS.

Keys are cached; a token signed with an unknown `kid` triggers one refetch (rate-limited), so a key
rotation is picked up without a restart and a flood of forged kids cannot hammer the users service.
A verified token is remembered until it expires (a client sends the same token many times, and a
signature check is a tenth of a booking's CPU); a retired key's tokens therefore live out their
short lifetime.
"""

import asyncio
import time

import httpx
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet
from joserfc.jwt import JWTClaimsRegistry

from tickethub.auth.identity import Identity

SIGNING_ALGORITHMS = ["Ed25519"]
LEEWAY_SECONDS = 5
REMEMBERED_TOKENS = 10_000  # bounded: the memory is cleared when full


class TokenRejected(Exception):
    """The token is missing, malformed, expired, for another audience or not signed by our keys."""


class KeysUnavailable(Exception):
    """The signing keys could not be fetched: the token may be fine, so this is no 401."""


class JwksVerifier:
    def __init__(
        self,
        jwks_url: str,
        *,
        issuer: str,
        audience: str,
        http: httpx.AsyncClient | None = None,
        min_refetch_seconds: float = 10.0,
    ) -> None:
        self._jwks_url = jwks_url
        self._http = http or httpx.AsyncClient(timeout=httpx.Timeout(3.0))
        self._claims = JWTClaimsRegistry(
            leeway=LEEWAY_SECONDS,
            iss={"essential": True, "value": issuer},
            aud={"essential": True, "value": audience},
            exp={"essential": True},
            sub={"essential": True},
        )
        self._keys: KeySet | None = None
        self._fetched_at = float("-inf")
        self._min_refetch_seconds = min_refetch_seconds
        self._lock = asyncio.Lock()
        self._verified: dict[str, tuple[Identity, float]] = {}  # token -> (identity, expiry)

    async def verify(self, token: str) -> Identity:
        remembered = self._verified.get(token)
        if remembered is not None and time.time() < remembered[1]:
            return remembered[0]
        identity, expires_at = await self._verify_anew(token)
        if len(self._verified) >= REMEMBERED_TOKENS:
            self._verified.clear()
        self._verified[token] = (identity, expires_at)
        return identity

    async def _verify_anew(self, token: str) -> tuple[Identity, float]:
        keys = self._keys or await self._refresh()
        try:
            decoded = self._decode(token, keys)
        except InvalidKeyIdError:
            try:
                decoded = self._decode(token, await self._refresh())
            except InvalidKeyIdError as exc:
                raise TokenRejected("token signed by an unknown key") from exc
        try:
            self._claims.validate(decoded.claims)
        except JoseError as exc:
            raise TokenRejected(f"token claims rejected: {exc.error}") from exc
        return Identity.from_claims(decoded.claims), float(decoded.claims["exp"])

    @staticmethod
    def _decode(token: str, keys: KeySet) -> jwt.Token:
        try:
            return jwt.decode(token, keys, algorithms=SIGNING_ALGORITHMS)
        except InvalidKeyIdError:
            raise
        except JoseError as exc:
            raise TokenRejected(f"token rejected: {exc.error}") from exc

    async def _refresh(self) -> KeySet:
        async with self._lock:
            if self._keys is not None and time.monotonic() - self._fetched_at < self._min_refetch_seconds:
                return self._keys  # refreshed a moment ago, by us or a concurrent request
            try:
                response = await self._http.get(self._jwks_url)
                response.raise_for_status()
                self._keys = KeySet.import_key_set(response.json())
            except (httpx.HTTPError, ValueError) as exc:
                raise KeysUnavailable("the signing keys cannot be fetched right now") from exc
            self._fetched_at = time.monotonic()
            return self._keys

    async def aclose(self) -> None:
        await self._http.aclose()
