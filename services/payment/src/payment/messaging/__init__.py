"""Kafka handlers of payment: charge on BookingRequested, refund on RefundRequested."""
