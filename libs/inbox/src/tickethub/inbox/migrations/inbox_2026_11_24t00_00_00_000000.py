from tickethub.db.migrations import sql_migration

ID = "2026-11-24T00:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "processed-message table for idempotent consumers"

forwards = sql_migration(
    app="inbox",
    migration_id=ID,
    description=DESCRIPTION,
    sql="""
CREATE TABLE inbox (
    message_key varchar(255) PRIMARY KEY,
    received_at timestamptz NOT NULL DEFAULT now()
);
""",
)
