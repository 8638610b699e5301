"""A signed-in person's registrations: orders they bought or attend, by their verified e-mail
(the magic-link sign-in proved it), each with its self-service link."""

from __future__ import annotations

from confops.events.tables import Event
from confops.registration.order_decision import order_token
from confops.registration.tables import Attendee, Order


async def my_registrations(email: str) -> list[dict]:
    email = (email or "").strip().lower()
    attending = {a["order"] for a in await Attendee.select(Attendee.order).where(Attendee.email == email)}
    where = Order.buyer_email == email
    if attending:
        where |= Order.id.is_in(sorted(attending))
    rows = await Order.select(Order.id, Order.status, Order.total_cents, Order.currency, Order.idempotency_key,
                              Order.event).where(where).order_by(Order.id, ascending=False)
    events = {e["id"]: e for e in await Event.select(Event.id, Event.title, Event.starts_at, Event.ends_at,
                                                      Event.timezone)}
    return [{"id": r["id"], "status": r["status"], "total_cents": r["total_cents"], "currency": r["currency"],
             "event": events[r["event"]], "link": f"/orders/{r['id']}?token={order_token(r['idempotency_key'])}"}
            for r in rows]


def _confirmed_attendees(event_id: int):
    from confops.registration.tables import AttendeeStatus, OrderStatus

    return ((Attendee.event == event_id) & (Attendee.status == AttendeeStatus.active.value)
            & (Attendee.order.status == OrderStatus.confirmed.value))


async def is_confirmed_registrant(email: str, event_id: int) -> bool:
    """Whether this (verified) e-mail attends the event on a confirmed order."""
    email = (email or "").strip().lower()
    return bool(email) and await Attendee.exists().where(_confirmed_attendees(event_id) & (Attendee.email == email))


async def confirmed_registrant_emails(event_id: int) -> list[str]:
    rows = await Attendee.select(Attendee.email).where(_confirmed_attendees(event_id))
    return sorted({r["email"] for r in rows if r["email"]})


async def orders_by_id(order_ids: list[int]) -> dict[int, dict]:
    """Whole order rows (what an order's own pages read) for orders already listed as mine."""
    if not order_ids:
        return {}
    return {r["id"]: r for r in await Order.select().where(Order.id.is_in(sorted(set(order_ids))))}
