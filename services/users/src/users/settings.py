"""Settings of the users service, read from the environment and checked before it serves anything."""

import ipaddress
from pathlib import Path
from typing import Self

from pydantic import Field, SecretStr, field_validator, model_validator

from tickethub.settings import (
    AuthSettings,
    DatabaseSettings,
    OptionalSetting,
    RedisSettings,
    secret_text,
    service_name_field,
)
from tickethub.web.problems import InvalidRequest
from users.adapters.signing_keys import SigningKeyError, SigningKeys, parse_key, parse_public_keys
from users.domain.accounts import LoginLimits, check_registration
from users.domain.clients import ClientConfigurationError, MachineClients


class Settings(DatabaseSettings, RedisSettings, AuthSettings):
    service_name: str = service_name_field("users")

    signing_key: OptionalSetting[SecretStr] = Field(
        default=None,
        validation_alias="JWT_SIGNING_KEY",
        description="private Ed25519 JWK (JSON with kid) that signs access tokens; "
        "generate with `python -m users.adapters.signing_keys`",
    )
    signing_key_file: OptionalSetting[Path] = Field(
        default=None,
        validation_alias="JWT_SIGNING_KEY_FILE",
        description="path of a file holding that JWK (a mounted Kubernetes Secret); used when "
        "JWT_SIGNING_KEY is unset",
    )
    previous_public_keys: OptionalSetting[str] = Field(
        default=None,
        validation_alias="JWT_PREVIOUS_PUBLIC_KEYS",
        description='JWKS JSON ({"keys": [...]}) of public keys published beside the current one: '
        "the previous key after a rotation, until the tokens it signed have expired, or the next key "
        "before one (README: rotating the signing key)",
    )
    access_token_ttl_seconds: int = Field(
        default=900,
        ge=1,
        le=3600,
        validation_alias="ACCESS_TOKEN_TTL_SECONDS",
        description="lifetime of an access token (short: there is no revocation list)",
    )
    bootstrap_admin_email: OptionalSetting[str] = Field(
        default=None,
        validation_alias="TICKETHUB_BOOTSTRAP_ADMIN_EMAIL",
        description="e-mail of the first admin, created at start-up if absent (with the password below)",
    )
    bootstrap_admin_password: OptionalSetting[SecretStr] = Field(
        default=None,
        validation_alias="TICKETHUB_BOOTSTRAP_ADMIN_PASSWORD",
        description="password of the first admin; only used when that account does not exist yet",
    )
    bootstrap_admin_name: str = Field(
        default="Administrator",
        validation_alias="TICKETHUB_BOOTSTRAP_ADMIN_NAME",
        description="display name of the first admin",
    )
    oauth_clients: OptionalSetting[SecretStr] = Field(
        default=None,
        validation_alias="OAUTH_CLIENTS",
        description='machine clients of POST /auth/token (client credentials), as JSON: {"<client id>": '
        '{"secret": "<at least 32 characters>", "role": "SERVICE" or "ADMIN"}}; none when unset',
    )
    oauth_clients_file: OptionalSetting[Path] = Field(
        default=None,
        validation_alias="OAUTH_CLIENTS_FILE",
        description="path of a file holding that JSON (a mounted Kubernetes Secret); used when "
        "OAUTH_CLIENTS is unset",
    )
    login_failures_per_account: int = Field(
        default=10,
        ge=1,
        validation_alias="LOGIN_MAX_FAILURES_PER_ACCOUNT",
        description="failed logins an account may have within its window before every login of it is "
        "answered 429 (a successful login clears them)",
    )
    login_account_window_seconds: int = Field(
        default=900,
        ge=1,
        validation_alias="LOGIN_ACCOUNT_WINDOW_SECONDS",
        description="the moving window of LOGIN_MAX_FAILURES_PER_ACCOUNT",
    )
    login_attempts_per_address: int = Field(
        default=60,
        ge=1,
        validation_alias="LOGIN_MAX_ATTEMPTS_PER_ADDRESS",
        description="logins (successful or not) one client address may try within its window",
    )
    login_address_window_seconds: int = Field(
        default=60,
        ge=1,
        validation_alias="LOGIN_ADDRESS_WINDOW_SECONDS",
        description="the moving window of LOGIN_MAX_ATTEMPTS_PER_ADDRESS",
    )
    trusted_proxies: str = Field(
        default="127.0.0.1,::1",
        validation_alias="FORWARDED_ALLOW_IPS",
        description="comma-separated addresses or networks of the proxies (the entrypoint, the Ingress "
        "controller) whose X-Forwarded-For names the client address; from any other peer the header "
        "is ignored. The variable uvicorn reads for the same purpose",
    )

    @field_validator("trusted_proxies")
    @classmethod
    def proxies_are_addresses_or_networks(cls, value: str) -> str:
        for entry in (item.strip() for item in value.split(",")):
            if entry in ("", "*"):
                continue
            try:
                ipaddress.ip_network(entry)  # strict, as uvicorn parses it: no host bits in a network
            except ValueError:
                raise ValueError(f"{entry!r} is neither an IP address nor a network") from None
        return value

    @model_validator(mode="after")
    def check_signing_keys(self) -> Self:
        try:
            self.signing_keys()
        except SigningKeyError as exc:
            raise ValueError(str(exc)) from exc
        return self

    @model_validator(mode="after")
    def check_machine_clients(self) -> Self:
        try:
            self.machine_clients()
        except ClientConfigurationError as exc:
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
        key = secret_text(self.signing_key, self.signing_key_file)
        if key is None:
            raise SigningKeyError(
                "no signing key configured: set JWT_SIGNING_KEY to a private Ed25519 JWK "
                "(`python -m users.adapters.signing_keys` prints one) or JWT_SIGNING_KEY_FILE to a file "
                "holding it"
            )
        return key

    def machine_clients(self) -> MachineClients:
        """The OAuth clients, from the variable or the mounted file; none when neither is set."""
        clients = secret_text(self.oauth_clients, self.oauth_clients_file)
        return MachineClients() if clients is None else MachineClients.from_json(clients)

    def login_limits(self) -> LoginLimits:
        return LoginLimits(
            failures_per_account=self.login_failures_per_account,
            account_window_seconds=self.login_account_window_seconds,
            attempts_per_address=self.login_attempts_per_address,
            address_window_seconds=self.login_address_window_seconds,
        )

    def trusted_proxy_list(self) -> list[str]:
        return [entry.strip() for entry in self.trusted_proxies.split(",") if entry.strip()]
