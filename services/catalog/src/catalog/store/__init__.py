"""Catalog's PostgreSQL: movies, theatres, halls and their seats, and shows; one store class each."""
