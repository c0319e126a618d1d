"""Swagger UI whose JavaScript, CSS and icon every service serves itself: the docs work with no internet."""

from pathlib import Path

from litestar import Router
from litestar.datastructures import CacheControlHeader
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.static_files import create_static_files_router
from swagger_ui_bundle import swagger_ui_path

# Named after the Swagger UI version it holds ("swagger-ui-5.31.0"), and so is the files' URL: a new
# version is a new URL, so browsers may keep a version's files for good.
SWAGGER_UI_FILES: Path = swagger_ui_path
_VERSIONED_FILES = CacheControlHeader(public=True, max_age=365 * 24 * 60 * 60, immutable=True)


def swagger_ui(docs_path: str) -> tuple[SwaggerRenderPlugin, Router]:
    """The Swagger UI page for the OpenAPI document at `docs_path`, and the router serving what it loads.

    The files are served below `docs_path`, so whatever routes a service's docs to it (the entrypoint, the
    Ingress) routes them too.
    """
    assets = f"{docs_path}/assets/{SWAGGER_UI_FILES.name}"
    page = SwaggerRenderPlugin(
        path="/",
        js_url=f"{assets}/swagger-ui-bundle.js",
        css_url=f"{assets}/swagger-ui.css",
        standalone_preset_js_url=f"{assets}/swagger-ui-standalone-preset.js",
        favicon=f"<link rel='icon' type='image/png' href='{assets}/favicon-32x32.png'>",
    )
    files = create_static_files_router(
        path=assets,
        directories=[SWAGGER_UI_FILES],
        name="swagger-ui-assets",
        cache_control=_VERSIONED_FILES,
    )
    return page, files
