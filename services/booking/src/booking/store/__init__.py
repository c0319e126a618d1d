"""Booking's persistence: PostgreSQL (the truth) and Redis seat holds (the fast first line)."""
