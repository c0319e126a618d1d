"""Booking's adapters to the outside world: the Redis seat holds racing buyers meet first."""
