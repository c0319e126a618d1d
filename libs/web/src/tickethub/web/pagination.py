"""Query parameters every paginated list takes (`limit`, `offset`), bounded the same everywhere, and the
page fields every list answers with."""

from typing import Annotated

from litestar.params import QueryParameter
from msgspec import Meta

Limit = Annotated[int, QueryParameter(ge=1, le=100, description="page size (1..100)")]
Offset = Annotated[int, QueryParameter(ge=0, description="items to skip")]

# The page fields every list answers with, documented (and exemplified) once.
PageTotal = Annotated[int, Meta(description="every item that matches, across all pages", examples=[42])]
PageLimit = Annotated[int, Meta(description="the page size asked for", examples=[50])]
PageOffset = Annotated[int, Meta(description="items skipped before this page", examples=[0])]
