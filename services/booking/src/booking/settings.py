"""Booking's settings, read from the environment at start."""

from pydantic import Field

from tickethub.settings import AuthSettings, DatabaseSettings, KafkaSettings, RedisSettings


class Settings(DatabaseSettings, RedisSettings, KafkaSettings, AuthSettings):
    database_pool_max: int = Field(
        default=50,
        ge=1,
        validation_alias="DATABASE_POOL_MAX",
        description="connections; ~ the concurrent POST /bookings a replica serves without queueing",
    )
    max_seats_per_booking: int = Field(
        default=10,
        ge=1,
        le=100,
        validation_alias="BOOKING_MAX_SEATS",
        description="seats one booking may hold",
    )
    currency: str = Field(default="INR", min_length=3, max_length=3, validation_alias="BOOKING_CURRENCY")
    show_cache_seconds: float = Field(
        default=2.0,
        ge=0,
        validation_alias="BOOKING_SHOW_CACHE_SECONDS",
        description="how long a show's seat map and prices are cached in process",
    )
    sweep_interval_seconds: float = Field(
        default=5.0,
        ge=0,
        validation_alias="BOOKING_SWEEP_INTERVAL_SECONDS",
        description="built-in sweep of expired holds; 0 leaves sweeping to the operator",
    )
