"""Payment's HTTP API: a thin controller that reads the caller's payments through a use case."""
