"""Install and run TicketHub's real infrastructure (PostgreSQL, Redis, Kafka, Mailpit, Zipkin) as local
loopback processes, for `make up` (persistent data) and for tests (temporary data, free ports).

Linux only: it relies on Debian packages and on /proc to recognise its own processes.
"""
