"""HTTP API of payment: the caller's payments."""
