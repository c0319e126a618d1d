"""Does a service's Swagger UI page load only files that service serves itself? The docs must work offline."""

import re
from html.parser import HTMLParser
from pathlib import PurePosixPath
from urllib.parse import urlsplit

import httpx

# What each kind of file the page loads must be served as; a script served as text/plain is not run.
ASSET_CONTENT_TYPES = {
    ".js": ("text/javascript", "application/javascript"),
    ".css": ("text/css",),
    ".png": ("image/png",),
}
A_DAY_IN_SECONDS = 24 * 60 * 60


class _LoadedFiles(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        url = dict(attrs).get({"script": "src", "link": "href"}.get(tag, ""))
        if url:
            self.urls.append(url)


def loaded_files(html: str) -> list[str]:
    """The URLs of the scripts, styles and icons a page loads."""
    parser = _LoadedFiles()
    parser.feed(html)
    return parser.urls


async def assert_swagger_ui_self_hosted(http: httpx.AsyncClient, docs_path: str) -> None:
    """Every file the Swagger UI page at `docs_path` loads is below `docs_path` on the same origin, and `http`
    (which sends no token) gets each one from there, with its content type and a long cache lifetime."""
    page = await http.get(docs_path)
    assert page.status_code == 200, page.text
    urls = loaded_files(page.text)
    kinds = {PurePosixPath(urlsplit(url).path).suffix for url in urls}
    assert {".js", ".css"} <= kinds, f"the page loads no script or no style: {urls}"
    elsewhere = [url for url in urls if urlsplit(url).netloc or not url.startswith(f"{docs_path}/")]
    assert not elsewhere, f"the page loads files from elsewhere: {elsewhere}"
    for url in urls:
        response = await http.get(url)
        assert response.status_code == 200, f"{url}: {response.status_code}"
        assert response.content, f"{url} is empty"
        content_type = response.headers["content-type"]
        expected = ASSET_CONTENT_TYPES.get(PurePosixPath(url).suffix, ())
        assert content_type.startswith(expected), f"{url} served as {content_type}"
        cache_control = response.headers.get("cache-control", "")
        max_age = re.search(r"max-age=(\d+)", cache_control)
        assert max_age, f"{url} has no cache lifetime: {cache_control!r}"
        assert int(max_age[1]) >= A_DAY_IN_SECONDS, f"{url} is hardly cached: {cache_control!r}"
