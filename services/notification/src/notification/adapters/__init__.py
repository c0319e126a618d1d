"""Notification's adapters to the outside world: the SMTP server that delivers the e-mails."""
