"""Event setup in a real Chromium: a registrar creates a theme day from nothing (a careless date
first, shown at its field), adds a category, publishes it, and a visitor registers on the
public form. Screenshots at 390 px and desktop go to /tmp for a person to look at."""

import pytest

from confops.demo.abs import load_demo
from confops.registration.tables import Order

pytestmark = pytest.mark.browser


async def test_registrar_sets_up_a_theme_day_and_a_visitor_registers(db, live_server, page, browser):
    await load_demo()
    await page.goto(live_server.url + "/staff/login")
    await page.get_by_label("E-mail").fill("registrar@example.org")
    await page.get_by_label("Password").fill("confops-demo")
    await page.get_by_role("button", name="Sign in").click()
    await page.goto(live_server.url + "/staff")
    await page.get_by_role("link", name="Set up events").click()
    await page.get_by_role("link", name="New event").click()
    await page.locator("#title").fill("Balint Theme Day in Denver")
    await page.locator("#kind").select_option("theme_day")
    await page.locator("#description").fill("**Two rounds** of Balint groups.\n\n<script>alert(1)</script>")
    await page.locator("#timezone").select_option("America/Denver")
    await page.locator("#starts_at").fill("2031-06-04T09:00")
    await page.locator("#ends_at").fill("2031-06-03T16:00")
    await page.locator("#venue_name").fill("Denver Convention Center")
    await page.get_by_role("button", name="Create draft").click()
    error = page.locator("#ends_at-error")
    await error.wait_for()
    assert "must end after it starts" in await error.inner_text()
    await page.screenshot(path="/tmp/i25-event-new-error-desktop.png", full_page=True)
    await page.locator("#ends_at").fill("2031-06-04T16:00")
    await page.get_by_role("button", name="Create draft").click()
    await page.locator("#publish-problems").wait_for()
    await page.locator("#code").fill("member")
    await page.locator("#label").fill("ABS member")
    await page.locator("#regular").fill("150")
    await page.get_by_role("button", name="Add category").click()
    await page.get_by_role("button", name="Publish").click()
    await page.get_by_text("Status: Open").wait_for()
    await page.screenshot(path="/tmp/i25-event-edit-desktop.png", full_page=True)
    phone = await browser.new_context(viewport={"width": 390, "height": 844})
    small = await phone.new_page()
    await small.goto(live_server.url + "/events/balint-theme-day-in-denver")
    await small.get_by_text("Two rounds").wait_for()
    assert await small.locator("script:text('alert(1)')").count() == 0
    await small.screenshot(path="/tmp/i25-event-public-390.png", full_page=True)
    await phone.close()
    await page.goto(live_server.url + "/events/balint-theme-day-in-denver")
    await page.get_by_role("link", name="Register").click()
    await page.get_by_label("ABS member").check()
    await page.get_by_label("First name").fill("Dana")
    await page.get_by_label("Last name").fill("Denver")
    await page.get_by_label("E-mail").fill("dana@example.org")
    await page.get_by_role("button", name="Review").click()
    await page.get_by_role("button", name="Confirm registration").click()
    await page.locator("#status").wait_for()
    order = await Order.select().where(Order.buyer_email == "dana@example.org").first()
    assert order is not None and order["total_cents"] == 15000
