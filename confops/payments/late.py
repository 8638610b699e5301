"""Money that arrives for an order that already expired: one rule for a cheque staff record and
for a card payment Stripe reports late.

The money is never refused and never sent back on its own: the order gets its places again if
they are free (or from the waitlist's newest open offer, registration.holds.reinstate), is
confirmed, mailed and numbered; otherwise it stays expired with the money on it, "paid, no
place", listed on the event's staff payments page with a one-click refund, and the buyer and the
organizer's office are told. Staff decide; an automatic refund would cost the buyer a place
staff might still find them, and a card refund that staff did not see is money gone unexplained.

Staff either refund it (payments.refunds, which takes it off the waiting list first) or put it
on the waiting list in one click (`wait_for_place`): it then gets the next freed places before
any waitlist offer, and is reinstated as above (registration.paid_waiting).
"""

from __future__ import annotations

from confops.accounts import brands
from confops.core import extension
from confops.core.errors import Conflict
from confops.core.mail import Message
from confops.core.rendering import render_mail
from confops.db import transaction
from confops.payments.invoices import number_order
from confops.payments.ledger import balance_of, order_row
from confops.payments.notices import tell_staff_and_payer
from confops.registration import paid_waiting
from confops.registration.tables import Order, OrderStatus

REINSTATED = "reinstated"
NO_PLACE = "no_place"


async def money_for_expired_order(order: dict, *, amount_cents: int, reference: str, dedupe: str) -> str:
    """REINSTATED or NO_PLACE. Call inside the transaction that records the money, with the
    order row locked, and only once per payment (the caller knows it just recorded it)."""
    from confops.registration.emails import queue_confirmation
    from confops.registration.holds import reinstate
    from confops.registration.order_decision import order_token

    if await reinstate(order):
        await queue_confirmation(order["id"], token=order_token(order["idempotency_key"]))
        await number_order(order["id"])  # the confirmation and its invoice number commit together
        return REINSTATED
    await tell_staff_and_payer(order, "Payment received, but the places are no longer free", "payment_no_place",
                               {"amount_cents": amount_cents, "reference": reference}, dedupe=f"no-place:{dedupe}")
    return NO_PLACE


PLACED = "placed"
WAITING = "waiting"


async def wait_for_place(order_id: int, *, actor_id: int | None) -> str:
    """Staff put a "paid, no place" order on the waiting list: WAITING (now, or already: a
    second click changes nothing) or PLACED (places were free by now: reinstated at once).
    The buyer is told either way: that they wait ahead of the unpaid waitlist, or their
    confirmation with the QR code."""
    from confops.core import outbox
    from confops.events.tables import Event

    async with transaction():
        # The order row first, as a payment or a refund of it does: never both at once.
        await Order.raw("UPDATE registration_order SET id = id WHERE id = {}", order_id)
        order = await order_row(order_id)
        held = (await balance_of(order)).held_cents
        if order["status"] != OrderStatus.expired.value or held <= 0:
            raise Conflict("Only an order paid after it expired, with no place left, can be put on the waiting "
                           "list.", code="not_paid_no_place")
        if not await paid_waiting.join(order):
            return WAITING
        await extension.emit("staff_change", actor_id=actor_id, action="wait_for_place", entity="order",
                             entity_id=order_id, before={"status": order["status"]},
                             after={"held_cents": held})
        if (await order_row(order_id))["status"] == OrderStatus.confirmed.value:
            return PLACED
        line = (await paid_waiting.of_orders([order_id]))[order_id]
        event = await Event.select(Event.title, Event.organizer).where(Event.id == order["event"]).first()
        brand = await brands.of_event(event)
        text, html = render_mail("paid_waiting", brand=brand, order=order, event=event, held_cents=held,
                                 places=line["places"])
        await outbox.enqueue(Message(to=order["buyer_email"], subject=f"On the waiting list: {event['title']}",
                                     text=text, html=html, brand=brand),
                             dedupe_key=f"paid-waiting:{order_id}:{line['queued_at'].isoformat()}")
    return WAITING


async def waiting_of(order_id: int) -> dict | None:
    """The order's place in the line of paid orders waiting, if it is (or was) in it."""
    return (await paid_waiting.of_orders([order_id])).get(order_id)
