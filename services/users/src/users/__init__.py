"""TicketHub users service."""
