from tickethub.db.migrations import sql_migration

ID = "2026-11-24T00:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "outbox table; a statement trigger wakes the relay when a writer commits"

forwards = sql_migration(
    app="outbox",
    migration_id=ID,
    description=DESCRIPTION,
    sql="""
CREATE TABLE outbox (
    id          bigserial PRIMARY KEY,
    topic       varchar(255) NOT NULL,
    message_key varchar(255) NOT NULL,
    payload     text NOT NULL,
    headers     jsonb NOT NULL DEFAULT '{}',
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('outbox', '');
    RETURN NULL;
END $$;

CREATE TRIGGER outbox_notify AFTER INSERT ON outbox
    FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();
""",
)
