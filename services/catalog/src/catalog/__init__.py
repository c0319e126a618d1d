"""TicketHub catalog service."""
