"""The processed-message table, and the check a use case makes inside its transaction."""

from uuid import UUID

from piccolo.columns import Timestamptz, Varchar
from piccolo.table import Table


class InboxMessage(Table, tablename="inbox"):
    message_key = Varchar(length=255, primary_key=True)  # "<consumer>:<event id>"
    received_at = Timestamptz()


async def first_delivery(consumer: str, event_id: UUID) -> bool:
    """Records the message as processed; False if it already was (its effects are committed already).

    Call it first inside the use case's transaction, so the record and the effects commit together;
    outside one the record would commit on its own, and a crash before the effects would lose them.
    """
    if not InboxMessage._meta.db.transaction_exists():
        raise RuntimeError(f"the inbox of {consumer} was checked outside a transaction")
    inserted = await (
        InboxMessage.insert(InboxMessage(message_key=f"{consumer}:{event_id}"))
        .on_conflict(action="DO NOTHING")
        .returning(InboxMessage.message_key)
    )
    return bool(inserted)
