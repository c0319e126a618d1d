"""Booking's use cases, one function each, called alike by the HTTP API, the Kafka handlers and the sweep.

Each opens its own transaction (`context.uow.transaction()`), checks the inbox when it handles a
message, calls the domain, writes the store and the outbox, and commits; Redis holds change only after
the commit (PostgreSQL is the truth, Redis follows it), through the `HoldChange` a use case returns.
"""
