"""Swagger UI comes with its own files: no CDN, so the docs render on a machine without internet."""

from collections.abc import AsyncIterator

import httpx
import pytest

from tickethub.settings import ProcessSettings
from tickethub.testing import client_of
from tickethub.testing.swagger import assert_swagger_ui_self_hosted, loaded_files
from tickethub.web.app import create_service_app, docs_path
from tickethub.web.swagger import SWAGGER_UI_FILES


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    app = create_service_app(
        service="shop", settings=ProcessSettings(), description="a shop", route_handlers=[]
    )
    async with client_of(app) as http:
        yield http


async def test_the_page_loads_only_files_the_service_serves(client: httpx.AsyncClient) -> None:
    await assert_swagger_ui_self_hosted(client, docs_path("shop"))


async def test_the_files_are_versioned_so_a_new_swagger_ui_is_a_new_url(client: httpx.AsyncClient) -> None:
    page = await client.get(docs_path("shop"))

    versioned = f"/docs/shop/assets/{SWAGGER_UI_FILES.name}/"
    assert f"{versioned}swagger-ui-bundle.js" in loaded_files(page.text)
    assert SWAGGER_UI_FILES.name.startswith("swagger-ui-5.")  # the first major version that reads OpenAPI 3.1
    response = await client.get(f"{versioned}swagger-ui-bundle.js")
    assert "immutable" in response.headers["cache-control"]
