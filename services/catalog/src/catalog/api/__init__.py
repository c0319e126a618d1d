"""Catalog's HTTP API: thin controllers that turn requests into use cases and their answers back."""
