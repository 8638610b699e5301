"""POST /webhooks/stripe with signed payloads: replays, out-of-order events, forgeries, and the
events localstripe does not send (refunds, disputes). Intents are real ones at localstripe, so
the handler's re-read from Stripe is real too."""

from __future__ import annotations

import json
import time

import httpx

from confops.core.tables import OutboxMessage
from confops.payments import ledger
from confops.payments.gateway import stripe
from confops.payments.service import start_checkout
from confops.payments.tables import Dispute, Payment, Refund, WebhookEvent
from confops.registration.tables import Order
from tests.payments.conftest import SECRET_KEY
from tests.payments.stripe_events import event, refunded, sign
from tests.payments.test_stripe_flow import awaiting_order, confirm_at_localstripe


async def post_event(client, payload: bytes, signature: str | None = None):
    return await client.post("/webhooks/stripe", content=payload,
                             headers={"Stripe-Signature": signature if signature is not None else sign(payload),
                                      "Content-Type": "application/json"})


async def counts() -> tuple:
    return (await WebhookEvent.count(), await Payment.count().where(Payment.status == "succeeded"),
            await Refund.count(), await Dispute.count(), await OutboxMessage.count(),
            tuple(r["status"] for r in await Order.select(Order.status).order_by(Order.id)))


async def paid_intent(localstripe: str, method: str = "pm_card_visa"):
    order_id, _ = await awaiting_order()
    intent = await start_checkout(order_id)
    await confirm_at_localstripe(localstripe, intent.id, method)
    return order_id, await stripe().read_intent(intent.id)


