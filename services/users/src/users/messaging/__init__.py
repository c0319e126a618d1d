"""Kafka wiring of the users service: none. Identity is served over HTTP, and other services verify
tokens with the published JWKS, so no event needs to leave this service."""
