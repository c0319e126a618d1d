"""Settings of the users service, read from the environment and checked before it serves anything."""

from pathlib import Path
from typing import Any, Self

from pydantic import Field, SecretStr, field_validator, model_validator

from tickethub.settings import AuthSettings, DatabaseSettings
from tickethub.web.problems import InvalidRequest
from users.domain.accounts import check_registration
from users.keys import SigningKeyError, SigningKeys, parse_key, parse_public_keys


class Settings(DatabaseSettings, AuthSettings):
    service_name: str = Field(default="users", validation_alias="OTEL_SERVICE_NAME")

    signing_key: SecretStr | None = Field(
        default=None,
        validation_alias="JWT_SIGNING_KEY",
        description="private Ed25519 JWK (JSON with kid) that signs access tokens; "
        "generate with `python -m users.keys`",
    )
    signing_key_file: Path | None = Field(
        default=None,
        validation_alias="JWT_SIGNING_KEY_FILE",
        description="path of a file holding that JWK (a mounted Kubernetes Secret); used when "
        "JWT_SIGNING_KEY is unset",
    )
    previous_public_keys: str | None = Field(
        default=None,
        validation_alias="JWT_PREVIOUS_PUBLIC_KEYS",
        description='JWKS JSON ({"keys": [...]}) of retired public keys still published after a '
        "rotation, until the tokens they signed have expired",
    )
    access_token_ttl_seconds: int = Field(
        default=900,
        ge=1,
        le=3600,
        validation_alias="ACCESS_TOKEN_TTL_SECONDS",
        description="lifetime of an access token (short: there is no revocation list)",
    )
    bootstrap_admin_email: str | None = Field(
        default=None,
        validation_alias="TICKETHUB_BOOTSTRAP_ADMIN_EMAIL",
        description="e-mail of the first admin, created at start-up if absent (with the password below)",
    )
    bootstrap_admin_password: SecretStr | None = Field(
        default=None,
        validation_alias="TICKETHUB_BOOTSTRAP_ADMIN_PASSWORD",
        description="password of the first admin; only used when that account does not exist yet",
    )
    bootstrap_admin_name: str = Field(
        default="Administrator",
        validation_alias="TICKETHUB_BOOTSTRAP_ADMIN_NAME",
        description="display name of the first admin",
    )

    @field_validator(
        "signing_key",
        "signing_key_file",
        "previous_public_keys",
        "bootstrap_admin_email",
        "bootstrap_admin_password",
        mode="before",
    )
    @classmethod
    def blank_is_unset(cls, value: Any) -> Any:
        # Charts and env files render unset optional values as empty strings.
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def check_signing_keys(self) -> Self:
        try:
            self.signing_keys()
        except SigningKeyError as exc:
            raise ValueError(str(exc)) from exc
        return self

    @model_validator(mode="after")
    def check_bootstrap_admin(self) -> Self:
        email, password = self.bootstrap_admin_email, self.bootstrap_admin_password
        if (email is None) != (password is None):
            raise ValueError(
                "set both TICKETHUB_BOOTSTRAP_ADMIN_EMAIL and TICKETHUB_BOOTSTRAP_ADMIN_PASSWORD, or neither"
            )
        if email is not None and password is not None:
            try:
                check_registration(email, password.get_secret_value(), self.bootstrap_admin_name)
            except InvalidRequest as exc:
                raise ValueError(f"bootstrap admin: {exc.detail}") from exc
        return self

    def signing_keys(self) -> SigningKeys:
        previous = parse_public_keys(self.previous_public_keys) if self.previous_public_keys else []
        return SigningKeys(parse_key(self.signing_key_json(), private=True), previous)

    def signing_key_json(self) -> str:
        """The private JWK's JSON, from the variable or the mounted file."""
        if self.signing_key is not None:
            return self.signing_key.get_secret_value()
        if self.signing_key_file is not None:
            try:
                return self.signing_key_file.read_text(encoding="utf-8")
            except OSError as exc:
                raise SigningKeyError(f"cannot read {self.signing_key_file}: {exc.strerror}") from exc
        raise SigningKeyError(
            "no signing key configured: set JWT_SIGNING_KEY to a private Ed25519 JWK "
            "(`python -m users.keys` prints one) or JWT_SIGNING_KEY_FILE to a file holding it"
        )
