"""Payment's use cases, one function each, called alike by the Kafka handlers and the HTTP API.

A use case that moves money asks the provider first, outside any transaction, then opens its own
(`context.uow.transaction()`), checks the inbox for the message it handles, writes the payment and the
outbox event that announces it, and commits. Reads need no transaction.

Why the provider is called OUTSIDE the database transaction: a slow processor (PAYMENT_MOCK_LATENCY_MS,
or a real one on a bad day) would otherwise pin a pooled connection and an open transaction per
in-flight payment. That is safe because the provider is idempotent per key (the booking id for a
charge, the payment id for a refund): if the process dies after the provider answered but before the
transaction that records it committed, Kafka redelivers the message (its offset is committed only after the
handler returns), the provider returns the same answer without moving money again, and the record
is written then. Once recorded, the unique payments.booking_id and the guarded CHARGED -> REFUNDED
update make every later attempt a no-op.
"""
