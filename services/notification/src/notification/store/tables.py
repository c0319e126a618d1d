"""Piccolo tables of the notification database (DDL in migrations/)."""

from piccolo.columns import UUID, Timestamptz, Varchar
from piccolo.table import Table


class Notification(Table, tablename="notifications"):
    event_id = UUID(primary_key=True)  # one e-mail per booking outcome event
    booking_id = Varchar(length=64)
    kind = Varchar(length=16)
    recipient = Varchar(length=320)
    sent_at = Timestamptz()


TABLES = (Notification,)
