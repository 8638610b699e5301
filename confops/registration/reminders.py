"""Periodic reminders (run by the worker, confops/jobs.py): unpaid orders before their due date,
and confirmed attendees before the event.

Each reminder is an outbox row with a dedupe key naming what it is for, so a job run twice, on
two hosts or after a crash, queues it once; the worker renders it when it sends it and drops it
if it no longer applies (paid meanwhile, cancelled).
"""

from __future__ import annotations

from datetime import timedelta

from confops.accounts import brands
from confops.core import clock, outbox
from confops.core.rendering import render_mail
from confops.events.tables import Event
from confops.registration.config import CONFIG
from confops.registration.tables import (
    HOLDING,
    Attendee,
    AttendeeStatus,
    EventSales,
    Order,
    OrderStatus,
)
from confops.registration.terms import CARD, reminder_offsets

BATCH = 500


def reminder_due(offsets: list[int], *, now, created_at, expires_at) -> int | None:
    """Which reminder (days before the due date) an unpaid order should have by now, or None.

    Only the nearest one: a job that was down for a week sends one reminder, not two at once.
    None when the order was placed inside that window (its acknowledgement already said the
    due date) or is already due."""
    left = expires_at - now
    if left <= timedelta(0):
        return None
    windows = [d for d in offsets if left <= timedelta(days=d)]
    if not windows:
        return None
    days = min(windows)
    return None if created_at > expires_at - timedelta(days=days) else days


async def send_payment_reminders() -> int:
    """Queue the reminders that are due; returns how many were new."""
    now = clock.now()
    settings = {row["event"]: reminder_offsets(row["reminder_days"]) for row in
                await EventSales.select(EventSales.event, EventSales.reminder_days)}
    longest = max((max(o) for o in settings.values() if o), default=0)
    if not longest:
        return 0
    rows = await Order.select(Order.id, Order.event, Order.buyer_email, Order.created_at, Order.expires_at).where(
        Order.status.is_in(list(HOLDING)) & (Order.expires_at > now)
        & (Order.expires_at <= now + timedelta(days=longest)) & (Order.payment_method != CARD)
        & (Order.total_cents > 0)).order_by(Order.expires_at).limit(BATCH)
    queued = 0
    for row in rows:
        days = reminder_due(settings.get(row["event"], []), now=now, created_at=row["created_at"],
                            expires_at=row["expires_at"])
        if days is None:
            continue
        from confops.registration.payment_mail import REMINDER_RENDERER

        made = await outbox.enqueue_deferred_one(outbox.Deferred(
            to=row["buyer_email"], subject="Reminder: payment due", renderer=REMINDER_RENDERER,
            params={"order_id": row["id"], "days": days},
            dedupe_key=f"payment-reminder:{row['id']}:{days}:{row['expires_at'].isoformat()}"))
        queued += made
    return queued


PRE_EVENT_RENDERER = "confops.registration.reminders:render_pre_event"


async def send_pre_event_reminders() -> int:
    """Every confirmed attendee of an event starting within its `pre_event_days` gets one
    reminder with their QR code, where to go (or the online link) and their own agenda."""
    now = clock.now()
    events = await Event.select(Event.id, Event.starts_at).where(
        (Event.starts_at > now) & (Event.starts_at <= now + timedelta(days=60)) & (Event.status != "draft"))
    queued = 0
    for event in events:
        sales = await EventSales.select(EventSales.pre_event_days).where(EventSales.event == event["id"]).first()
        days = sales["pre_event_days"] if sales else 0
        if days <= 0 or event["starts_at"] - now > timedelta(days=days):
            continue
        people = await Attendee.select(Attendee.id, Attendee.email, Attendee.order).where(
            (Attendee.event == event["id"]) & (Attendee.status == AttendeeStatus.active.value)
            & (Attendee.order.status == OrderStatus.confirmed.value))
        for person in people:
            queued += await outbox.enqueue_deferred_one(outbox.Deferred(
                to=person["email"], subject="See you soon", renderer=PRE_EVENT_RENDERER,
                params={"attendee_id": person["id"]},
                dedupe_key=f"pre-event:{person['id']}:{event['starts_at'].isoformat()}"))
    return queued


async def render_pre_event(*, to: str, attendee_id: int):
    from confops.core.mail import Attachment, Message
    from confops.registration.checkin_qr import qr_png, signed_tokens

    person = await Attendee.select(*Attendee.all_columns(), Attendee.order.status.as_alias("order_status")).where(
        Attendee.id == attendee_id).first()
    if (person is None or person["status"] != AttendeeStatus.active.value
            or person["order_status"] != OrderStatus.confirmed.value or person["email"].lower() != to.lower()):
        return None  # cancelled or transferred since
    event = await Event.select().where(Event.id == person["event"]).first()
    token = (await signed_tokens(event["id"], [person]))[person["id"]]
    agenda = await _personal_agenda(person["email"], event["id"])
    where = ("Online: " + CONFIG.base_url + f"/events/{event['slug']}") if event["online"] else ", ".join(
        p for p in (event["venue_name"], event["venue_address"], event["city"], event["region"]) if p)
    brand = await brands.of_event(event)
    text, html = render_mail("pre_event", brand=brand, person=person, event=event, where=where, agenda=agenda, token=token,
                         link=f"{CONFIG.base_url}/account", program=f"{CONFIG.base_url}/events/{event['slug']}")
    return Message(to=to, subject=f"See you soon: {event['title']}", text=text, html=html, brand=brand,
                   attachments=(Attachment(f"checkin-{person['id']}.png", qr_png(token), "image/png",
                                           inline_cid=f"qr-{person['id']}@confops"),))


async def _personal_agenda(email: str, event_id: int) -> list[dict]:
    """The sessions this person put on their agenda (signed in under this e-mail), in order."""
    from confops.accounts.tables import User
    from confops.events.tables import AgendaItem, Session

    user = await User.select(User.id).where(User.email == email.lower()).first()
    if user is None:
        return []
    ids = [r["session"] for r in await AgendaItem.select(AgendaItem.session).where(AgendaItem.user == user["id"])]
    if not ids:
        return []
    return await Session.select(Session.title, Session.starts_at, Session.ends_at).where(
        Session.id.is_in(ids) & (Session.event == event_id)).order_by(Session.starts_at)
