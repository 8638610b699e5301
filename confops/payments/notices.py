"""One notice to the payer and the organizer's office together (late money, refunds, disputes)."""

from __future__ import annotations

from confops.core import outbox
from confops.core.mail import Message
from confops.events.tables import Event, Organizer


async def tell_staff_and_payer(order: dict, subject: str, text: str, dedupe: str) -> None:
    """Queue the same notice to the payer and the organizer's address (inside the caller's change)."""
    event = await Event.select(Event.title, Event.organizer).where(Event.id == order["event"]).first()
    organizer = await Organizer.select(Organizer.email).where(Organizer.id == event["organizer"]).first()
    body = f"{text}\n\nEvent: {event['title']}\nOrder: {order['id']}\n"
    await outbox.enqueue(Message(to=order["buyer_email"], subject=subject, text=body), dedupe_key=f"{dedupe}:payer")
    if organizer and organizer["email"]:
        await outbox.enqueue(Message(to=organizer["email"], subject=f"[staff] {subject}", text=body),
                             dedupe_key=f"{dedupe}:staff")
