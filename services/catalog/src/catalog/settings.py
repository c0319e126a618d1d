"""Typed settings of the catalog process, read from the environment and validated at start."""

from pydantic import Field

from tickethub.settings import AuthSettings, DatabaseSettings, KafkaSettings, service_name_field


class Settings(DatabaseSettings, KafkaSettings, AuthSettings):
    """Catalog owns its database, publishes show state to Kafka and verifies admin tokens."""

    service_name: str = service_name_field("catalog")

    outbox_poll_seconds: float = Field(
        default=1.0,
        gt=0,
        le=60,
        validation_alias="CATALOG_OUTBOX_POLL_SECONDS",
        description="how often the outbox relay looks for unpublished events when no NOTIFY woke it",
    )
