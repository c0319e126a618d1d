"""Persistence of the catalog: tables, queries and SQL migrations."""
