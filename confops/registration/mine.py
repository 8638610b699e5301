"""A signed-in person's registrations: orders they bought or attend, by their verified e-mail
(the magic-link sign-in proved it), each with its self-service link."""

from __future__ import annotations

from confops.events.tables import Event
from confops.registration.orders import order_token
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
