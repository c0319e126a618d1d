from tickethub.db.migrations import sql_migration

ID = "2026-11-24T00:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "accounts: e-mail unique case-insensitively (normalised column), role USER or ADMIN"

forwards = sql_migration(app="users", migration_id=ID, description=DESCRIPTION, sql="""
CREATE TABLE users (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email            text NOT NULL,
    email_normalized text NOT NULL CONSTRAINT users_email_normalized_key UNIQUE,
    name             text NOT NULL,
    password_hash    text NOT NULL,
    role             text NOT NULL DEFAULT 'USER' CONSTRAINT users_role_check CHECK (role IN ('USER', 'ADMIN')),
    created_at       timestamptz NOT NULL DEFAULT now()
);
""")
