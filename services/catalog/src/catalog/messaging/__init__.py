"""What catalog tells other services over Kafka (it consumes nothing)."""
