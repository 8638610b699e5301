"""One notice to the payer and the organizer's office together (late money, refunds, disputes)."""

from __future__ import annotations

from confops.accounts import brands
from confops.accounts.tables import Organizer
from confops.core import outbox
from confops.core.mail import Message
from confops.core.rendering import render_mail
from confops.events.tables import Event


async def tell_staff_and_payer(order: dict, subject: str, template: str, context: dict, dedupe: str) -> None:
    """Queue the same notice (the e-mail `template`, given the order, its event and `context`) to
    the payer and the organizer's address (inside the caller's change)."""
    event = await Event.select(Event.title, Event.organizer).where(Event.id == order["event"]).first()
    organizer = await Organizer.select(Organizer.email).where(Organizer.id == event["organizer"]).first()
    brand = await brands.of_event(event)
    text, html = render_mail(template, brand=brand, order=order, event=event, **context)
    await outbox.enqueue(Message(to=order["buyer_email"], subject=subject, text=text, html=html, brand=brand),
                         dedupe_key=f"{dedupe}:payer")
    if organizer and organizer["email"]:
        await outbox.enqueue(Message(to=organizer["email"], subject=f"[staff] {subject}", text=text, html=html,
                                     brand=brand),
                             dedupe_key=f"{dedupe}:staff")
