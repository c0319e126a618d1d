"""The booking API's OpenAPI document is complete (the rules are tickethub.testing.openapi's)."""

import pytest
from litestar import Litestar

from booking.app import create_app
from booking.settings import Settings
from tickethub.testing import Infrastructure, assert_openapi_complete, service_environment

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def app(infra: Infrastructure, jwks_url: str) -> Litestar:
    """Built, never started: reading the document needs no server."""
    environment = service_environment(infra, "booking", jwks_url=jwks_url)
    return create_app(Settings(**environment, REDIS_URL=infra.redis_url))


async def test_the_openapi_document_is_complete(app: Litestar) -> None:
    assert_openapi_complete(app)
