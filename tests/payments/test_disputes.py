"""charge.dispute.created: the handler re-reads the dispute from Stripe (localstripe has no
disputes, so tests/payments/localstripe_disputes.py answers for them in front of it), flags
the order once, tells staff and the payer, and the staff payments page shows the flag."""

from __future__ import annotations

import dataclasses

import pytest

from confops.accounts.tables import Organizer
from confops.core.tables import OutboxMessage
from confops.events.tables import Event
from confops.payments import ledger
from confops.payments.tables import Dispute, WebhookEvent
from tests.payments.localstripe_disputes import DisputeFront
from tests.payments.stripe_events import dispute, event
from tests.payments.test_webhooks import paid_intent, post_event
from tests.speakers.people import staff_sign_in


@pytest.fixture(scope="session")
def dispute_front(localstripe):
    front = DisputeFront(localstripe)
    front.start()
    yield front
    front.stop()


@pytest.fixture
def settings(settings, dispute_front):
    return dataclasses.replace(settings, stripe_api_base=dispute_front.url)


async def test_a_dispute_is_read_from_stripe_flagged_once_and_shown_to_staff(client, localstripe, dispute_front):
    order_id, intent = await paid_intent(localstripe)
    await post_event(client, event("payment_intent.succeeded", {"id": intent.id, "object": "payment_intent"}))
    total = (await ledger.order_row(order_id))["total_cents"]
    await Organizer.update({Organizer.email: "office@society.example"}, force=True)

    # Signed, but Stripe knows no such dispute: nothing is flagged (kept for a retry, with the reason).
    invented = event("charge.dispute.created", dispute(intent.id, total, "dp_invented"), event_id="evt_dp_x")
    assert (await post_event(client, invented)).status_code == 200
    assert await Dispute.count() == 0
    row = await WebhookEvent.select().where(WebhookEvent.event_id == "evt_dp_x").first()
    assert row["processed_at"] is None and "No such dispute" in row["error"]

    dispute_front.open_dispute("dp_real", intent.id, total, "fraudulent")
    # The event's copy claims another amount and reason: Stripe's word (re-read) is what is kept.
    flagged = event("charge.dispute.created", {**dispute(intent.id, 1, "dp_real"), "reason": "duplicate"},
                    event_id="evt_dp")
    for _ in range(3):
        assert (await post_event(client, flagged)).status_code == 200
    rows = await Dispute.select().where(Dispute.order == order_id)
    assert [(r["provider_id"], r["amount_cents"], r["reason"]) for r in rows] == [("dp_real", total, "fraudulent")]
    assert (await ledger.balance_of(await ledger.order_row(order_id))).disputed
    mail = await OutboxMessage.select(OutboxMessage.to_address).where(OutboxMessage.dedupe_key.like("dispute:%"))
    assert sorted(m["to_address"] for m in mail) == ["buyer@example.org", "office@society.example"]


async def test_staff_see_the_dispute_on_the_payments_page(client, demo, localstripe, dispute_front):
    from confops.payments.gateway import stripe
    from confops.payments.service import settle_intent, start_checkout
    from tests.payments.test_staff_pages import demo_order
    from tests.payments.test_stripe_flow import confirm_at_localstripe

    placed = await demo_order("disputed-payer")
    intent = await start_checkout(placed.id)
    await confirm_at_localstripe(localstripe, intent.id, "pm_card_visa")
    await settle_intent(await stripe().read_intent(intent.id))
    dispute_front.open_dispute("dp_staff", intent.id, placed.total_cents)
    assert (await post_event(client, event("charge.dispute.created", dispute(intent.id, 1, "dp_staff")))).status_code == 200

    event_row = await Event.select().where(Event.slug == "abs-national-meeting").first()
    await staff_sign_in(client, "registrar@example.org")
    listing = await client.get(f"/staff/events/{event_row['id']}/payments")
    assert listing.status_code == 200
    row = listing.text.split(f'id="order-{placed.id}"')[1].split("</tr>")[0]
    assert "disputed" in row
    order_page = await client.get(f"/staff/orders/{placed.id}/payments")
    assert order_page.status_code == 200 and 'id="disputed"' in order_page.text
    assert "dp_staff" in order_page.text and "fraudulent" in order_page.text
