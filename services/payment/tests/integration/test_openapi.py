"""The payment API's OpenAPI document is complete (the rules are tickethub.testing.openapi's)."""

import pytest
from litestar import Litestar

from tickethub.testing import assert_openapi_complete

pytestmark = pytest.mark.integration


async def test_the_openapi_document_is_complete(app: Litestar) -> None:
    assert_openapi_complete(app)
