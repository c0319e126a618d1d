"""What every event carries besides its payload: a unique id (for inbox de-duplication) and a time."""

from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from tickethub.kernel import new_id, utc_now


class Event(BaseModel):
    # Defaulted fields are still always sent, so the published (serialization) schema requires them.
    model_config = ConfigDict(frozen=True, extra="ignore", json_schema_serialization_defaults_required=True)

    event_id: UUID = Field(
        default_factory=new_id, description="unique per event; consumers de-duplicate on it"
    )
    occurred_at: AwareDatetime = Field(default_factory=utc_now)
    version: int = Field(default=1, description="contract version; a breaking change gets a new topic")
