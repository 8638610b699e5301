"""Stripe's webhooks: verify, store once by event id, then act.

The inbox row is written before anything else, keyed by Stripe's event id (unique), so a
replay is answered 200 and changes nothing. Processing runs inline after storing and again
from the worker for anything left unprocessed (a crash, Stripe unreachable). Payment intents
are re-read from Stripe (and a charge's refunds listed there, a dispute read there), so the
action follows Stripe's current word, not the event's order. An event type confops does not act
on is stored too, marked ignored (not an error, never retried), so staff can see what arrived.
"""

from __future__ import annotations

import json
import logging

from confops.core import clock
from confops.db import insert_or_ignore, transaction
from confops.payments import gateway as gateways
from confops.payments.tables import Dispute, Payment, WebhookEvent

log = logging.getLogger("confops.payments.webhooks")

HANDLED = frozenset({
    "payment_intent.succeeded", "payment_intent.payment_failed", "payment_intent.canceled",
    "charge.refunded", "charge.dispute.created",
})


async def receive(payload: bytes, signature: str) -> str:
    """Returns "stored", "replay" or "ignored"; raises BadSignature (→ 400)."""
    stripe = gateways.require_stripe()
    envelope = stripe.verify_webhook(payload, signature)
    ignored = envelope.type not in HANDLED
    stored = await insert_or_ignore(WebhookEvent(
        event_id=envelope.id, type=envelope.type[:80], payload=payload.decode(), error="",
        processed_at=clock.now() if ignored else None, outcome="ignored" if ignored else ""))
    if stored is None:  # delivered before, or by a concurrent delivery
        return "replay"
    if ignored:
        log.info("ignored Stripe event %s of type %s", envelope.id, envelope.type)
        return "ignored"
    await process(envelope.id)
    return "stored"


async def process(event_id: str) -> bool:
    """Handle one stored event; claiming it first makes two workers never run it together."""
    now = clock.now()
    claimed = await WebhookEvent.update({WebhookEvent.attempts: WebhookEvent.attempts + 1,
                                         WebhookEvent.processed_at: now}).where(
        (WebhookEvent.event_id == event_id) & WebhookEvent.processed_at.is_null()).returning(
        WebhookEvent.type, WebhookEvent.payload)
    if not claimed:
        return False
    try:
        await _handle(claimed[0]["type"], json.loads(claimed[0]["payload"])["data"]["object"])
    except Exception as exc:  # kept for the worker to retry; the reason is visible to staff
        log.warning("Stripe event %s failed: %s", event_id, exc)
        await WebhookEvent.update({WebhookEvent.processed_at: None,
                                   WebhookEvent.error: f"{type(exc).__name__}: {exc}"[:2000]}).where(
            WebhookEvent.event_id == event_id)
        return False
    await WebhookEvent.update({WebhookEvent.error: "", WebhookEvent.outcome: "handled"}).where(
        WebhookEvent.event_id == event_id)
    return True


async def process_pending(limit: int = 50) -> int:
    """Worker job: retry events that were stored but not handled."""
    if gateways.stripe() is None:
        return 0
    rows = await WebhookEvent.select(WebhookEvent.event_id).where(
        WebhookEvent.processed_at.is_null() & (WebhookEvent.attempts < 20)).order_by(WebhookEvent.id).limit(limit)
    done = 0
    for row in rows:
        done += await process(row["event_id"])
    return done


async def _handle(kind: str, obj: dict) -> None:
    from confops.payments.refunds import record_provider_refund
    from confops.payments.service import settle_intent

    if kind.startswith("payment_intent."):
        intent = await gateways.require_stripe().read_intent(obj["id"])
        await settle_intent(intent)
    elif kind == "charge.refunded":
        # Re-read: record the refunds Stripe lists for the intent now (each once), not the
        # event's copy, which may be older than a refund already recorded.
        intent_id = str(obj.get("payment_intent") or "")
        if not await Payment.exists().where(Payment.provider_id == intent_id):
            log.warning("charge.refunded for %r, not one of our payments", intent_id)
            return
        for refund in await gateways.require_stripe().list_refunds(intent_id):
            if refund.status in ("succeeded", "pending"):
                await record_provider_refund(intent_id, refund.id, refund.amount_cents)
    elif kind == "charge.dispute.created":
        await _flag_dispute(str(obj.get("id") or ""))


async def _flag_dispute(dispute_id: str) -> None:
    """Re-read the dispute from Stripe (a signed event naming one Stripe does not know changes
    nothing), then flag its order for staff and tell staff and the payer, once."""
    from confops.payments.ledger import order_row
    from confops.payments.notices import tell_staff_and_payer

    dispute = await gateways.require_stripe().read_dispute(dispute_id)
    payment = await Payment.select().where(Payment.provider_id == dispute.intent_id).first()
    if payment is None:
        log.warning("dispute %s is on %r, not one of our payments", dispute.id, dispute.intent_id)
        return
    async with transaction():
        if await insert_or_ignore(Dispute(order=payment["order"], provider_id=dispute.id,
                                          amount_cents=dispute.amount_cents, reason=dispute.reason[:100])) is None:
            return  # flagged already
        order = await order_row(payment["order"])
        await tell_staff_and_payer(order, "A card payment is disputed", "payment_disputed", {},
                                   dedupe=f"dispute:{dispute.id}")

