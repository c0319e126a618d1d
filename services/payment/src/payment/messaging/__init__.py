"""Payment's side of the saga over Kafka: thin subscriptions that call the charge and refund use cases."""
