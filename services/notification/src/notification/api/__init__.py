"""Notification has no public HTTP API: only the health endpoints every service gets."""
