"""Booking's read model of the shows it sells, kept from catalog's events."""

from booking.service.context import BookingContext
from tickethub.contracts import ShowPublished
from tickethub.inbox import first_delivery

_SHOW_PUBLISHED = "booking.show-published"  # the inbox consumer


async def record_published_show(context: BookingContext, event: ShowPublished) -> None:
    """Stores the show as published, unless a newer revision of it is stored already."""
    async with context.uow.transaction():
        if await first_delivery(_SHOW_PUBLISHED, event.event_id):
            await context.shows.save(event)
