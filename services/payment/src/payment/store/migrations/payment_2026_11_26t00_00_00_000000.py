from tickethub.db.migrations import sql_migration

ID = "2026-11-26T00:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "refund requests that arrived before their booking's charge was recorded"

forwards = sql_migration(app="payment", migration_id=ID, description=DESCRIPTION, sql="""
-- Kept until the charge is recorded, which then refunds it (or drops it when nothing was taken).
CREATE TABLE early_refund_requests (
    booking_id   varchar(64) PRIMARY KEY,
    event_id     uuid NOT NULL,
    reason       text NOT NULL,
    requested_at timestamptz NOT NULL DEFAULT now()
);
""")
