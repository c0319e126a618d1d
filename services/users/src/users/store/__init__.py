"""Persistence of accounts in the users service's own PostgreSQL database."""
