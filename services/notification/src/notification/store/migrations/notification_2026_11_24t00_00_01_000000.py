from tickethub.db.migrations import sql_migration

ID = "2026-11-24T00:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "notifications: one sent e-mail per booking outcome event"

forwards = sql_migration(app="notification", migration_id=ID, description=DESCRIPTION, sql="""
CREATE TABLE notifications (
    event_id   uuid PRIMARY KEY,
    booking_id varchar(64) NOT NULL,
    kind       varchar(16) NOT NULL CHECK (kind IN ('CONFIRMED', 'CANCELLED', 'EXPIRED')),
    recipient  varchar(320) NOT NULL,
    sent_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notifications_booking ON notifications (booking_id);
""")
