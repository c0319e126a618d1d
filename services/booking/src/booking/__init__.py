"""TicketHub booking service."""
