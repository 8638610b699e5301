"""The registration e-mails, queued through the outbox inside the change's transaction.

HTML templates are autoescaped (a name like `<script>` arrives as text); the plain-text part
needs no escaping. The confirmation carries each attendee's check-in QR inline and an .ics.
"""

from __future__ import annotations

from datetime import datetime

from confops.accounts import brands
from confops.core import clock, outbox
from confops.core.mail import Attachment, Message
from confops.core.rendering import render_mail
from confops.events.tables import Event
from confops.registration import ics
from confops.registration.checkin_qr import qr_png, signed_tokens
from confops.registration.config import CONFIG
from confops.registration.tables import Attendee, AttendeeStatus, Order, OrderStatus


async def _event(event_id: int) -> dict:
    return await Event.select().where(Event.id == event_id).first()


def self_service_url(order_id: int, token: str) -> str:
    return f"{CONFIG.base_url}/orders/{order_id}?token={token}"


CONFIRMATION_RENDERER = "confops.registration.emails:render_confirmation"
CONFIRMATION_DEDUPE = "confirmation"


def confirmation_subject(title: str) -> str:
    return f"Registration confirmed: {title}"


async def queue_confirmation(order_id: int, *, token: str | None, base_url: str | None = None,
                             dedupe: str = CONFIRMATION_DEDUPE, recipients: list[tuple[str, int | None]] | None = None,
                             title: str | None = None) -> None:
    """Queue the confirmation for the buyer and each attendee someone else registered; the
    worker renders it (render_confirmation). Callers on the order's hot path pass
    `recipients` [(e-mail, attendee id or None for the buyer)] and the event `title` they
    already hold, so queuing costs one INSERT and no reads."""
    if recipients is None or title is None:
        order = await Order.select(Order.buyer_email, Order.event.title.as_alias("title")).where(
            Order.id == order_id).first()
        title = order["title"]
        if recipients is None:
            people = await Attendee.select(Attendee.id, Attendee.email).where(
                (Attendee.order == order_id) & (Attendee.status == AttendeeStatus.active.value)
            ).order_by(Attendee.id)
            recipients = confirmation_recipients(order["buyer_email"], people)
    await outbox.enqueue_deferred(
        outbox.Deferred(to=to, subject=confirmation_subject(title), renderer=CONFIRMATION_RENDERER,
                        params={"order_id": order_id, "token": token, "attendee_id": attendee_id},
                        dedupe_key=f"{dedupe}:{order_id}:{to.lower()}")
        for to, attendee_id in recipients)


def confirmation_recipients(buyer_email: str, people: list[dict]) -> list[tuple[str, int | None]]:
    """The buyer gets every attendee's code and the order's management link; an attendee whom
    someone else registered gets only their own code and a sign-in link, never the buyer's
    link (which could cancel the whole order) nor colleagues' codes."""
    out: list[tuple[str, int | None]] = [(buyer_email, None)]
    seen = {buyer_email.lower()}
    for person in people:
        if person["email"].lower() not in seen:
            seen.add(person["email"].lower())
            out.append((person["email"], person["id"]))
    return out


async def render_confirmation(*, to: str, order_id: int, token: str | None,
                              attendee_id: int | None) -> Message | None:
    """Built by the worker at sending time: the QR carries each attendee's current signed
    check-in token (checkin_qr), so a mail sent after a substitution shows the new person."""
    from confops.registration.orders import attendees_of

    order = await Order.select().where(Order.id == order_id).first()
    event = await _event(order["event"])
    people = [a for a in await attendees_of(order_id) if a["status"] == "active"]
    buyer = attendee_id is None
    shown = people if buyer else [p for p in people if p["id"] == attendee_id]
    if order["status"] != OrderStatus.confirmed.value or not shown:
        return None  # cancelled (or that attendee cancelled) before the mail went out
    link = self_service_url(order_id, token) if (buyer and token) else f"{CONFIG.base_url}/account"
    greeting = order["buyer_name"] if buyer else " ".join(
        x for x in (shown[0]["first_name"], shown[0]["last_name"]) if x) if shown else order["buyer_name"]
    location = ", ".join(p for p in (event["venue_name"], event["venue_address"]) if p) or "Online"
    calendar = ics.event_ics(uid=f"event-{event['id']}-order-{order_id}@confops", title=event["title"],
                             starts_at=event["starts_at"], ends_at=event["ends_at"], location=location,
                             description=event["summary"], url=f"{CONFIG.base_url}/events/{event['slug']}",
                             now=clock.now())
    tokens = await signed_tokens(event["id"], shown)
    codes = [Attachment(f"checkin-{p['id']}.png", qr_png(tokens[p["id"]]), "image/png",
                        inline_cid=f"qr-{p['id']}@confops") for p in shown]
    for p in shown:
        p["checkin_token"] = tokens[p["id"]]
    brand = await brands.of_event(event)
    text, html = render_mail("confirmation", brand=brand, order=order, event=event, people=shown, link=link,
                         greeting=greeting, buyer=buyer)
    return Message(to=to, subject=confirmation_subject(event["title"]), text=text, html=html, brand=brand,
                   attachments=(Attachment("event.ics", calendar, "text/calendar"), *codes))


async def queue_cancellation(order: dict, refund_cents: int) -> None:
    event = await _event(order["event"])
    brand = await brands.of_event(event)
    text, html = render_mail("cancellation", brand=brand, order=order, event=event, refund_cents=refund_cents)
    await outbox.enqueue(Message(to=order["buyer_email"], subject=f"Registration cancelled: {event['title']}",
                                 text=text, html=html, brand=brand), dedupe_key=f"cancellation:{order['id']}")


async def queue_transfer(order: dict, old: dict, new: dict, difference_cents: int) -> None:
    event = await _event(order["event"])
    brand = await brands.of_event(event)
    text, html = render_mail("transfer", brand=brand, order=order, event=event, old=old, new=new, difference_cents=difference_cents)
    for to in sorted({order["buyer_email"], old["email"], new["email"]}):
        await outbox.enqueue(Message(to=to, subject=f"Registration transferred: {event['title']}",
                                     text=text, html=html, brand=brand),
                             dedupe_key=f"transfer:{new['id']}:{new['token_version']}:{to}")


async def queue_waitlist_offer(entry: dict, offer_id: int, token: str, expires_at: datetime) -> None:
    event = await _event(entry["event"])
    link = f"{CONFIG.base_url}/events/{event['slug']}/register?offer={token}"
    brand = await brands.of_event(event)
    text, html = render_mail("waitlist_offer", brand=brand, entry=entry, event=event, link=link, expires_at=expires_at,
                         hours=CONFIG.offer_hours)
    await outbox.enqueue(Message(to=entry["email"], subject=f"A place is free for you: {event['title']}",
                                 text=text, html=html, brand=brand), dedupe_key=f"waitlist-offer:{offer_id}")


async def queue_waitlist_withdrawn(entry: dict, offer_id: int) -> None:
    """The offered place went to a buyer whose late payment arrived; the person is first in line."""
    event = await _event(entry["event"])
    brand = await brands.of_event(event)
    text, html = render_mail("waitlist_withdrawn", brand=brand, entry=entry, event=event)
    await outbox.enqueue(Message(to=entry["email"], subject=f"The place offered to you was taken back: {event['title']}",
                                 text=text, html=html, brand=brand), dedupe_key=f"waitlist-withdrawn:{offer_id}")
