"""Notification's database: the e-mails sent, one per booking outcome event."""
