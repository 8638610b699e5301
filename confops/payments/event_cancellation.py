"""When the society cancels an event (by staff, or an online series that missed its minimum
enrolment): every order is cancelled and every registrant told (a "paid, no place" order too); everything paid is refunded in
full, whatever the cancellation policy (card payments through Stripe at once; cheques, invoices
and money taken at the door are listed for staff with the amounts, since recording them here
would claim money moved that did not); badges and check-in tokens stop working.

Resumable: each order is flipped in its own transaction (with its e-mail), then the refunds go
out for every cancelled order of the event with money left on a card payment. Running it again
after a crash finishes what is left and repeats nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from confops.accounts import brands
from confops.core import clock, extension, outbox
from confops.core.errors import Conflict
from confops.core.mail import Message
from confops.core.rendering import render_mail
from confops.db import transaction
from confops.events.kinds import EventStatus
from confops.events.tables import Event
from confops.payments.cancellation_tables import EventCancellation
from confops.payments.gateway import GatewayError
from confops.payments.refunds import refund_order
from confops.payments.reports import paid_no_place
from confops.payments.tables import Payment, PaymentStatus, Provider
from confops.registration import paid_waiting
from confops.registration.catalog import catalog_changed
from confops.registration.holds import give_back, with_snapshot
from confops.registration.tables import HOLDING, Attendee, AttendeeStatus, Order, OrderStatus

log = logging.getLogger("confops.payments")


@dataclass
class CancelOutcome:
    orders_cancelled: int = 0
    refunded_by_card_cents: int = 0
    by_hand: list[dict] = field(default_factory=list)  # {order, buyer, email, cents, currency}


async def _left_by_provider(order_id: int) -> dict[str, int]:
    rows = await Payment.select(Payment.provider, Payment.amount_cents, Payment.refunded_cents).where(
        (Payment.order == order_id) & (Payment.status == PaymentStatus.succeeded.value))
    left: dict[str, int] = {}
    for r in rows:
        left[r["provider"]] = left.get(r["provider"], 0) + r["amount_cents"] - r["refunded_cents"]
    return left


async def cancel_event(event_id: int, *, reason: str, actor_id: int | None) -> CancelOutcome:
    event = await Event.select().where(Event.id == event_id).first()
    async with transaction():
        await EventCancellation.insert(EventCancellation(event=event_id, reason=reason[:2000], cancelled_at=clock.now(),
                                                         cancelled_by=actor_id)).on_conflict(action="DO NOTHING")
        flipped = await Event.update({Event.status: EventStatus.cancelled.value}).where(
            (Event.id == event_id) & (Event.status != EventStatus.cancelled.value)).returning(Event.id)
        await catalog_changed(event_id)  # no process may go on selling from a kept catalog
        if flipped:
            await extension.emit("staff_change", actor_id=actor_id, action="event_cancelled", entity="event",
                                 entity_id=event_id, before={"status": event["status"]},
                                 after={"status": EventStatus.cancelled.value, "reason": reason})
    outcome = CancelOutcome()
    orders = await Order.select().where((Order.event == event_id) & Order.status.is_in(
        [*HOLDING, OrderStatus.confirmed.value]))
    for order in orders:
        paid_left = sum((await _left_by_provider(order["id"])).values())
        async with transaction():
            rows = await Order.update({Order.status: OrderStatus.cancelled.value, Order.cancelled_at: clock.now(),
                                       Order.refund_cents: paid_left}).where(
                (Order.id == order["id"]) & Order.status.is_in([*HOLDING, OrderStatus.confirmed.value])
            ).returning(*Order.all_columns())
            if not rows:
                continue  # cancelled meanwhile by its buyer
            await give_back(with_snapshot(rows[0]), return_code_uses=True)
            await Attendee.update({Attendee.status: AttendeeStatus.cancelled.value,
                                   Attendee.token_version: Attendee.token_version + 1}).where(
                (Attendee.order == order["id"]) & (Attendee.status == AttendeeStatus.active.value))
            await _tell_registrant(event, rows[0], paid_left, reason)  # unpaid holds are told too
        outcome.orders_cancelled += 1
    for stranded in await paid_no_place(event_id):
        # Paid, no place (waiting for one or not): there will be no place now; the money goes
        # back with everyone else's, and the order leaves the waiting list.
        async with transaction():
            rows = await Order.update({Order.status: OrderStatus.cancelled.value, Order.cancelled_at: clock.now(),
                                       Order.refund_cents: stranded.held_cents}).where(
                (Order.id == stranded.order["id"]) & (Order.status == OrderStatus.expired.value)
            ).returning(*Order.all_columns())
            if not rows:
                continue
            await paid_waiting.leave(rows[0])
            await _tell_registrant(event, rows[0], stranded.held_cents, reason)
        outcome.orders_cancelled += 1
    await extension.emit("event_cancelled", event_id=event_id)
    await _refund_all(event, outcome)
    return outcome


async def _tell_registrant(event: dict, order: dict, refund_cents: int, reason: str) -> None:
    brand = await brands.of_event(event)
    text, html = render_mail("event_cancelled", brand=brand, order=order, event=event, reason=reason.strip(),
                             refund_cents=refund_cents)
    await outbox.enqueue(Message(to=order["buyer_email"], subject=f"Cancelled by the organizers: {event['title']}",
                                 text=text, html=html, brand=brand), dedupe_key=f"event-cancelled:{order['id']}")


async def _cancelled_by_society(event_id: int) -> list[dict]:
    """The event's orders cancelled when (or after) the society cancelled it."""
    mark = await EventCancellation.select().where(EventCancellation.event == event_id).first()
    if mark is None:
        return []
    return await Order.select(Order.id, Order.buyer_name, Order.buyer_email, Order.currency).where(
        (Order.event == event_id) & (Order.status == OrderStatus.cancelled.value)
        & (Order.cancelled_at >= mark["cancelled_at"]))


