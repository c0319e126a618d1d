"""Booking's side of the saga over Kafka: the read model, payment results, and the hold sweep."""
