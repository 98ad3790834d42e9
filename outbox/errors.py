class PermanentError(Exception):
    """Delivery can never succeed (e.g. the mail server refuses the address): no more attempts."""
