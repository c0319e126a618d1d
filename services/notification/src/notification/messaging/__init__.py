"""Kafka handlers of notification: one e-mail per booking outcome."""
