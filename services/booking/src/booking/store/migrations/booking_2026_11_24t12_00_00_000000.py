from tickethub.db.migrations import sql_migration

ID = "2026-11-24T12:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "idempotency keys of POST /bookings"

forwards = sql_migration(app="booking", migration_id=ID, description=DESCRIPTION, sql="""
-- A key is claimed before its booking is attempted (response NULL: in progress), gets the response in
-- the statement that creates the booking, and is deleted again if the attempt fails.
CREATE TABLE idempotency_keys (
    user_id      varchar(64) NOT NULL,
    key          varchar(255) NOT NULL,
    request_hash char(64) NOT NULL,
    booking_id   uuid NOT NULL,
    response     jsonb,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_keys_age ON idempotency_keys (created_at);
""")
