"""Piccolo tables of the booking database (DDL in migrations/)."""

from piccolo.columns import JSONB, UUID, BigSerial, Integer, Numeric, Text, Timestamptz, Varchar
from piccolo.table import Table


class Booking(Table, tablename="bookings"):
    id = UUID(primary_key=True)
    user_id = Varchar(length=64)
    user_email = Varchar(length=320)
    user_name = Varchar(length=200, default="")
    show_id = Varchar(length=64)
    status = Varchar(length=16)
    amount = Numeric(digits=(12, 2))
    currency = Varchar(length=3)
    payment_token = Text(null=True)
    hold_expires_at = Timestamptz()
    created_at = Timestamptz()
    updated_at = Timestamptz()


class BookingSeat(Table, tablename="booking_seats"):
    id = BigSerial(primary_key=True)
    booking_id = UUID()
    show_id = Varchar(length=64)
    seat_id = Varchar(length=16)
    status = Varchar(length=16)


class ShowReadModel(Table, tablename="shows"):
    show_id = Varchar(length=64, primary_key=True)
    revision = Integer()
    status = Varchar(length=16)
    movie_title = Text()
    starts_at = Timestamptz()
    hold_seconds = Integer()
    prices = JSONB()
    seat_categories = JSONB()
    updated_at = Timestamptz()


TABLES = (Booking, BookingSeat, ShowReadModel)