async def _refund_all(event: dict, outcome: CancelOutcome) -> None:
    for order in await _cancelled_by_society(event["id"]):
        left = await _left_by_provider(order["id"])
        card = left.get(Provider.stripe.value, 0)
        by_hand = sum(v for k, v in left.items() if k != Provider.stripe.value)
        if card > 0:
            try:
                await refund_order(order["id"], card, reason="The society cancelled the event", kind="event_cancelled")
                outcome.refunded_by_card_cents += card
            except (Conflict, GatewayError) as exc:
                log.warning("refund of order %s after the event was cancelled failed: %s", order["id"], exc)
                by_hand += card
        if by_hand > 0:
            outcome.by_hand.append({"order": order["id"], "buyer": order["buyer_name"], "email": order["buyer_email"],
                                    "cents": by_hand, "currency": order["currency"]})


async def refunds_due_by_hand(event_id: int) -> list[dict]:
    """Money still to send back by hand on the cancelled orders of a cancelled event."""
    out = []
    for order in await _cancelled_by_society(event_id):
        left = await _left_by_provider(order["id"])
        total = sum(left.values())
        if total > 0:
            out.append({"order": order["id"], "buyer": order["buyer_name"], "email": order["buyer_email"],
                        "cents": total, "currency": order["currency"]})
    return out


async def cancel_by_staff(event: dict, *, reason: str, confirm: str, actor_id: int | None) -> CancelOutcome:
    """Staff cancel an event: they say why (it goes to every registrant) and type its web
    address, since this cannot be undone."""
    from confops.core.errors import FieldError, collect
    from confops.events.event_form import text_problem

    problems = []
    reason = (reason or "").strip()
    if msg := text_problem(reason, 2000, required=True, multiline=True):
        problems.append(FieldError("reason", msg))
    if (confirm or "").strip() != event["slug"]:
        problems.append(FieldError("confirm", f"Type {event['slug']} to confirm."))
    if event["status"] == EventStatus.cancelled.value:
        raise Conflict("This event is already cancelled.", field="confirm")
    collect(problems)
    return await cancel_event(event["id"], reason=reason, actor_id=actor_id)
