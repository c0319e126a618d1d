from tickethub.db.migrations import sql_migration

ID = "2026-11-24T00:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "bookings, booking seats with the active-seat guard, and the show read model"

forwards = sql_migration(app="booking", migration_id=ID, description=DESCRIPTION, sql="""
CREATE TABLE bookings (
    id              uuid PRIMARY KEY,
    user_id         varchar(64) NOT NULL,
    user_email      varchar(320) NOT NULL,
    show_id         varchar(64) NOT NULL,
    status          varchar(16) NOT NULL
                    CHECK (status IN ('PENDING', 'CONFIRMED', 'CANCELLED', 'EXPIRED', 'REFUNDED')),
    amount          numeric(12, 2) NOT NULL CHECK (amount >= 0),
    currency        varchar(3) NOT NULL,
    payment_token   text,
    hold_expires_at timestamptz NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX bookings_user ON bookings (user_id, created_at DESC);
CREATE INDEX bookings_pending_expiry ON bookings (show_id, hold_expires_at) WHERE status = 'PENDING';

CREATE TABLE booking_seats (
    id         bigserial PRIMARY KEY,  -- Piccolo wants a single-column key
    booking_id uuid NOT NULL REFERENCES bookings (id),
    show_id    varchar(64) NOT NULL,
    seat_id    varchar(16) NOT NULL,
    status     varchar(16) NOT NULL CHECK (status IN ('HELD', 'SOLD', 'RELEASED')),
    UNIQUE (booking_id, seat_id)
);
-- The final guard against double booking (invariant I1): one active row per seat of a show.
CREATE UNIQUE INDEX booking_seats_active_seat ON booking_seats (show_id, seat_id)
    WHERE status IN ('HELD', 'SOLD');

CREATE TABLE shows (
    show_id         varchar(64) PRIMARY KEY,
    revision        integer NOT NULL,
    status          varchar(16) NOT NULL,
    movie_title     text NOT NULL,
    starts_at       timestamptz NOT NULL,
    hold_seconds    integer NOT NULL CHECK (hold_seconds > 0),
    prices          jsonb NOT NULL,
    seat_categories jsonb NOT NULL,
    updated_at      timestamptz NOT NULL DEFAULT now()
);
""")
