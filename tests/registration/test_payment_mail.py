"""Every unpaid order is acknowledged (how to pay, by when), reminded before its due date and
told when it expires; confirmed attendees get a reminder before the event. Read from the real
SMTP server, with time moved by the project's clock (issue 24)."""

from __future__ import annotations

import dataclasses
import io
import re
from datetime import timedelta

import pytest
import zxingcpp
from PIL import Image

from confops.core import clock
from confops.core.tables import OutboxMessage
from confops.events.tables import AgendaItem, Event, Session
from confops.payments.service import record_manual_payment
from confops.registration.holds import release_expired
from confops.registration.orders import place_order
from confops.registration.reminders import (
    reminder_due,
    send_payment_reminders,
    send_pre_event_reminders,
)
from confops.registration.tables import Attendee, EventSales, Order
from tests.registration.factory import door_accepts, make_event, order, person
from tests.registration.test_pages import FORM, form_token
from tests.support.http import links_in, post_form
from tests.support.smtp import body_html, body_text


@pytest.fixture
def settings(settings):
    return dataclasses.replace(settings, stripe_secret_key="", stripe_webhook_secret="", stripe_api_base="")


def test_only_the_nearest_reminder_and_none_for_an_order_placed_inside_its_window():
    now = clock.now()
    due = now + timedelta(days=5)
    assert reminder_due([7, 2], now=now, created_at=now - timedelta(days=9), expires_at=due) == 7
    assert reminder_due([7, 2], now=now, created_at=now - timedelta(days=9), expires_at=now + timedelta(days=1)) == 2
    assert reminder_due([7, 2], now=now, created_at=now - timedelta(days=1), expires_at=due) is None
    assert reminder_due([7, 2], now=now, created_at=now - timedelta(days=9), expires_at=now + timedelta(days=8)) is None
    assert reminder_due([7, 2], now=now, created_at=now - timedelta(days=9), expires_at=now) is None
    assert reminder_due([], now=now, created_at=now - timedelta(days=9), expires_at=due) is None


async def test_acknowledged_reminded_and_told_of_expiry_by_email(client, deliver, inbox):
    start = clock.now()
    with clock.frozen_at(start):
        await make_event(starts_in_days=60)
        form = await client.get("/events/meeting/register")
        data = {**FORM, "form_token": form_token(form.text), "action": "confirm", "pay_by": "invoice"}
        done = await post_form(client, "/events/meeting/register", data)
        assert done.status_code == 303
        await deliver()
        [ack] = inbox.wait_for("ana@example.org")
        text = body_text(ack)
        assert ack["Subject"] == "Registration received, payment due: Annual Meeting"
        for words in ("Amount due: $780.00", "How to pay (Invoice (bank transfer))", "quoting order",
                      "Ana Lima (Resident / student / fellow)", "Pre-conference workshop"):
            assert words in text, words
        due = (await Order.select(Order.expires_at).first())["expires_at"]
        assert due == start + timedelta(days=14)
        pay_link = next(link for link in links_in(text) if "/pay?token=" in link)
        pay = await client.get(pay_link.replace("http://testserver.local", ""))
        assert pay.status_code == 200 and "How to pay: Invoice" in pay.text
        assert "<script" not in body_html(ack)

        clock.advance(timedelta(days=6))
        assert await send_payment_reminders() == 0  # 8 days left: not yet
        clock.advance(timedelta(days=1, minutes=1))
        assert await send_payment_reminders() == 1
        assert await send_payment_reminders() == 0  # a job run twice queues it once
        clock.advance(timedelta(days=5))
        assert await send_payment_reminders() == 1  # the 2-day one
        await deliver()
        reminders = [m for m in inbox.to("ana@example.org") if m["Subject"].startswith("Reminder: payment due")]
        assert len(reminders) == 2 and "is not paid yet" in body_text(reminders[0])
        assert "Amount due: $780.00" in body_text(reminders[1])

        clock.advance(timedelta(days=2))
        assert await release_expired() == 1
        await deliver()
        [expired] = [m for m in inbox.to("ana@example.org") if "expired" in m["Subject"]]
        assert "http://testserver.local/events/meeting/register" in body_text(expired)


async def test_a_paid_order_is_neither_reminded_nor_acknowledged_late(client, deliver, inbox):
    start = clock.now()
    with clock.frozen_at(start):
        await make_event(starts_in_days=60)
        placed = await place_order("meeting", order(person(email="paid@example.org"), key="paid",
                                                    buyer_email="paid@example.org"),
                                   hold_minutes=30, base_url="http://testserver.local")
        await record_manual_payment(placed.id, method="cheque", amount_cents=placed.total_cents, reference="Chq 1",
                                    recorded_by=None)
        clock.advance(timedelta(days=12))
        assert await send_payment_reminders() == 0
        await deliver()
        subjects = [m["Subject"] for m in inbox.to("paid@example.org")]
        assert subjects == ["Registration confirmed: Annual Meeting"]  # the acknowledgement was dropped


async def test_confirmed_attendees_get_one_reminder_before_the_event_with_qr_and_agenda(client, deliver, inbox):
    event_id = await make_event(starts_in_days=2)
    await EventSales.update({EventSales.pre_event_days: 3}, force=True)
    placed = await place_order("meeting", order(person(email="sam@example.org"), key="soon",
                                                buyer_email="sam@example.org"),
                               hold_minutes=30, base_url="http://testserver.local")
    await record_manual_payment(placed.id, method="door", amount_cents=placed.total_cents, reference="R-1",
                                recorded_by=None)
    start = (await Event.select(Event.starts_at).first())["starts_at"]
    talk = Session(event=event_id, code="P1", title="Opening plenary: <Balint> today", kind="plenary",
                   starts_at=start + timedelta(hours=1), ends_at=start + timedelta(hours=2), abstract="",
                   learning_objectives="", format="", av_needs="")
    await talk.save()
    from confops.accounts.tables import User

    user = await User.select(User.id).where(User.email == "sam@example.org").first()
    await AgendaItem(user=user["id"], session=talk.id).save()
    inbox.clear()
    assert await send_pre_event_reminders() == 1
    assert await send_pre_event_reminders() == 0
    await deliver()
    [mail] = [m for m in inbox.to("sam@example.org") if m["Subject"].startswith("See you soon")]
    text = body_text(mail)
    assert "Opening plenary: <Balint> today" in text and "Hall" in text
    assert "&lt;Balint&gt;" in body_html(mail)
    png = next(p for p in mail.walk() if p.get_content_type() == "image/png").get_content()
    [code] = [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]
    attendee = (await Attendee.select(Attendee.id).first())["id"]
    assert await door_accepts(code) == attendee
    assert re.search(r"check-in code: \S+", text)
    assert await OutboxMessage.count().where(OutboxMessage.dedupe_key.like("pre-event:%")) == 1
