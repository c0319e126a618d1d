"""Typed settings read from the environment: one settings object per process, validated at start.

Each service composes the pieces it needs (``class Settings(DatabaseSettings, KafkaSettings)``), so a
missing or malformed variable fails the process at start-up with a message naming it.
"""

from pathlib import Path
from typing import Annotated, Any, Literal, Self, TypeVar

from pydantic import BeforeValidator, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

_T = TypeVar("_T")


def _none_when_blank(value: Any) -> Any:
    # Charts and env files render unset optional values as empty strings.
    return None if isinstance(value, str) and not value.strip() else value


OptionalSetting = Annotated[_T | None, BeforeValidator(_none_when_blank)]
"""A setting that may be left out; set to a blank string, it is left out too."""


class SecretFileError(ValueError):
    """A secret's file (a mounted Kubernetes Secret) cannot be read."""


def secret_text(value: SecretStr | None, file: Path | None) -> str | None:
    """A secret from its variable, else from the file that its `..._FILE` variable names (how a
    Kubernetes Secret reaches a container without entering its environment); None when neither is set."""
    if value is not None:
        return value.get_secret_value()
    if file is None:
        return None
    try:
        return file.read_text(encoding="utf-8")
    except OSError as exc:
        raise SecretFileError(f"cannot read {file}: {exc.strerror}") from exc


def service_name_field(name: str) -> Any:
    """A process's `service_name`: OTEL_SERVICE_NAME when set, else its own name, so that its traces,
    metrics and Kafka client id say which process it is wherever it runs."""
    return Field(default=name, validation_alias="OTEL_SERVICE_NAME")


class ProcessSettings(BaseSettings):
    """Settings every process has."""

    # Errors name the variable but never echo its value (URLs carry passwords, keys are secret).
    model_config = SettingsConfigDict(extra="ignore", frozen=True, hide_input_in_errors=True)

    service_name: str = service_name_field("tickethub")
    log_level: str = Field(default="INFO", validation_alias="LOG_LEVEL")
    traces_exporter: Literal["otlp", "zipkin", "none"] = Field(
        default="otlp",
        validation_alias="OTEL_TRACES_EXPORTER",
        description="where spans go: OTLP/HTTP (a collector, Jaeger) or Zipkin (its JSON API)",
    )
    otlp_endpoint: OptionalSetting[str] = Field(
        default=None,
        validation_alias="OTEL_EXPORTER_OTLP_ENDPOINT",
        description="OTLP/HTTP base URL; with the otlp exporter, spans are exported only when set",
    )
    zipkin_endpoint: OptionalSetting[str] = Field(
        default=None,
        validation_alias="OTEL_EXPORTER_ZIPKIN_ENDPOINT",
        description="Zipkin's span endpoint (http://host:9411/api/v2/spans); required by the zipkin exporter",
    )
    startup_wait_seconds: float = Field(
        default=120.0,
        ge=0,
        validation_alias="STARTUP_WAIT_SECONDS",
        description="how long start-up waits for the database (and its migrations) and Kafka to be there",
    )

    @model_validator(mode="after")
    def _zipkin_needs_its_endpoint(self) -> Self:
        if self.traces_exporter == "zipkin" and not self.zipkin_endpoint:
            raise ValueError("OTEL_TRACES_EXPORTER=zipkin needs OTEL_EXPORTER_ZIPKIN_ENDPOINT")
        return self


class DatabaseSettings(ProcessSettings):
    """The service's own PostgreSQL database."""

    database_url: str = Field(validation_alias="DATABASE_URL")
    database_pool_min: int = Field(default=2, ge=1, validation_alias="DATABASE_POOL_MIN")
    database_pool_max: int = Field(default=20, ge=1, validation_alias="DATABASE_POOL_MAX")


class RedisSettings(ProcessSettings):
    """Redis, for seat holds and rate limits."""

    redis_url: str = Field(validation_alias="REDIS_URL")


class KafkaSettings(ProcessSettings):
    """The Kafka cluster that carries the sagas."""

    kafka_bootstrap_servers: str = Field(validation_alias="KAFKA_BOOTSTRAP_SERVERS")
    kafka_consumer_retries: int = Field(
        default=5,
        ge=1,
        le=50,
        validation_alias="KAFKA_CONSUMER_RETRIES",
        description="attempts before a message goes to its dead-letter topic",
    )
    kafka_replication_factor: int = Field(default=1, ge=1, validation_alias="KAFKA_REPLICATION_FACTOR")


class AuthSettings(ProcessSettings):
    """How incoming tokens are verified: against the users service's JWKS."""

    jwks_url: str = Field(validation_alias="JWT_JWKS_URL")
    jwt_issuer: str = Field(default="tickethub-users", validation_alias="JWT_ISSUER")
    jwt_audience: str = Field(default="tickethub", validation_alias="JWT_AUDIENCE")
