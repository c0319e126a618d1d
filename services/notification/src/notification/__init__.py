"""TicketHub notification service."""
