"""A real browser for tests: Debian's Chromium, driven by Playwright.

Playwright's own browser download is not reachable from these machines, so it launches the system's
Chromium (installed on first use). Screenshots go to TICKETHUB_TEST_ARTIFACTS (default
`test-artifacts/` in the repository), where a person looks at them after a run.
"""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from playwright.async_api import Page, ViewportSize, async_playwright

from tickethub.stack.install import apt_install, find_command
from tickethub.stack.routes import repo_root

# No background traffic: the machine's network is closed, and Chromium retries refused connections
# (updates, sync, Google's hosts) at every start.
_FLAGS = [
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT: ViewportSize = {"width": 1440, "height": 900}


def ensure_chromium() -> Path:
    if (chromium := find_command("chromium")) is None:
        apt_install("chromium", ["chromium"])
        chromium = find_command("chromium")
    assert chromium is not None, "Debian's chromium package installed no chromium command"
    return chromium


def artifacts_dir() -> Path:
    directory = Path(os.environ.get("TICKETHUB_TEST_ARTIFACTS", repo_root() / "test-artifacts"))
    directory.mkdir(parents=True, exist_ok=True)
    return directory


@asynccontextmanager
async def browser_page() -> AsyncIterator[Page]:
    """A fresh page in headless Chromium (a new profile each time)."""
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=ensure_chromium(), args=_FLAGS)
        try:
            page = await browser.new_page(viewport=VIEWPORT)
            yield page
        finally:
            await browser.close()


async def screenshot(page: Page, name: str) -> Path:
    """The whole page as `<artifacts>/<name>.png`."""
    path = artifacts_dir() / f"{name}.png"
    await page.screenshot(path=path, full_page=True)
    return path
