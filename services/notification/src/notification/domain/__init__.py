"""Notification rules: what each booking outcome tells the buyer, as an e-mail. No I/O."""
