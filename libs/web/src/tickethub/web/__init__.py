"""HTTP plumbing every TicketHub service shares: app defaults, problem+json errors and health."""
