"""HTTP interface of the users service: registration, login, the caller's account and the JWKS."""
