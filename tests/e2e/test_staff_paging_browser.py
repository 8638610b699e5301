"""Staff lists page by keyboard alone with their filters and sort in the address (issue 29):
on the badge list and the payments list a registrar chooses filters with the keyboard, submits
with Enter, then presses Tab until "Next →" of the list's pager has the focus and Enter again;
page 2 keeps every filter, and Back returns to page 1."""

import pytest

from confops.demo.abs import load_demo
from confops.events.tables import Event
from tests.support.grow import grow

pytestmark = pytest.mark.browser
SLUG = "abs-national-meeting"


async def _tab_to(page, nav: str, name: str, limit: int = 120) -> None:
    """Tab (never a click or focus()) until the link `name` inside the navigation `nav` has the focus."""
    for _ in range(limit):
        await page.keyboard.press("Tab")
        focused = await page.evaluate(
            "() => { const a = document.activeElement; const n = a && a.closest('nav');"
            " return [a ? a.textContent.trim() : '', n ? n.getAttribute('aria-label') : '']; }")
        if focused == [name, nav]:
            return
    raise AssertionError(f"Tab never reached {name!r} in {nav!r}")


async def test_badges_and_payments_page_by_keyboard_with_the_filters_kept(db, live_server, page):
    await load_demo()
    await grow(SLUG, 130)
    event_id = (await Event.select(Event.id).where(Event.slug == SLUG).first())["id"]
    await page.goto(live_server.url + "/staff/login")
    await page.get_by_label("E-mail").fill("registrar@example.org")
    await page.get_by_label("Password").fill("confops-demo")
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url("**/staff**")

    await page.goto(f"{live_server.url}/staff/events/{SLUG}/badges/")
    await page.get_by_label("Role").focus()
    await page.keyboard.press("ArrowDown")  # Everyone → Attendee, the first role
    await page.get_by_label("Not yet printed").focus()
    await page.keyboard.press("Space")
    await page.get_by_label("Name").focus()
    await page.keyboard.press("Enter")
    await page.get_by_text("Showing 1–50 of").first.wait_for()
    assert "role=attendee" in page.url and "not_printed=1" in page.url
    await _tab_to(page, "Badge pages", "Next →")
    await page.keyboard.press("Enter")
    await page.get_by_text("Showing 51–").first.wait_for()
    assert "role=attendee" in page.url and "not_printed=1" in page.url and "page=2" in page.url
    assert await page.get_by_label("Not yet printed").is_checked()
    assert await page.get_by_label("Role").input_value() == "attendee"
    await page.go_back()
    await page.get_by_text("Showing 1–50 of").first.wait_for()

    await page.goto(f"{live_server.url}/staff/events/{event_id}/payments?sort=oldest")
    await page.get_by_label("Order status").select_option("pending")
    await page.get_by_label("Search by buyer, e-mail or order number").focus()
    await page.keyboard.press("Enter")
    await page.get_by_text("Showing 1–").first.wait_for()
    assert "status=pending" in page.url and "sort=oldest" in page.url
    await _tab_to(page, "Order pages", "Next →")
    await page.keyboard.press("Enter")
    await page.get_by_text("Showing 51–").first.wait_for()
    assert "status=pending" in page.url and "sort=oldest" in page.url and "page=2" in page.url
    await page.screenshot(path="/tmp/confops-payments-page2-desktop.png")
    await page.set_viewport_size({"width": 390, "height": 844})
    await page.screenshot(path="/tmp/confops-badges-payments-390.png")
