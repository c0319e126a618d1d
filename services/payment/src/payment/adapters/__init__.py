"""Payment's adapters to the outside world: the card processor that moves the money."""
