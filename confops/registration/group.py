"""Group orders after the fact: one attendee cancelled out of several, and the money side of a
substitution (the buyer gives an attendee's place to someone else, perhaps in another category).

Money: an order's `total_cents` is what its active attendees cost. Cancelling one attendee
takes their price off the total and refunds by the event's policy what was paid for them (the
rest is the cancellation fee the society keeps); a substitution into a dearer category adds
the difference to the total, which the payments ledger then shows as due; into a cheaper one
it takes the difference off and says so ("refund_owed", core/extension.py): the payments area
refunds card payments at once; cheques and invoices are refunded by hand from the order's
payments page, where the ledger shows the credit.
"""

from __future__ import annotations

from confops.accounts import brands
from confops.core import clock, extension, outbox
from confops.core.errors import Conflict, NotFound
from confops.core.mail import Message
from confops.core.rendering import render_mail
from confops.db import transaction
from confops.events.tables import Event
from confops.registration import capacity, refunds
from confops.registration.selfservice import RefundPreview, cancel_order
from confops.registration.tables import (
    HOLDING,
    Attendee,
    AttendeeAddOn,
    AttendeeStatus,
    EventSales,
    Order,
    OrderStatus,
)


async def _active(order_id: int) -> list[dict]:
    return await Attendee.select().where(
        (Attendee.order == order_id) & (Attendee.status == AttendeeStatus.active.value)).order_by(Attendee.id)


async def attendee_refund_preview(order: dict, attendee_id: int) -> RefundPreview:
    if order["status"] not in (OrderStatus.confirmed.value, *HOLDING):
        raise Conflict("This order is already closed.", code="order_closed")
    person = next((a for a in await _active(order["id"]) if a["id"] == attendee_id), None)
    if person is None:
        raise NotFound("There is no such attendee on this order.")
    event = await Event.select(Event.starts_at).where(Event.id == order["event"]).first()
    sales = await EventSales.select().where(EventSales.event == order["event"]).first()
    paid = person["price_cents"] if order["status"] == OrderStatus.confirmed.value else 0
    amount = refunds.refund_cents(paid, policy=sales["cancellation_policy"], tiers=sales["refund_tiers"],
                                  fee_cents=sales["cancellation_fee_cents"], now=clock.now(),
                                  event_starts_at=event["starts_at"])
    return RefundPreview(paid, amount, sales["cancellation_policy"], order["currency"])


async def cancel_attendee(order: dict, attendee_id: int) -> RefundPreview:
    """Cancel one attendee of an order; the last active attendee cancels the whole order."""
    preview = await attendee_refund_preview(order, attendee_id)
    people = await _active(order["id"])
    if len(people) == 1:
        return await cancel_order(order)
    person = next(a for a in people if a["id"] == attendee_id)
    async with transaction():
        flipped = await Attendee.update({
            Attendee.status: AttendeeStatus.cancelled.value, Attendee.token_version: Attendee.token_version + 1,
        }).where((Attendee.id == attendee_id) & (Attendee.status == AttendeeStatus.active.value)
                 & (Attendee.token_version == person["token_version"])).returning(Attendee.id)
        if not flipped:
            raise Conflict("This registration was changed meanwhile; reload and try again.", code="stale")
        await capacity.lock_event(order["event"])
        await capacity.release_category(person["category"], 1)
        for add in await AttendeeAddOn.select().where(AttendeeAddOn.attendee == attendee_id):
            await capacity.release_addon(add["addon"], add["quantity"])
        from confops.registration.paid_waiting import places_freed

        await places_freed(order["event"], 1)
        await Order.update({Order.total_cents: Order.total_cents - person["price_cents"],
                            Order.refund_cents: Order.refund_cents + preview.refund_cents}).where(
            Order.id == order["id"])
        await _queue_attendee_cancelled(order, person, preview.refund_cents)
        await extension.emit("registration_cancelled", event_id=order["event"], attendee_ids=[attendee_id],
                             reason="The registration was cancelled.")
    await extension.emit("refund_owed", order_id=order["id"], amount_cents=preview.refund_cents,
                         reason=f"Attendee {person['first_name']} {person['last_name']} cancelled (refund policy)",
                         kind="cancellation")
    return preview


async def _queue_attendee_cancelled(order: dict, person: dict, refund_cents: int) -> None:
    event = await Event.select(Event.title, Event.organizer).where(Event.id == order["event"]).first()
    name = f"{person['first_name']} {person['last_name']}".strip()
    brand = await brands.of_event(event)
    text, html = render_mail("attendee_cancelled", brand=brand, name=name, event=event, order=order, refund_cents=refund_cents)
    for to in sorted({order["buyer_email"].lower(), person["email"].lower()}):
        await outbox.enqueue(Message(to=to, subject=f"Registration cancelled: {name}, {event['title']}",
                                     text=text, html=html, brand=brand),
                             dedupe_key=f"attendee-cancelled:{person['id']}:{to}")
