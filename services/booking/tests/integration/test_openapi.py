"""The booking API's OpenAPI document is complete (the rules are tickethub.testing.openapi's)."""

import pytest
from litestar import Litestar

from tickethub.testing import assert_openapi_complete

pytestmark = pytest.mark.integration


async def test_the_openapi_document_is_complete(app: Litestar) -> None:
    """The suite's own app: building another would bind the tables (bind_tables is global) to another
    database under every test module that runs after this one."""
    assert_openapi_complete(app)
