"""A signed-in person's receipts and invoices (/account/receipts): only orders billed to them,
each PDF read back with the organizer, the 501(c)(3) note, the invoice number, lines,
discount, payments, refunds and balance; others' order ids answer 404; staff download any."""

from __future__ import annotations

from confops.core.money import money
from confops.payments import ledger
from confops.payments.invoices import number_of
from confops.registration.intake import AttendeeIn, OrderIn
from confops.registration.orders import place_order
from confops.registration.tables import Order
from tests.payments.test_money import pdf_text as raw_text
from tests.speakers.people import sign_in, staff_sign_in


def pdf_text(data: bytes) -> str:
    """The PDF's words on one line (labels and their amounts are drawn apart)."""
    return " ".join(raw_text(data).split())


async def demo_order(key: str) -> dict:
    from confops.events.tables import Event
    from confops.registration.order_decision import scoped_key

    meeting = await Event.select(Event.id).where(Event.slug == "abs-national-meeting").first()
    return await Order.select().where(Order.idempotency_key == scoped_key(meeting["id"], key)).first()


async def test_attendee_lists_and_downloads_only_their_own_receipts(client, demo):
    cheque, invoiced = await demo_order("demo-order-1"), await demo_order("demo-order-2")
    unpaid = await place_order("abs-national-meeting", OrderIn(
        buyer_name="Morgan Reyes", buyer_email="morgan@example.org", idempotency_key="morgan-second", code="BALINT10",
        attendees=[AttendeeIn(category="member", email="morgan@example.org", first_name="Morgan", last_name="Reyes",
                              answers={"first_meeting": "no"})]), hold_minutes=30, base_url="http://testserver.local")

    assert (await client.get("/account/receipts")).status_code in (303, 401)  # sign in first
    await sign_in(client, "morgan@example.org")
    listing = await client.get("/account/receipts")
    assert listing.status_code == 200
    number = await number_of(cheque["id"])
    assert number and f'id="receipt-{cheque["id"]}"' in listing.text and number in listing.text
    assert f'id="receipt-{unpaid.id}"' in listing.text and "pro-forma" in listing.text
    assert f'id="receipt-{invoiced["id"]}"' not in listing.text  # billed to someone else
    assert f'/account/orders/{cheque["id"]}/receipt.pdf' in listing.text

    pdf = await client.get(f"/account/orders/{cheque['id']}/receipt.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = pdf_text(pdf.content)
    total = money(cheque["total_cents"], "USD")
    for expected in ("American Balint Society", "Colbert, WA", "501(c)(3)", f"Invoice and receipt no. {number}",
                     "Morgan Reyes", "Cheque (Cheque 2041)", f"Total {total}", f"Paid {total}",
                     "Balance due $0.00"):
        assert expected in text, expected
    # the society's name and postal address once each, above the receipt
    head = text.split(" is a 501(c)(3)")[0]
    assert head.count("Colbert") == 1 and head.count("American Balint Society") == 2, head  # name, then "<name> is a"

    proforma = pdf_text((await client.get(f"/account/orders/{unpaid.id}/receipt.pdf")).content)
    assert "Pro-forma invoice" in proforma and "Discount BALINT10" in proforma
    assert f"Balance due {money(unpaid.total_cents, 'USD')}" in proforma and "no. " not in proforma
    assert "No goods or services were provided other than registration for the event named below." in proforma

    for foreign in (invoiced["id"], 999999):
        assert (await client.get(f"/account/orders/{foreign}/receipt.pdf")).status_code == 404


async def test_refund_shows_on_the_payers_receipt_and_staff_download_any(client, demo):
    invoiced = await demo_order("demo-order-2")
    balance = await ledger.balance_of(invoiced)
    assert (balance.paid_cents, balance.refunded_cents) == (invoiced["total_cents"], 2500)
    await sign_in(client, "office@example.org")
    text = pdf_text((await client.get(f"/account/orders/{invoiced['id']}/receipt.pdf")).content)
    net = money(invoiced["total_cents"] - 2500, "USD")
    for expected in ("Refund: The ABS book was out of print", "−$25.00", "Refunded $25.00", f"Net paid {net}",
                     "Invoice (Bank transfer RPO-2027-118)", "Kai Nakamura", "Lena Fischer"):
        assert expected in text, expected
    # it bought add-ons, so the receipt must not say that nothing but registration was provided
    assert "No goods or services" not in text
    assert "Goods and services provided: registration for the event named below and " in text

    await staff_sign_in(client, "registrar@example.org")
    staff_pdf = await client.get(f"/staff/orders/{invoiced['id']}/receipt.pdf")
    assert staff_pdf.status_code == 200
    assert f"no. {await number_of(invoiced['id'])}" in pdf_text(staff_pdf.content)
    # a registrar's own account has no orders billed to it: the account route stays personal
    assert (await client.get(f"/account/orders/{invoiced['id']}/receipt.pdf")).status_code == 404
