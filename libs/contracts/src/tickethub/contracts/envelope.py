"""What every event carries besides its payload: a unique id (for inbox de-duplication) and a time."""

from datetime import UTC, datetime
from uuid import UUID, uuid4

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


def _now() -> datetime:
    return datetime.now(UTC)


class Event(BaseModel):
    # Defaulted fields are still always sent, so the published (serialization) schema requires them.
    model_config = ConfigDict(frozen=True, extra="ignore", json_schema_serialization_defaults_required=True)

    event_id: UUID = Field(
        default_factory=uuid4, description="unique per event; consumers de-duplicate on it"
    )
    occurred_at: AwareDatetime = Field(default_factory=_now)
    version: int = Field(default=1, description="contract version; a breaking change gets a new topic")
