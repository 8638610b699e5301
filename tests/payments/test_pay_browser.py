"""The issue's "done when" in a real Chromium: an attendee pays for the demo meeting, the
order is confirmed by localstripe's signed webhook (the Payment Element step is confirmed
server-side at localstripe: the browser cannot load Stripe.js here), the receipt PDF reads
back with the right figures, and a staff refund shows on the order and the receipt."""

import io
import re

import pytest
from pypdf import PdfReader

from confops.core.money import money
from confops.demo.abs import load_demo
from confops.registration.tables import Order
from tests.payments.test_stripe_flow import confirm_at_localstripe

pytestmark = pytest.mark.browser


async def receipt_text(page, url: str) -> str:
    response = await page.request.get(url)
    assert response.ok and response.headers["content-type"] == "application/pdf"
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(await response.body())).pages)


async def test_attendee_pays_by_card_gets_receipt_and_sees_a_staff_refund(db, stripe_server, localstripe, page):
    await load_demo()
    await page.goto(stripe_server.url + "/events/abs-national-meeting")
    await page.get_by_role("link", name="Register").click()
    await page.get_by_label(re.compile("^Member")).check()
    await page.get_by_label("First name").fill("Paula")
    await page.get_by_label("Last name").fill("Payer")
    await page.get_by_label("E-mail").fill("paula@example.org")
    await page.get_by_label("Is this your first ABS meeting?").select_option("no")
    await page.get_by_role("button", name="Review").click()
    await page.get_by_role("button", name="Confirm registration").click()
    await page.locator("#status").wait_for()
    assert await page.locator("#status").inner_text() == "awaiting payment"
    order = await Order.select().where(Order.buyer_email == "paula@example.org").first()
    total = money(order["total_cents"], order["currency"])

    await page.get_by_role("link", name="Pay now").click()
    intent_id = await page.locator("#checkout").get_attribute("data-intent")
    assert intent_id.startswith("pi_")
    paid = await confirm_at_localstripe(localstripe, intent_id, "pm_card_visa")  # the Payment Element's step
    assert paid.json()["status"] == "succeeded"
    # The page polls /payment.json until the webhook's word arrives (about a second).
    await page.get_by_text("Paid: your registration is confirmed.").wait_for(timeout=20000)
    assert await page.locator("#status").inner_text() == "confirmed"

    await page.reload()
    assert await page.locator("#paid").inner_text() == total
    receipt_url = stripe_server.url + await page.locator("#receipt").get_attribute("href")
    text = await receipt_text(page, receipt_url)
    assert "American Balint Society" in text and "501(c)(3)" in text and "Paula Payer" in text
    assert re.search(r"Total\s*" + re.escape(total), text) and re.search(r"Balance due\s*\$0\.00", text)

    await page.goto(stripe_server.url + "/staff/login")
    await page.get_by_label("E-mail").fill("registrar@example.org")
    await page.get_by_label("Password").fill("confops-demo")
    await page.get_by_role("button", name=re.compile("Sign in")).click()
    await page.goto(f"{stripe_server.url}/staff/orders/{order['id']}/payments")
    await page.locator("#refund_amount").fill("100.00")
    await page.locator("#refund_reason").fill("Could not attend the workshop day")
    await page.locator("#refund").click()
    await page.locator("#notice").wait_for()
    assert await page.locator("#refunded").inner_text() == "$100.00"

    await page.goto(receipt_url.replace("receipt.pdf", "pay"))
    assert "Could not attend the workshop day" in await page.locator("#ledger").inner_text()
    text = await receipt_text(page, receipt_url)
    net = money(order["total_cents"] - 10000, order["currency"])
    assert "Could not attend the workshop day" in text and "−$100.00" in text
    assert re.search(r"Net paid\s*" + re.escape(net), text)
