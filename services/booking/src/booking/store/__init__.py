"""Booking's PostgreSQL, the truth: bookings and their seats, the read model of shows, idempotency keys."""
