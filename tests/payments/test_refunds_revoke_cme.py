"""A refund made in Stripe's dashboard reaches confops as a signed charge.refunded event; at a CME
event it takes the certificate away only when nothing is left paid (issue 23), the same rule
as a refund staff record. The learner pays a real PaymentIntent at localstripe."""

from __future__ import annotations

from confops.cme.tables import Certificate
from confops.payments.service import start_checkout
from confops.registration.config import CONFIG
from confops.registration.intake import AttendeeIn, OrderIn
from confops.registration.orders import place_order
from confops.registration.tables import Order
from tests.cme.support import SLUG, evaluated_and_claimed
from tests.payments.stripe_events import event, refunded
from tests.payments.test_stripe_flow import confirm_at_localstripe
from tests.payments.test_webhooks import post_event, refund_at_stripe


async def status_of(client, serial: str) -> str:
    return (await client.get(f"/api/v1/certificates/{serial}")).json()["status"]


async def test_a_refund_in_stripe_revokes_the_certificate_only_once_nothing_is_left_paid(client, demo, localstripe):
    placed = await place_order(SLUG, OrderIn(buyer_name="River Stone", buyer_email="river@example.org",
                                             idempotency_key="card-learner-river", attendees=[AttendeeIn(
                                                 category="member", email="river@example.org", first_name="River",
                                                 last_name="Stone", credentials="MD",
                                                 answers={"first_meeting": "yes"})]),
                               hold_minutes=30, base_url=CONFIG.base_url)
    intent = await start_checkout(placed.id)
    await confirm_at_localstripe(localstripe, intent.id, "pm_card_visa")
    r = await post_event(client, event("payment_intent.succeeded", {"id": intent.id, "object": "payment_intent"}))
    assert r.status_code == 200
    order = await Order.select().where(Order.id == placed.id).first()
    assert order["status"] == "confirmed"
    cert = await evaluated_and_claimed("river@example.org", codes=("P1",), credit="1")

    goodwill = await refund_at_stripe(localstripe, intent.id, 1000)
    await post_event(client, event("charge.refunded", refunded(intent.id, (goodwill, 1000))))
    assert await status_of(client, cert["serial"]) == "valid"  # still paid, less 10.00

    rest = order["total_cents"] - 1000
    remainder = await refund_at_stripe(localstripe, intent.id, rest)
    await post_event(client, event("charge.refunded", refunded(intent.id, (goodwill, 1000), (remainder, rest))))
    assert await status_of(client, cert["serial"]) == "revoked"
    row = await Certificate.select().where(Certificate.id == cert["id"]).first()
    assert row["revoked_reason"] == "Registration refunded: Refunded in Stripe"
