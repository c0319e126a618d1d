from tickethub.db.migrations import sql_migration

ID = "2026-11-24T00:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "payments (one per booking) and refunds (one per payment)"

forwards = sql_migration(app="payment", migration_id=ID, description=DESCRIPTION, sql="""
CREATE TABLE payments (
    id           uuid PRIMARY KEY,
    booking_id   varchar(64) NOT NULL,
    user_id      varchar(64) NOT NULL,
    amount       numeric(12, 2) NOT NULL CHECK (amount >= 0),
    currency     varchar(3) NOT NULL,
    status       varchar(16) NOT NULL CHECK (status IN ('CHARGED', 'DECLINED', 'REFUNDED')),
    reason       text,
    provider_ref varchar(128),
    created_at   timestamptz NOT NULL DEFAULT now(),
    refunded_at  timestamptz,
    -- A redelivered or repeated BookingRequested can never charge a booking twice.
    CONSTRAINT payments_booking_id_key UNIQUE (booking_id),
    CONSTRAINT payments_refund_consistent CHECK ((status = 'REFUNDED') = (refunded_at IS NOT NULL))
);
CREATE INDEX payments_user ON payments (user_id, created_at DESC, id DESC);

CREATE TABLE refunds (
    id           uuid PRIMARY KEY,
    payment_id   uuid NOT NULL REFERENCES payments (id),
    reason       text NOT NULL,
    provider_ref varchar(128) NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT refunds_payment_id_key UNIQUE (payment_id)
);
""")