async def test_the_same_success_three_times_and_out_of_order_changes_state_once(client, localstripe):
    order_id, intent = await paid_intent(localstripe)
    obj = {"id": intent.id, "object": "payment_intent", "status": "succeeded"}
    succeeded = event("payment_intent.succeeded", obj, event_id="evt_success")
    # A stale "failed" event for the same intent arrives late, after the success: Stripe's
    # current word (re-read) is "succeeded", so it changes nothing.
    late_failure = event("payment_intent.payment_failed", {**obj, "status": "requires_payment_method"},
                         event_id="evt_failed_late")
    answers = [await post_event(client, succeeded) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert [a.json()["received"] for a in answers] == ["stored", "replay", "replay"]
    after_success = await counts()
    assert (await post_event(client, late_failure)).status_code == 200
    assert (await post_event(client, succeeded)).json()["received"] == "replay"
    order = await ledger.order_row(order_id)
    assert order["status"] == "confirmed"
    payment = await Payment.select().where(Payment.provider_id == intent.id).first()
    assert payment["status"] == "succeeded" and payment["message"] == ""
    after = await counts()
    assert after[1:] == after_success[1:]  # only the late event's inbox row was added
    money = await ledger.balance_of(order)
    assert money.paid_cents - money.refunded_cents == order["total_cents"] and money.due_cents == 0


async def test_failure_then_success_in_either_order_ends_confirmed(client, localstripe):
    order_id, intent = await paid_intent(localstripe)
    obj = {"id": intent.id, "object": "payment_intent"}
    success = event("payment_intent.succeeded", obj)
    failure = event("payment_intent.payment_failed", obj)
    await post_event(client, success)
    await post_event(client, failure)
    assert (await ledger.order_row(order_id))["status"] == "confirmed"


async def test_forged_stale_garbled_and_unknown_events_change_nothing(client, localstripe):
    order_id, intent = await paid_intent(localstripe)
    before = await counts()
    payload = event("payment_intent.succeeded", {"id": intent.id, "object": "payment_intent"})
    forged = await post_event(client, payload, sign(payload, secret="whsec_someone_else"))
    stale = await post_event(client, payload, sign(payload, at=int(time.time()) - 3600))
    unsigned = await post_event(client, payload, "")
    garbled = await post_event(client, b"{not json", sign(b"{not json"))
    tampered = await post_event(client, payload.replace(b"succeeded", b"succeedex"), sign(payload))
    assert [r.status_code for r in (forged, stale, unsigned, garbled, tampered)] == [400] * 5
    assert await counts() == before
    # An event type confops does not act on is kept (marked ignored, not an error), once.
    unknown_event = event("customer.created", {"id": "cus_1", "object": "customer"}, event_id="evt_unknown")
    unknown = await post_event(client, unknown_event)
    assert unknown.status_code == 200 and unknown.json()["received"] == "ignored"
    assert (await post_event(client, unknown_event)).json()["received"] == "replay"
    row = await WebhookEvent.select().where(WebhookEvent.event_id == "evt_unknown").first()
    assert (row["type"], row["outcome"], row["error"]) == ("customer.created", "ignored", "")
    assert row["processed_at"] is not None  # never picked up for retry
    assert await counts() == (before[0] + 1, *before[1:])
    assert (await ledger.order_row(order_id))["status"] == "awaiting_payment"


async def refund_at_stripe(localstripe: str, intent_id: str, amount: int) -> str:
    """A refund made in Stripe's dashboard (outside confops); localstripe sends no event for it."""
    async with httpx.AsyncClient() as http:
        r = await http.post(f"{localstripe}/v1/refunds", data={"payment_intent": intent_id, "amount": amount},
                            headers={"Authorization": f"Bearer {SECRET_KEY}"})
    assert r.status_code == 200, r.text
    return r.json()["id"]


async def test_refund_events_are_recorded_once(client, localstripe):
    order_id, intent = await paid_intent(localstripe)
    await post_event(client, event("payment_intent.succeeded", {"id": intent.id, "object": "payment_intent"}))
    total = (await ledger.order_row(order_id))["total_cents"]
    re_a = await refund_at_stripe(localstripe, intent.id, 5000)
    first = event("charge.refunded", refunded(intent.id, (re_a, 5000)), event_id="evt_r1")
    re_b = await refund_at_stripe(localstripe, intent.id, 2000)
    # Stripe's next charge.refunded lists every refund so far: re_a must not count twice.
    second = event("charge.refunded", refunded(intent.id, (re_a, 5000), (re_b, 2000)), event_id="evt_r2")
    # A signed event naming a refund Stripe does not know is not taken at its word.
    invented = event("charge.refunded", refunded(intent.id, ("re_invented", total)), event_id="evt_r3")
    for payload in (second, first, first, second, invented):
        assert (await post_event(client, payload)).status_code == 200
    refunds = await Refund.select(Refund.provider_id, Refund.amount_cents).order_by(Refund.amount_cents)
    assert [(r["provider_id"], r["amount_cents"]) for r in refunds] == [(re_b, 2000), (re_a, 5000)]
    money = await ledger.balance_of(await ledger.order_row(order_id))
    assert (money.paid_cents, money.refunded_cents, money.net_cents) == (total, 7000, total - 7000)



async def test_a_stored_event_that_failed_is_processed_by_the_worker_job(client, localstripe):
    from confops.payments.webhooks import process_pending

    order_id, intent = await paid_intent(localstripe)
    payload = event("payment_intent.succeeded", {"id": intent.id, "object": "payment_intent"}, event_id="evt_w")
    await WebhookEvent(event_id="evt_w", type="payment_intent.succeeded", payload=payload.decode(), error="").save()
    assert (await ledger.order_row(order_id))["status"] == "awaiting_payment"
    assert await process_pending() == 1
    assert (await ledger.order_row(order_id))["status"] == "confirmed"
    assert await process_pending() == 0
    row = await WebhookEvent.select().where(WebhookEvent.event_id == "evt_w").first()
    assert row["processed_at"] is not None and json.loads(row["payload"])["id"] == "evt_w"


async def test_the_same_event_delivered_four_times_at_once_is_stored_once(client, localstripe):
    import asyncio

    payload = event("customer.created", {"id": "cus_1", "object": "customer"}, event_id="evt_at_once")
    answers = await asyncio.gather(*(post_event(client, payload) for _ in range(4)))
    assert [a.status_code for a in answers] == [200] * 4, [a.text for a in answers]
    assert sorted(a.json()["received"] for a in answers) == ["ignored"] + ["replay"] * 3
    assert await WebhookEvent.count().where(WebhookEvent.event_id == "evt_at_once") == 1
