"""TicketHub payment service."""
