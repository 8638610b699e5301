"""The pre-event reminder and the payment reminders are not only for online series: a national
meeting, a theme day and a course each remind from the settings staff typed on the
event set-up page, once per person, and not at all when staff turned them off."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from confops.core import clock
from confops.core.tables import OutboxMessage
from confops.events.tables import Event
from confops.payments.service import record_manual_payment
from confops.registration.reminders import send_payment_reminders, send_pre_event_reminders
from confops.registration.tables import Attendee, Order
from tests.events.setup_form import form_values
from tests.registration.test_staff import sign_in
from tests.support.http import post_form

KINDS = {"abs-national-meeting": 10, "balint-theme-day": 5,
         "balint-leadership-course": 4}


@pytest.fixture
def settings(settings):
    return dataclasses.replace(settings, stripe_secret_key="", stripe_webhook_secret="", stripe_api_base="")


async def _order(client, slug: str, email: str, method: str) -> dict:
    body = {"buyer_name": "Rae Minder", "buyer_email": email, "idempotency_key": f"remind-{slug}-{email}"[:60],
            "payment_method": method,
            "attendees": [{"category": "member", "email": email, "first_name": "Rae", "last_name": "Minder",
                           "answers": {"first_meeting": "no"}}]}
    r = await client.post(f"/api/v1/events/{slug}/orders", json=body)
    assert r.status_code == 201, (slug, r.text)
    return r.json()


async def _keys(prefix: str) -> set[str]:
    return {r["dedupe_key"] for r in await OutboxMessage.select(OutboxMessage.dedupe_key).where(
        OutboxMessage.dedupe_key.like(prefix + "%"))}


async def test_every_kind_of_event_reminds_from_its_own_settings(client, demo):
    await sign_in(client, "registrar@example.org")
    for slug, days in KINDS.items():
        values = form_values((await client.get(f"/staff/events/{slug}/edit")).text)
        r = await post_form(client, f"/staff/events/{slug}/edit", {**values, "pre_event_days": str(days),
                                                                  "payment_term_days": "21", "reminder_days": "9"})
        assert r.status_code == 303, (slug, r.text[:300])
    client.cookies.clear()
    for slug, days in KINDS.items():
        event = await Event.select().where(Event.slug == slug).first()
        paid = await _order(client, slug, f"paid-{days}@example.org", "cheque")
        await record_manual_payment(paid["id"], method="cheque", amount_cents=paid["total_cents"], reference=f"C1 {slug}",
                                    recorded_by=None)
        attendee = (await Attendee.select(Attendee.id).where(Attendee.order == paid["id"]).first())["id"]
        key = f"pre-event:{attendee}:{event['starts_at'].isoformat()}"
        with clock.frozen_at(event["starts_at"] - timedelta(days=days, minutes=1)):
            await send_pre_event_reminders()  # a little more than `days` before: not yet
            assert key not in await _keys("pre-event:"), slug
        with clock.frozen_at(event["starts_at"] - timedelta(days=days) + timedelta(minutes=1)):
            await send_pre_event_reminders()
            assert key in await _keys("pre-event:"), slug
            assert await send_pre_event_reminders() == 0, slug  # run twice, queued once

    # the payment reminder of an unpaid invoice order, 9 days before its 21-day term ends
    slug = "balint-leadership-course"
    start = clock.now()
    with clock.frozen_at(start):
        unpaid = await _order(client, slug, "unpaid@example.org", "invoice")
    order = await Order.select().where(Order.id == unpaid["id"]).first()
    event = await Event.select().where(Event.slug == slug).first()
    assert order["expires_at"] == min(start + timedelta(days=21), event["starts_at"])
    due = order["expires_at"]
    with clock.frozen_at(due - timedelta(days=9, minutes=5)):
        await send_payment_reminders()
        assert not await _keys(f"payment-reminder:{order['id']}:")
    with clock.frozen_at(due - timedelta(days=9) + timedelta(minutes=5)):
        await send_payment_reminders()
        await send_payment_reminders()
        assert len(await _keys(f"payment-reminder:{order['id']}:")) == 1


async def test_no_pre_event_reminder_when_staff_turn_it_off(client, demo):
    await sign_in(client, "registrar@example.org")
    slug = "balint-theme-day"
    values = form_values((await client.get(f"/staff/events/{slug}/edit")).text)
    assert (await post_form(client, f"/staff/events/{slug}/edit", {**values, "pre_event_days": "0"})).status_code == 303
    client.cookies.clear()
    paid = await _order(client, slug, "quiet@example.org", "cheque")
    await record_manual_payment(paid["id"], method="cheque", amount_cents=paid["total_cents"], reference="C2",
                                recorded_by=None)
    event = await Event.select().where(Event.slug == slug).first()
    with clock.frozen_at(event["starts_at"] - timedelta(hours=2)):
        await send_pre_event_reminders()
    attendee = (await Attendee.select(Attendee.id).where(Attendee.order == paid["id"]).first())["id"]
    assert not await _keys(f"pre-event:{attendee}:")
