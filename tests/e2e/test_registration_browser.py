"""The issue's "done when" journey in a real Chromium: register for the demo meeting as a
resident with the workshop and a code, get the confirmation e-mail with a QR that decodes,
change an answer, cancel with the right refund shown."""

import asyncio
import io
import re
import time

import PIL.Image
import pytest
import zxingcpp

from confops.demo.abs import load_demo
from confops.registration.config import configure
from confops.registration.orders import confirm_order
from confops.registration.tables import Attendee, Order
from tests.conftest import TEST_SECRET
from tests.registration.factory import door_accepts
from tests.support.smtp import body_text

pytestmark = pytest.mark.browser


async def test_register_confirm_mail_edit_and_cancel(db, live_server, page, inbox):
    await load_demo()
    await page.goto(live_server.url + "/events/abs-national-meeting")
    await page.get_by_role("link", name="Register").click()
    await page.get_by_label("Resident / student / fellow").check()
    await page.get_by_label("First name").fill("Rosa")
    await page.get_by_label("Last name").fill("Resident")
    await page.get_by_label("E-mail").fill("rosa@example.org")
    await page.get_by_label("Pronouns").select_option("she/her")
    await page.get_by_label("Accessibility needs").fill("Step-free access, please")
    await page.get_by_label("Is this your first ABS meeting?").select_option("yes")
    await page.get_by_label(re.compile("Pre-conference workshop")).check()
    await page.get_by_label("Discount or scholarship code").fill("balint10")
    await page.get_by_role("button", name="Review").click()
    total = await page.locator("#total").inner_text()
    assert total == "$546.00"  # early-bird resident 440 − 10 % + workshop 150
    await page.get_by_role("button", name="Confirm registration").click()
    await page.locator("#status").wait_for()
    assert await page.locator("#status").inner_text() == "awaiting payment"

    order = await Order.select().where(Order.buyer_email == "rosa@example.org").first()
    assert order["total_cents"] == 54600
    # What the payments issue does in the server when Stripe says paid (same secret and URL here):
    configure(base_url=live_server.url, hold_minutes=30, offer_hours=48, secret=TEST_SECRET)
    assert await confirm_order(order["id"])
    # The order's acknowledgement (sent when it was placed unpaid) may arrive first: the QR is in
    # the confirmation, and the society's logo is a PNG in every mail.
    mail = await asyncio.to_thread(_confirmation, inbox, "rosa@example.org")
    text = body_text(mail)
    assert "Pre-conference workshop" in text and "$546.00" in text
    decoded = [code for part in mail.walk() if part.get_content_type() == "image/png"
               for code in zxingcpp.read_barcodes(PIL.Image.open(io.BytesIO(part.get_content())))]
    rosa = await Attendee.select(Attendee.id).where(Attendee.email == "rosa@example.org").first()
    assert decoded and await door_accepts(decoded[0].text) == rosa["id"]  # the scanner's own verifier
    link = next(w for w in text.split() if "/orders/" in w)

    await page.goto(link)
    await page.get_by_text("Change answers").click()
    await page.get_by_label("Dietary needs").fill("Vegetarian")
    await page.get_by_role("button", name="Save answers").click()
    await page.locator("#notice").wait_for()
    dietary = await Attendee.select(Attendee.dietary).where(Attendee.email == "rosa@example.org").first()
    assert dietary["dietary"] == "Vegetarian"

    await page.get_by_role("button", name="Cancel registration…").click()
    refund = await page.locator("#refund").inner_text()
    assert "$436.80" in refund  # more than 60 days before the meeting: 80 % of $546.00
    await page.get_by_role("button", name="Yes, cancel my registration").click()
    await page.locator("#notice").wait_for()
    assert "Refund: $436.80" in await page.locator("#notice").inner_text()
    assert (await Order.select(Order.status).where(Order.id == order["id"]).first())["status"] == "cancelled"


def _confirmation(inbox, address: str, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in inbox.to(address):
            if message["Subject"].startswith("Registration confirmed"):
                return message
        time.sleep(0.05)
    raise AssertionError(f"no confirmation to {address}: {[m['Subject'] for m in inbox.to(address)]}")
