"""Booking's HTTP API: thin controllers over the domain and the store."""
