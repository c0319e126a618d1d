"""When two booking requests are "the same" for an Idempotency-Key."""

import hashlib
import json
from collections.abc import Sequence

# Printable ASCII without spaces, as the IETF Idempotency-Key draft's examples and common clients use.
KEY_PATTERN = r"^[\x21-\x7e]{1,255}$"


def request_fingerprint(show_id: str, seats: Sequence[str], payment_token: str | None) -> str:
    """A digest of the parsed body: the same fields give the same digest, whatever the JSON spacing."""
    canonical = json.dumps([show_id, list(seats), payment_token], separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()
