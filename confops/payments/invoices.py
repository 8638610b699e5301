"""Invoice numbers: sequential per organizer, without gaps.

The counter row is bumped with a conditional UPDATE … RETURNING inside the transaction that
creates the invoice, so the number and the invoice commit or roll back together; the order's
unique invoice row means an order is numbered once however often its receipt is downloaded.
"""

from __future__ import annotations

from confops.db import transaction
from confops.events.tables import Event
from confops.payments.tables import Invoice, InvoiceCounter


def formatted(organizer_id: int, number: int) -> str:
    return f"{organizer_id:02d}-{number:05d}"


async def invoice_for(order: dict) -> str:
    existing = await Invoice.select(Invoice.organizer, Invoice.number).where(Invoice.order == order["id"]).first()
    if existing:
        return formatted(existing["organizer"], existing["number"])
    event = await Event.select(Event.organizer).where(Event.id == order["event"]).first()
    organizer = event["organizer"]
    try:
        async with transaction():
            if not await InvoiceCounter.exists().where(InvoiceCounter.organizer == organizer):
                await InvoiceCounter(organizer=organizer, last_number=0).save()
            bumped = await InvoiceCounter.update({InvoiceCounter.last_number: InvoiceCounter.last_number + 1}).where(
                InvoiceCounter.organizer == organizer).returning(InvoiceCounter.last_number)
            number = bumped[0]["last_number"]
            await Invoice(order=order["id"], organizer=organizer, number=number).save()
    except Exception:
        # Two downloads raced: the other one numbered this order (its transaction won).
        existing = await Invoice.select(Invoice.organizer, Invoice.number).where(Invoice.order == order["id"]).first()
        if existing is None:
            raise
        return formatted(existing["organizer"], existing["number"])
    return formatted(organizer, number)
