"""Staff money pages over HTTP: payments list and balances, refund and manual-payment forms,
reconciliation CSV against localstripe, and who may use them."""

from __future__ import annotations

import csv
import io

from confops.events.tables import Event
from confops.payments import ledger
from confops.payments.gateway import stripe
from confops.payments.service import settle_intent, start_checkout
from confops.registration.intake import AttendeeIn, OrderIn
from confops.registration.orders import place_order
from tests.payments.test_stripe_flow import confirm_at_localstripe
from tests.support.http import post_form


async def sign_in(client, email: str) -> None:
    r = await post_form(client, "/staff/login", {"email": email, "password": "confops-demo", "next": "/staff"},
                        page="/staff/login")
    assert r.status_code == 303, r.text


async def demo_order(key: str, category: str = "member"):
    attendee = AttendeeIn(category=category, email=f"{key}@example.org", first_name="Pat", last_name="Payer",
                          answers={"first_meeting": "yes"})
    return await place_order("abs-national-meeting", OrderIn(buyer_name="Pat Payer", buyer_email=f"{key}@example.org",
                                                             attendees=[attendee], idempotency_key=key),
                             hold_minutes=30, base_url="http://testserver.local")


async def test_registrar_sees_balances_refunds_and_reconciles(client, demo, localstripe):
    event = await Event.select().where(Event.slug == "abs-national-meeting").first()
    card = await demo_order("card-payer")
    intent = await start_checkout(card.id)
    await confirm_at_localstripe(localstripe, intent.id, "pm_card_visa")
    await settle_intent(await stripe().read_intent(intent.id))
    unpaid = await demo_order("cheque-payer")

    await sign_in(client, "registrar@example.org")
    listing = await client.get(f"/staff/events/{event['id']}/payments")
    assert listing.status_code == 200
    assert f'id="order-{card.id}"' in listing.text and f'id="order-{unpaid.id}"' in listing.text

    refund = await post_form(client, f"/staff/orders/{card.id}/refunds", {"refund_amount": "50.00", "refund_reason": "Goodwill"},
                             page=f"/staff/orders/{card.id}/payments")
    assert refund.status_code == 200 and "The refund was recorded." in refund.text and "Goodwill" in refund.text
    too_much = await post_form(client, f"/staff/orders/{card.id}/refunds",
                               {"refund_amount": str(card.total_cents), "refund_reason": "All of it"})
    assert too_much.status_code == 409
    no_reason = await post_form(client, f"/staff/orders/{card.id}/refunds", {"refund_amount": "1", "refund_reason": ""})
    assert no_reason.status_code == 422 and "Say why" in no_reason.text
    money = await ledger.balance_of(await ledger.order_row(card.id))
    assert (money.paid_cents, money.refunded_cents) == (card.total_cents, 5000)

    over = await post_form(client, f"/staff/orders/{unpaid.id}/manual-payments",
                           {"payment_method": "cheque", "payment_amount": f"{unpaid.total_cents / 100 + 1:.2f}",
                            "payment_reference": "Chq 76"})
    assert over.status_code == 422 and "more than the" in over.text
    cheque = await post_form(client, f"/staff/orders/{unpaid.id}/manual-payments",
                             {"payment_method": "cheque", "payment_amount": f"{unpaid.total_cents / 100:.2f}",
                              "payment_reference": "Chq 77"},
                             page=f"/staff/orders/{unpaid.id}/payments")
    assert cheque.status_code == 200 and "Chq 77" in cheque.text
    assert (await ledger.order_row(unpaid.id))["status"] == "confirmed"

    recon = await client.get(f"/staff/events/{event['id']}/reconciliation.csv")
    assert recon.status_code == 200 and recon.headers["content-type"].startswith("text/csv")
    rows = {r["payment_intent"]: r for r in csv.DictReader(io.StringIO(recon.text))}
    assert rows[intent.id]["state"] == "matched" and rows[intent.id]["order"] == str(card.id)
    pdf = await client.get(f"/staff/orders/{card.id}/receipt.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


async def test_check_in_staff_cannot_refund_and_visitors_must_sign_in(client, demo):
    placed = await demo_order("someone")
    assert (await client.get(f"/staff/orders/{placed.id}/payments")).status_code == 303
    await sign_in(client, "checkin@example.org")
    assert (await client.get(f"/staff/orders/{placed.id}/payments")).status_code == 403
    r = await post_form(client, f"/staff/orders/{placed.id}/manual-payments",
                        {"payment_method": "door", "payment_amount": "10", "payment_reference": "x"}, page="/staff")
    assert r.status_code == 403
    assert (await ledger.balance_of(await ledger.order_row(placed.id))).paid_cents == 0
