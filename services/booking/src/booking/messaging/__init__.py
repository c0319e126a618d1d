"""Booking's side of the saga over Kafka: thin subscriptions that call the use cases."""
