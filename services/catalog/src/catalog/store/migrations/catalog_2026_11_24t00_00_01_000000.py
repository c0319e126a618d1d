from tickethub.db.migrations import sql_migration

ID = "2026-11-24T00:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "movies, theatres, halls, seat layouts and shows, with no two shows of a hall overlapping"

forwards = sql_migration(app="catalog", migration_id=ID, description=DESCRIPTION, sql="""
-- btree_gist lets one exclusion constraint combine "same hall" (=) with "overlapping time" (&&).
-- It is a trusted extension (PostgreSQL 13+): the database owner may create it without superuser.
CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE movies (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    title            varchar(200) NOT NULL CHECK (btrim(title) <> ''),
    duration_minutes integer NOT NULL CHECK (duration_minutes BETWEEN 1 AND 600),
    language         varchar(50),
    genre            varchar(50),
    description      text CHECK (length(description) <= 4000),
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX movies_listing ON movies (created_at, id);

CREATE TABLE theatres (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name       varchar(200) NOT NULL CHECK (btrim(name) <> ''),
    city       varchar(100) NOT NULL CHECK (btrim(city) <> ''),
    address    varchar(500),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX theatres_listing ON theatres (created_at, id);
CREATE INDEX theatres_city ON theatres (lower(city));

CREATE TABLE halls (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    theatre_id uuid NOT NULL REFERENCES theatres (id),
    name       varchar(100) NOT NULL CHECK (btrim(name) <> ''),
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT halls_theatre_name UNIQUE (theatre_id, name)
);

CREATE TABLE seats (
    hall_id   uuid NOT NULL REFERENCES halls (id) ON DELETE CASCADE,
    seat_id   varchar(8) NOT NULL,
    row_index smallint NOT NULL CHECK (row_index >= 0),
    row_name  varchar(3) NOT NULL CHECK (row_name ~ '^[A-Z0-9]{1,3}$'),
    number    smallint NOT NULL CHECK (number BETWEEN 1 AND 100),
    category  varchar(32) NOT NULL CHECK (category ~ '^[A-Z_]{1,32}$'),
    CONSTRAINT seats_hall_seat UNIQUE (hall_id, seat_id),
    CONSTRAINT seats_id_is_row_and_number CHECK (seat_id = row_name || number::text)
);
CREATE INDEX seats_layout_order ON seats (hall_id, row_index, number);

CREATE TABLE shows (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    movie_id         uuid NOT NULL REFERENCES movies (id),
    hall_id          uuid NOT NULL REFERENCES halls (id),
    starts_at        timestamptz NOT NULL,
    ends_at          timestamptz NOT NULL,
    -- ends_at plus the cleaning gap; stored because timestamptz + interval is not immutable and
    -- so cannot appear in the exclusion constraint itself.
    hall_released_at timestamptz NOT NULL,
    hold_seconds     integer NOT NULL CHECK (hold_seconds BETWEEN 60 AND 3600),
    prices           jsonb NOT NULL CHECK (jsonb_typeof(prices) = 'object' AND prices <> '{}'::jsonb),
    seat_count       integer NOT NULL CHECK (seat_count > 0),
    status           varchar(16) NOT NULL CHECK (status IN ('SCHEDULED', 'CANCELLED')),
    revision         integer NOT NULL DEFAULT 1 CHECK (revision >= 1),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CHECK (starts_at < ends_at AND ends_at <= hall_released_at),
    -- The final guard against double-scheduling a hall, even for requests that race.
    CONSTRAINT shows_hall_not_double_booked EXCLUDE USING gist (
        hall_id WITH =, tstzrange(starts_at, hall_released_at, '[)') WITH &&
    ) WHERE (status = 'SCHEDULED')
);
CREATE INDEX shows_listing ON shows (starts_at, id);
CREATE INDEX shows_movie ON shows (movie_id, starts_at);
""")
