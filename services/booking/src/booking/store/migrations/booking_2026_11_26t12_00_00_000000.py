from tickethub.db.migrations import sql_migration

ID = "2026-11-26T12:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "index of ended bookings by the time they ended, for the Redis reconciliation"

forwards = sql_migration(app="booking", migration_id=ID, description=DESCRIPTION, sql="""
CREATE INDEX bookings_ended ON bookings (updated_at, id) WHERE status IN ('CANCELLED', 'EXPIRED', 'REFUNDED');
""")
