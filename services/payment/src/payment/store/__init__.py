"""Payment's database, the truth: payments, refunds and early refund requests; queries and migrations."""
