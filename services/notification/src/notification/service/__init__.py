"""Notification's use cases, one function each, called by the Kafka handlers.

Each opens its own transaction (`context.uow.transaction()`), checks the inbox for the message it
handles, calls the domain, writes the store and talks to its adapters, and commits.
"""
