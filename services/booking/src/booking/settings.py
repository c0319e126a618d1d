"""Booking's settings, read from the environment at start."""

from typing import Self

from pydantic import Field, model_validator

from tickethub.settings import (
    AuthSettings,
    DatabaseSettings,
    KafkaSettings,
    RedisSettings,
    service_name_field,
)


class Settings(DatabaseSettings, RedisSettings, KafkaSettings, AuthSettings):
    service_name: str = service_name_field("booking")
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
    max_held_seats_per_user: int = Field(
        default=10,
        ge=1,
        le=1000,
        validation_alias="BOOKING_MAX_HELD_SEATS_PER_USER",
        description="seats one user may hold at once for one show, across their pending bookings",
    )
    idempotency_key_hours: float = Field(
        default=24.0,
        gt=0,
        validation_alias="BOOKING_IDEMPOTENCY_KEY_HOURS",
        description="how long an Idempotency-Key of POST /bookings is remembered",
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

    @model_validator(mode="after")
    def one_booking_fits_the_cap(self) -> Self:
        if self.max_held_seats_per_user < self.max_seats_per_booking:
            raise ValueError(
                "BOOKING_MAX_HELD_SEATS_PER_USER must be at least BOOKING_MAX_SEATS, "
                "or a booking of the largest allowed size could never be held"
            )
        return self
