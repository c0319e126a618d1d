"""Settings of the show operator, read from the environment and checked before it watches anything."""

import random
from pathlib import Path
from typing import Self

from pydantic import Field, SecretStr, field_validator, model_validator

from tickethub.settings import OptionalSetting, ProcessSettings, secret_text, service_name_field

_PRIORITY_RANGE = (1, 2**31 - 1)


class Settings(ProcessSettings):
    service_name: str = service_name_field("show-operator")

    namespace: str = Field(
        default="tickethub",
        min_length=1,
        validation_alias="OPERATOR_NAMESPACE",
        description="the namespace whose Shows are served (and where the peering object lives)",
    )
    peering_name: str = Field(
        default="show-operator",
        min_length=1,
        validation_alias="OPERATOR_PEERING_NAME",
        description="the KopfPeering object replicas coordinate through (it must exist)",
    )
    priority: int = Field(
        default_factory=lambda: random.randint(*_PRIORITY_RANGE),  # noqa: S311 - not a secret
        ge=_PRIORITY_RANGE[0],
        le=_PRIORITY_RANGE[1],
        validation_alias="OPERATOR_PRIORITY",
        description="peering priority: the replica with the highest one works, the others stand by; "
        "replicas of equal priority all pause, so each needs its own (unset: a random one per process)",
    )
    catalog_url: str = Field(validation_alias="CATALOG_URL", description="catalog's base URL")
    booking_url: str = Field(validation_alias="BOOKING_URL", description="booking's base URL")
    token_url: str = Field(
        validation_alias="OAUTH_TOKEN_URL",
        description="the users service's OAuth 2 token endpoint (`.../auth/token`)",
    )
    client_id: str = Field(
        default="show-operator",
        min_length=1,
        validation_alias="OAUTH_CLIENT_ID",
        description="the operator's OAuth client (client credentials, role SERVICE)",
    )
    client_secret_value: OptionalSetting[SecretStr] = Field(
        default=None, validation_alias="OAUTH_CLIENT_SECRET", description="that client's secret"
    )
    client_secret_file: OptionalSetting[Path] = Field(
        default=None,
        validation_alias="OAUTH_CLIENT_SECRET_FILE",
        description="path of a file holding the secret (a mounted Kubernetes Secret); used when "
        "OAUTH_CLIENT_SECRET is unset",
    )
    sweep_interval_seconds: float = Field(
        default=10.0,
        gt=0,
        validation_alias="OPERATOR_SWEEP_INTERVAL_SECONDS",
        description="how often each Show's expired holds are swept and its seat counts refreshed",
    )
    service_timeout_seconds: float = Field(
        default=5.0,
        gt=0,
        le=60,
        validation_alias="OPERATOR_SERVICE_TIMEOUT_SECONDS",
        description="timeout of one call to catalog, booking or users",
    )
    sync_attempts: int = Field(
        default=10,
        ge=1,
        le=100,
        validation_alias="OPERATOR_SYNC_ATTEMPTS",
        description="attempts to reach catalog (with growing delays) before a Show's sync gives up "
        "until its spec changes or the operator restarts",
    )
    withdrawal_wait_seconds: float = Field(
        default=300.0,
        gt=0,
        validation_alias="OPERATOR_WITHDRAWAL_WAIT_SECONDS",
        description="after catalog cancelled a deleted Show: how long to wait for booking to cancel "
        "and refund its bookings before the Show is let go anyway",
    )
    webhook_port: OptionalSetting[int] = Field(
        default=None,
        ge=1,
        le=65535,
        validation_alias="OPERATOR_WEBHOOK_PORT",
        description="HTTPS port of the validating admission webhook; no webhook when unset",
    )
    listen_address: str = Field(
        default="0.0.0.0",
        validation_alias="OPERATOR_LISTEN_ADDRESS",
        description="address the webhook and the liveness endpoint listen on",
    )
    webhook_cert_file: OptionalSetting[Path] = Field(
        default=None,
        validation_alias="OPERATOR_WEBHOOK_CERT_FILE",
        description="PEM serving certificate of the webhook (the chain the apiserver's caBundle trusts)",
    )
    webhook_key_file: OptionalSetting[Path] = Field(
        default=None, validation_alias="OPERATOR_WEBHOOK_KEY_FILE", description="its PEM private key"
    )
    health_port: OptionalSetting[int] = Field(
        default=None,
        ge=1,
        le=65535,
        validation_alias="OPERATOR_HEALTH_PORT",
        description="port of the liveness endpoint `/healthz`; none when unset",
    )

    @field_validator("catalog_url", "booking_url")
    @classmethod
    def without_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @model_validator(mode="after")
    def check_client_secret(self) -> Self:
        self.client_secret()
        return self

    @model_validator(mode="after")
    def check_webhook(self) -> Self:
        without_tls = self.webhook_cert_file is None or self.webhook_key_file is None
        if self.webhook_port is not None and without_tls:
            raise ValueError(
                "OPERATOR_WEBHOOK_PORT needs OPERATOR_WEBHOOK_CERT_FILE and OPERATOR_WEBHOOK_KEY_FILE: "
                "the apiserver calls webhooks over TLS only"
            )
        return self

    @property
    def webhook_enabled(self) -> bool:
        return self.webhook_port is not None

    def client_secret(self) -> str:
        """The OAuth client's secret, from the variable or the mounted file."""
        secret = secret_text(self.client_secret_value, self.client_secret_file)
        if secret is None:
            raise ValueError("set OAUTH_CLIENT_SECRET, or OAUTH_CLIENT_SECRET_FILE to a file holding it")
        if not secret.strip():
            raise ValueError(f"{self.client_secret_file} is empty")
        return secret.strip()
