"""Query parameters every paginated list takes (`limit`, `offset`), bounded the same everywhere."""

from typing import Annotated

from litestar.params import QueryParameter

Limit = Annotated[int, QueryParameter(ge=1, le=100, description="page size (1..100)")]
Offset = Annotated[int, QueryParameter(ge=0, description="items to skip")]
