"""Piccolo tables of the payment database (DDL in migrations/)."""

from piccolo.columns import UUID, Numeric, Text, Timestamptz, Varchar
from piccolo.table import Table


class Payment(Table, tablename="payments"):
    id = UUID(primary_key=True)
    booking_id = Varchar(length=64, unique=True)  # one payment per booking, whatever Kafka redelivers
    user_id = Varchar(length=64)
    amount = Numeric(digits=(12, 2))
    currency = Varchar(length=3)
    status = Varchar(length=16)
    reason = Text(null=True)
    provider_ref = Varchar(length=128, null=True)
    created_at = Timestamptz()
    refunded_at = Timestamptz(null=True)


class Refund(Table, tablename="refunds"):
    id = UUID(primary_key=True)
    payment_id = UUID(unique=True)  # one refund per payment
    reason = Text()
    provider_ref = Varchar(length=128)
    created_at = Timestamptz()


class EarlyRefundRequest(Table, tablename="early_refund_requests"):
    """A RefundRequested that came before its booking's charge was recorded (see service.refunding)."""

    booking_id = Varchar(length=64, primary_key=True)
    event_id = UUID()
    reason = Text()
    requested_at = Timestamptz()


TABLES = (Payment, Refund, EarlyRefundRequest)
