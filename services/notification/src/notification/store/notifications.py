"""Every read and write of sent notifications. Writers run inside the caller's transaction."""

from datetime import datetime
from uuid import UUID

from notification.domain.emails import NoticeKind
from notification.store.tables import Notification


class NotificationStore:
    async def record(
        self, *, event_id: UUID, booking_id: str, kind: NoticeKind, recipient: str, sent_at: datetime
    ) -> bool:
        """Records the e-mail of an event; False if that event already has one (nothing to send then)."""
        inserted = await (
            Notification.insert(
                Notification(
                    event_id=event_id,
                    booking_id=booking_id,
                    kind=kind.value,
                    recipient=recipient,
                    sent_at=sent_at,
                )
            )
            .on_conflict(target=Notification.event_id, action="DO NOTHING")
            .returning(Notification.event_id)
        )
        return bool(inserted)
