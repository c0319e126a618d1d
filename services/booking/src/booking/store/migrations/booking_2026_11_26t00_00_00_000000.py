from tickethub.db.migrations import sql_migration

ID = "2026-11-26T00:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "the active bookings of a show, found without a scan when the show is cancelled"

forwards = sql_migration(
    app="booking",
    migration_id=ID,
    description=DESCRIPTION,
    sql="""
CREATE INDEX bookings_active_by_show ON bookings (show_id, id) WHERE status IN ('PENDING', 'CONFIRMED');
""",
)
