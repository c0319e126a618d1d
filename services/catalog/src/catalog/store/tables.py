"""Piccolo tables of the catalog database (the DDL, with its constraints, lives in migrations/)."""

from piccolo.columns import JSONB, UUID, ForeignKey, Integer, SmallInt, Text, Timestamptz, Varchar
from piccolo.table import Table


class Movie(Table, tablename="movies"):
    id = UUID(primary_key=True)
    title = Varchar(length=200)
    duration_minutes = Integer()
    language = Varchar(length=50, null=True)
    genre = Varchar(length=50, null=True)
    description = Text(null=True)
    created_at = Timestamptz()


class Theatre(Table, tablename="theatres"):
    id = UUID(primary_key=True)
    name = Varchar(length=200)
    city = Varchar(length=100)
    address = Varchar(length=500, null=True)
    created_at = Timestamptz()


class Hall(Table, tablename="halls"):
    id = UUID(primary_key=True)
    theatre = ForeignKey(Theatre, db_column_name="theatre_id")
    name = Varchar(length=100)
    created_at = Timestamptz()


class Seat(Table, tablename="seats"):
    hall = ForeignKey(Hall, db_column_name="hall_id")
    seat_id = Varchar(length=8)
    row_index = SmallInt()
    row_name = Varchar(length=3)
    number = SmallInt()
    category = Varchar(length=32)


class Show(Table, tablename="shows"):
    id = UUID(primary_key=True)
    movie = ForeignKey(Movie, db_column_name="movie_id")
    hall = ForeignKey(Hall, db_column_name="hall_id")
    starts_at = Timestamptz()
    ends_at = Timestamptz()
    hall_released_at = Timestamptz()
    hold_seconds = Integer()
    prices = JSONB()
    seat_count = Integer()
    status = Varchar(length=16)
    revision = Integer()
    created_at = Timestamptz()
    updated_at = Timestamptz()


TABLES = (Movie, Theatre, Hall, Seat, Show)
