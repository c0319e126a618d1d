"""Payment rules: what the provider decides, and how a payment is announced. No I/O."""
