"""Ids are UUIDs, opaque to clients: made here, and read from paths and bodies here.

A path segment that is not an id names nothing, so the caller answers it as it answers an id it does
not know (404), never as a server error. Only the canonical 8-4-4-4-12 form is an id: Python's
`UUID()` would also take 32 bare hex digits, braces or a `urn:uuid:` prefix, and each of those would
then name the same resource under a second spelling.
"""

import re
from uuid import UUID, uuid4

_CANONICAL = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)


def new_id() -> UUID:
    return uuid4()


def parse_id(text: str) -> UUID | None:
    """The id `text` spells, or None when it spells no id."""
    return UUID(text) if _CANONICAL.fullmatch(text) else None
