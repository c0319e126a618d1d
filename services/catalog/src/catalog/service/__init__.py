"""Catalog's use cases, one function each, called alike by the HTTP API and the demo catalog command.

A use case that writes more than one statement opens its own transaction (`context.uow.transaction()`),
locks what it must (the hall before anything scheduled in it), calls the domain, writes the stores and
the outbox, and commits; a single-statement write is atomic on its own. Reads need no transaction.
"""
