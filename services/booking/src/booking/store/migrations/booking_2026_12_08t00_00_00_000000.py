from tickethub.db.migrations import sql_migration

ID = "2026-12-08T00:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "the buyer's name on each booking, for the e-mails of its outcome"

forwards = sql_migration(app="booking", migration_id=ID, description=DESCRIPTION, sql="""
ALTER TABLE bookings ADD COLUMN user_name varchar(200) NOT NULL DEFAULT '';
""")
