"""Invoice numbers: sequential per organizer, without gaps, given when an order is confirmed
with money received (until then the receipt is a pro-forma invoice with no number).

`number_order` runs inside the transaction that confirms the order (or its own): it locks the
order row, then bumps the organizer's counter with UPDATE … RETURNING and inserts the invoice.
The counter row stays locked until commit, so concurrent confirmations queue on it (row lock
on PostgreSQL, the IMMEDIATE write lock on SQLite) and a rolled-back confirmation takes its
number back with it: no gaps, no duplicates. The order lock makes a second call for the same
order (a replayed webhook, a racing download) see the first one's invoice instead of numbering
again.
"""

from __future__ import annotations

from confops.db import transaction
from confops.payments.tables import Invoice, Payment, PaymentStatus
from confops.registration.tables import Order, OrderStatus


def formatted(organizer_id: int, number: int) -> str:
    return f"{organizer_id:02d}-{number:05d}"


async def number_of(order_id: int) -> str | None:
    """The order's invoice number, or None (pro-forma: not confirmed and paid yet)."""
    row = await Invoice.select(Invoice.organizer, Invoice.number).where(Invoice.order == order_id).first()
    return formatted(row["organizer"], row["number"]) if row else None


async def number_order(order_id: int) -> str | None:
    """Number a confirmed order that has received money, once; None while it has not."""
    async with transaction():
        locked = await Order.raw(
            "UPDATE registration_order SET id = id WHERE id = {} RETURNING status, total_cents, event",
            order_id)
        if not locked:
            return None
        if existing := await number_of(order_id):
            return existing
        if locked[0]["status"] != OrderStatus.confirmed.value or locked[0]["total_cents"] <= 0:
            return None
        if not await Payment.exists().where((Payment.order == order_id)
                                            & (Payment.status == PaymentStatus.succeeded.value)):
            return None
        from confops.events.tables import Event

        organizer = (await Event.select(Event.organizer).where(Event.id == locked[0]["event"]).first())["organizer"]
        await Invoice.raw("INSERT INTO invoice_counter (organizer, last_number) VALUES ({}, 0) "
                          "ON CONFLICT (organizer) DO NOTHING", organizer)
        bumped = await Invoice.raw("UPDATE invoice_counter SET last_number = last_number + 1 "
                                   "WHERE organizer = {} RETURNING last_number", organizer)
        number = bumped[0]["last_number"]
        from confops.payments.billing import billing_of, snapshot

        await Invoice(order=order_id, organizer=organizer, number=number,
                      billing=snapshot(await billing_of(order_id))).save()
    return formatted(organizer, number)
