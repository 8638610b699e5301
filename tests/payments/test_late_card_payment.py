"""A card payment that Stripe reports after the order expired follows the same rule as a cheque
recorded late by staff: reinstated if its places are free, otherwise kept as "paid, no place"
on the staff payments page (one-click refund), buyer and staff told; never refunded behind the
staff's back. Webhooks are signed with the Stripe SDK's own test header and posted over HTTP;
the intents are real ones at localstripe, so the handler's re-read is real too."""

from __future__ import annotations

from datetime import timedelta

from stripe import WebhookSignature

from confops.accounts.tables import Organizer
from confops.core import clock
from confops.core.tables import OutboxMessage
from confops.events.tables import Event
from confops.payments import ledger
from confops.payments.invoices import number_of
from confops.payments.service import start_checkout
from confops.payments.tables import Payment, Refund, WebhookEvent
from confops.registration.consistency import check
from confops.registration.holds import release_expired
from confops.registration.tables import Attendee, EventSales, Order
from tests.payments.conftest import WEBHOOK_SECRET
from tests.payments.stripe_events import event
from tests.payments.test_staff_pages import demo_order, sign_in
from tests.payments.test_stripe_flow import confirm_at_localstripe
from tests.support.http import post_form


async def deliver(client, payload: bytes):
    header = WebhookSignature.generate_signature_header(payload.decode(), WEBHOOK_SECRET)
    answer = await client.post("/webhooks/stripe", content=payload,
                               headers={"Stripe-Signature": header, "Content-Type": "application/json"})
    assert answer.status_code == 200, answer.text
    return answer.json()["received"]


async def paid_then_expired(localstripe: str, key: str) -> tuple[dict, str]:
    """An order paid at Stripe whose success reaches us only after its hold expired."""
    placed = await demo_order(key)
    intent = await start_checkout(placed.id)
    await confirm_at_localstripe(localstripe, intent.id, "pm_card_visa")
    await Order.update({Order.expires_at: clock.now() - timedelta(minutes=1)}).where(Order.id == placed.id)
    assert await release_expired() >= 1
    return await ledger.order_row(placed.id), intent.id


async def state() -> tuple:
    return (await Payment.count().where(Payment.status == "succeeded"), await Refund.count(),
            await OutboxMessage.count(), tuple(r["status"] for r in await Order.select(Order.status).order_by(Order.id)),
            tuple(r["sold"] for r in await EventSales.select(EventSales.sold).order_by(EventSales.id)))


def succeeded(intent_id: str, event_id: str) -> bytes:
    return event("payment_intent.succeeded", {"id": intent_id, "object": "payment_intent", "status": "succeeded"},
                 event_id=event_id)


async def test_a_late_card_payment_whose_places_are_gone_is_paid_no_place_not_refunded(client, demo, localstripe):
    await Organizer.update({Organizer.email: "office@society.example"}, force=True)
    order, intent_id = await paid_then_expired(localstripe, "late-card")
    sold = (await EventSales.select(EventSales.sold).where(EventSales.event == order["event"]).first())["sold"]
    await Event.update({Event.capacity: sold}).where(Event.id == order["event"])  # sold out meanwhile

    assert await deliver(client, succeeded(intent_id, "evt_late_success")) == "stored"
    assert (await WebhookEvent.select(WebhookEvent.error).first())["error"] == ""
    row = await ledger.order_row(order["id"])
    assert row["status"] == "expired"
    assert not await Refund.exists().where(Refund.order == order["id"])  # kept for staff to decide, not sent back on its own
    money = await ledger.balance_of(row)
    assert money.held_cents == order["total_cents"] and money.due_cents == 0
    assert await number_of(order["id"]) is None  # never confirmed: no invoice number used up
    told = await OutboxMessage.select(OutboxMessage.to_address, OutboxMessage.subject).where(
        OutboxMessage.dedupe_key.like("no-place:%"))
    assert sorted(m["to_address"] for m in told) == ["late-card@example.org", "office@society.example"]
    assert all("no longer free" in m["subject"] for m in told)
    assert await check() == []

    # The same delivery again, and Stripe's success once more under another event id: nothing moves.
    before = await state()
    assert await deliver(client, succeeded(intent_id, "evt_late_success")) == "replay"
    assert await deliver(client, succeeded(intent_id, "evt_late_success_again")) == "stored"
    assert await state() == before

    await sign_in(client, "registrar@example.org")
    listing = await client.get(f"/staff/events/{order['event']}/payments")
    stranded = listing.text.split('id="no-place"')[1].split("</section>")[0]
    assert f'id="no-place-{order["id"]}"' in stranded and "Refund $" in stranded
    history = (await client.get(f"/staff/orders/{order['id']}/payments")).text.split('id="history"')[1]
    assert "Paid $" in history and "by card" in history and "no longer free” to late-card@example.org" in history
    refund = await post_form(client, f"/staff/orders/{order['id']}/refunds",
                             {"refund_amount": f"{order['total_cents'] / 100:.2f}",
                              "refund_reason": "Paid after the order expired; no place left"},
                             page=f"/staff/events/{order['event']}/payments")
    assert refund.status_code == 200 and "The refund was recorded." in refund.text
    [back] = await Refund.select().where(Refund.order == order["id"])
    assert back["provider_id"].startswith("re_") and back["amount_cents"] == order["total_cents"]
    listing = await client.get(f"/staff/events/{order['event']}/payments")
    assert f'id="no-place-{order["id"]}"' not in listing.text
    assert await check() == []


async def test_a_late_card_payment_with_its_places_free_reinstates_the_order_once(client, demo, localstripe):
    order, intent_id = await paid_then_expired(localstripe, "late-free")
    sold = (await EventSales.select(EventSales.sold).where(EventSales.event == order["event"]).first())["sold"]

    assert await deliver(client, succeeded(intent_id, "evt_free_success")) == "stored"
    row = await ledger.order_row(order["id"])
    assert row["status"] == "confirmed" and await number_of(order["id"]) is not None
    assert {a["status"] for a in await Attendee.select(Attendee.status).where(Attendee.order == order["id"])} == {
        "active"}
    assert (await EventSales.select(EventSales.sold).where(EventSales.event == order["event"]).first())["sold"] == sold + 1
    assert await OutboxMessage.exists().where(OutboxMessage.dedupe_key.like(f"confirmation:{order['id']}:%"))
    assert not await Refund.exists().where(Refund.order == order["id"]) and await check() == []

    before = await state()
    assert await deliver(client, succeeded(intent_id, "evt_free_success")) == "replay"
    assert await deliver(client, succeeded(intent_id, "evt_free_success_again")) == "stored"
    assert await state() == before
