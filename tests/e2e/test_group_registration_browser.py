"""A department registers two colleagues in a real Chromium without running any page script:
"Add another attendee" posts the form back, each attendee has their own category, the buyer
does not attend; then one colleague is cancelled from the order page with the refund shown."""

import pytest

from confops.demo.abs import load_demo
from confops.registration.tables import Attendee, Order

pytestmark = pytest.mark.browser


async def test_group_order_without_javascript_then_cancel_one(db, live_server, browser):
    await load_demo()
    context = await browser.new_context(java_script_enabled=False)
    page = await context.new_page()
    await page.goto(live_server.url + "/events/abs-national-meeting/register")
    await page.get_by_label("ABS member").check()
    await page.locator("#first_name").fill("Mo")
    await page.locator("#last_name").fill("Member")
    await page.locator("#email").fill("mo@example.org")
    await page.locator("#answer_first_meeting").select_option("no")
    await page.get_by_role("button", name="Add another attendee").click()
    await page.get_by_label("Category of attendee 2").select_option("resident")
    await page.get_by_label("First name (attendee 2)").fill("Rae")
    await page.get_by_label("Last name (attendee 2)").fill("Resident")
    await page.get_by_label("E-mail (attendee 2)").fill("rae@example.org")
    await page.locator("#a1_answer_first_meeting").select_option("yes")
    await page.get_by_label("Buyer's name").fill("Family Medicine Dept")
    await page.get_by_label("Buyer's email address").fill("dept@example.org")
    assert await page.locator("#first_name").input_value() == "Mo"  # kept across the post-back
    await page.get_by_role("button", name="Review").click()
    assert "Rae Resident" in await page.locator("#line-2").inner_text()
    await page.get_by_role("button", name="Confirm registration").click()
    await page.locator("#status").wait_for()

    order = await Order.select().where(Order.buyer_email == "dept@example.org").first()
    people = await Attendee.select(Attendee.first_name, Attendee.category.code.as_alias("cat")).where(
        Attendee.order == order["id"]).order_by(Attendee.id)
    assert [(p["first_name"], p["cat"]) for p in people] == [("Mo", "member"), ("Rae", "resident")]

    await page.get_by_role("button", name="Cancel only Rae…").click()
    assert "Cancelling Rae refunds" in await page.locator("#attendee-refund").inner_text()
    await page.get_by_role("button", name="Yes, cancel Rae").click()
    assert "The attendee is cancelled" in await page.locator("#notice").inner_text()
    rae = await Attendee.select(Attendee.status).where(Attendee.email == "rae@example.org").first()
    assert rae["status"] == "cancelled"
    assert (await Order.select(Order.status).where(Order.id == order["id"]).first())["status"] == "awaiting_payment"
    await context.close()
