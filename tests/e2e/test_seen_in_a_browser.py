"""What a person looks at, in a real browser (Debian's Chromium): a booking's waterfall in the trace UI
that `make up` prints, and every service's Swagger UI. Screenshots land in the test artifacts."""

import re

import pytest
from playwright.async_api import Page, expect

from system import Api, saga_trace_in_zipkin
from tickethub.stack.local import BOOKING_ID_TAG, Stack
from tickethub.stack.routes import load_routes
from tickethub.testing.browser import browser_page, screenshot

pytestmark = pytest.mark.e2e

DOCUMENTED = sorted({route.service for route in load_routes()})


async def summary(page: Page, label: str) -> str:
    """A figure of the trace page's header (Duration, Services, Total Spans, Trace ID)."""
    value = page.get_by_text(label, exact=True).locator("xpath=following-sibling::div[1]")
    return await value.inner_text()


async def test_a_person_finds_a_booking_by_its_id_and_sees_its_saga_as_one_waterfall(
    api: Api, stack: Stack
) -> None:
    show = await api.create_show()
    _, token = await api.user_token()
    booking_id = (await api.book(token, show["id"], ["A2"])).json()["id"]
    await api.wait_for_status(token, booking_id, "CONFIRMED")
    spans = await saga_trace_in_zipkin(stack.zipkin.url, booking_id)  # stored whole before we look
    trace_id = spans[0]["traceId"]

    async with browser_page() as page:
        # The search `make up` prints, with the booking id pasted in; then what a person clicks.
        await page.goto(stack.zipkin.search_url(BOOKING_ID_TAG, booking_id))
        await page.get_by_role("button", name="Run query").click()
        await expect(page.get_by_text("1 Result", exact=True)).to_be_visible()
        await screenshot(page, "zipkin-search-by-booking-id")
        # The waterfall renders only the rows in view: tall enough for the whole saga.
        await page.set_viewport_size({"width": 1440, "height": 2400})
        await page.get_by_role("button", name="Show").click()

        await expect(page).to_have_url(re.compile(f"/zipkin/traces/{trace_id}$"))
        await expect(page.get_by_text("booking: post /bookings").first).to_be_visible()
        await screenshot(page, "zipkin-booking-waterfall")
        for service in ("payment", "notification"):
            await expect(page.get_by_text(re.compile(f"^{service}: ")).first).to_be_visible()
        # Every span the search returned, and any the saga's last steps exported since.
        assert int(await summary(page, "Total Spans")) >= len(spans)
        assert await summary(page, "Services") == str(len({s["localEndpoint"]["serviceName"] for s in spans}))


@pytest.mark.parametrize("service", DOCUMENTED)
async def test_each_services_swagger_ui_renders_its_operations(api: Api, service: str) -> None:
    document = (await api.http.get(f"/docs/{service}/openapi.json")).json()
    documented = sum(len(methods) for methods in document["paths"].values())
    async with browser_page() as page:
        await page.goto(str(api.http.base_url.join(f"/docs/{service}")))
        operations = page.locator(".opblock")
        await expect(operations.first).to_be_visible()
        assert await operations.count() == documented  # every operation of its document, rendered
        await expect(page.locator(".information-container .title")).to_contain_text(re.compile(service, re.I))
        await screenshot(page, f"swagger-ui-{service}")


async def test_the_entrypoint_opens_on_a_page_that_leads_to_the_docs_traces_and_mail(
    api: Api, stack: Stack
) -> None:
    async with browser_page() as page:
        await page.goto(str(api.http.base_url))
        await expect(page.get_by_role("heading", name="TicketHub")).to_be_visible()
        await screenshot(page, "entrypoint-index")
        for link in ("booking API", "Traces", "Mail", "Metrics", "Health"):
            await expect(page.get_by_role("link", name=link, exact=True)).to_be_visible()

        await page.get_by_role("link", name="Traces", exact=True).click()
        await expect(page).to_have_title("Zipkin")
        await page.go_back()
        await page.get_by_role("link", name="booking API", exact=True).click()
        await expect(page.locator(".opblock").first).to_be_visible()
