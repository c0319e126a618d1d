"""Users' adapters to the outside world: the signing keys, the Redis login limits and password hashing."""
