"""Catalog's events, written to the outbox in the use case's transaction: a show's full bookable state
(ShowPublished) and its cancellation (ShowCancelled)."""

from catalog.domain.model import SeatLayout, Show
from tickethub.contracts import SHOW_CANCELLED, SHOW_PUBLISHED, SeatSnapshot, ShowCancelled, ShowPublished
from tickethub.outbox import add_to_outbox


def _show_published(show: Show, layout: SeatLayout) -> ShowPublished:
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


def _show_cancelled(show: Show, reason: str | None) -> ShowCancelled:
    return ShowCancelled(show_id=show.id, revision=show.revision, reason=reason)


async def announce_show(show: Show, layout: SeatLayout) -> None:
    await add_to_outbox(SHOW_PUBLISHED, show.id, _show_published(show, layout))


async def announce_cancelled(show: Show, layout: SeatLayout, reason: str | None) -> None:
    """The cancelled show's new revision, then the cancellation that starts booking's saga."""
    await announce_show(show, layout)
    await add_to_outbox(SHOW_CANCELLED, show.id, _show_cancelled(show, reason))
