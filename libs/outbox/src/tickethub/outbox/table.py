"""The outbox table (its DDL lives in this package's migration)."""

from piccolo.columns import JSONB, BigSerial, Text, Timestamptz, Varchar
from piccolo.table import Table


class OutboxMessage(Table, tablename="outbox"):
    id = BigSerial(primary_key=True)  # publication order
    topic = Varchar(length=255)
    message_key = Varchar(length=255)
    payload = Text()
    headers = JSONB()
    created_at = Timestamptz()
