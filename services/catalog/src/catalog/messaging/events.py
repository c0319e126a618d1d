"""Catalog's events: a show's full bookable state (ShowPublished), and its cancellation."""

from catalog.domain.model import SeatLayout, Show
from tickethub.contracts import SeatSnapshot, ShowCancelled, ShowPublished


def show_published(show: Show, layout: SeatLayout) -> ShowPublished:
    """The snapshot consumers keep; they apply it only when its revision is newer than theirs."""
    return ShowPublished(
        show_id=show.id,
        revision=show.revision,
        status=show.status.value,
        movie_id=show.movie_id,
        movie_title=show.movie_title,
        theatre_id=show.theatre_id,
        theatre_name=show.theatre_name,
        city=show.city,
        hall_id=show.hall_id,
        hall_name=show.hall_name,
        starts_at=show.starts_at,
        hold_seconds=show.hold_seconds,
        prices=dict(show.prices),
        seats=[SeatSnapshot(seat_id=seat.seat_id, category=seat.category) for seat in layout.seats],
    )


def show_cancelled(show: Show, reason: str | None) -> ShowCancelled:
    return ShowCancelled(show_id=show.id, revision=show.revision, reason=reason)
