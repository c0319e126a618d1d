"""The saga's own numbers, counted once the move that ended a hold has committed: bookings by the
status they moved to, and how long a CONFIRMED one took from its hold."""

from opentelemetry import metrics

from booking.domain.lifecycle import BookingStatus
from booking.domain.model import BookingRecord
from tickethub.kernel import utc_now

STATUS = "tickethub.booking.status"

_meter = metrics.get_meter("booking")
_moves = _meter.create_counter(
    "tickethub.booking.moves",
    unit="{booking}",
    description="Bookings that left PENDING or CONFIRMED, by the status they moved to",
)
_confirmation = _meter.create_histogram(
    "tickethub.booking.confirmation.duration",
    unit="s",
    description="From the seats' hold to CONFIRMED, commit included",
)


def count_move(record: BookingRecord) -> None:
    _moves.add(1, {STATUS: record.status.value.lower()})
    if record.status is BookingStatus.CONFIRMED:
        _confirmation.record((utc_now() - record.created_at).total_seconds())
