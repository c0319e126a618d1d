"""Booking rules: what may be booked, what it costs, and how a booking moves through the saga."""
