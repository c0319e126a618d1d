"""Payment's settings, read from the environment at start."""

from pydantic import Field

from tickethub.settings import AuthSettings, DatabaseSettings, KafkaSettings, service_name_field


class Settings(DatabaseSettings, KafkaSettings, AuthSettings):
    service_name: str = service_name_field("payment")
    mock_latency_ms: int = Field(
        default=0,
        ge=0,
        le=30_000,
        validation_alias="PAYMENT_MOCK_LATENCY_MS",
        description="how long the mock provider takes per charge or refund, for demos and benchmarks "
        "(capped well below Kafka's max poll interval)",
    )
    mock_failure_rate: float = Field(
        default=0.0,
        ge=0.0,
        le=1.0,
        validation_alias="PAYMENT_MOCK_FAILURE_RATE",
        description="share of charges the mock provider declines with reason provider_error (0.0..1.0)",
    )
