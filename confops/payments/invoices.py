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
from confops.payments.tables import Invoice, InvoiceCorrection, OrderBilling, Payment, PaymentStatus
from confops.registration.tables import Order, OrderStatus


def formatted(organizer_id: int, number: int) -> str:
    return f"{organizer_id:02d}-{number:05d}"


async def number_of(order_id: int) -> str | None:
    """The order's invoice number (the latest correction's, if any), or None (pro-forma)."""
    row = await Invoice.select(Invoice.organizer, Invoice.number).where(Invoice.order == order_id).first()
    if row is None:
        return None
    latest = await latest_correction(order_id)
    return formatted(row["organizer"], latest["new_number"] if latest else row["number"])


async def latest_correction(order_id: int) -> dict | None:
    return await InvoiceCorrection.select().where(InvoiceCorrection.order == order_id).order_by(
        InvoiceCorrection.id, ascending=False).first()


async def _next_number(organizer: int) -> int:
    await Invoice.raw("INSERT INTO invoice_counter (organizer, last_number) VALUES ({}, 0) "
                      "ON CONFLICT (organizer) DO NOTHING", organizer)
    bumped = await Invoice.raw("UPDATE invoice_counter SET last_number = last_number + 1 "
                               "WHERE organizer = {} RETURNING last_number", organizer)
    return bumped[0]["last_number"]


async def correct_invoice(order_id: int, billing: dict[str, str], reason: str, *, actor_id: int | None) -> dict:
    """Staff correct an issued invoice (new billing details): a credit note cancels the current
    number and a new number is issued with the new details, in one transaction; nothing that
    was issued is edited."""
    from confops.core import extension
    from confops.core.errors import Conflict, FieldError, collect
    from confops.payments.billing import FIELDS, billing_of, cleaned, problems, snapshot

    values = cleaned(billing)
    found = problems(values)
    if not reason.strip():
        found.append(FieldError("correction_reason", "Say why the invoice is corrected."))
    elif len(reason) > 300:
        found.append(FieldError("correction_reason", "Use at most 300 characters."))
    collect(found)
    async with transaction():
        await Order.raw("UPDATE registration_order SET id = id WHERE id = {}", order_id)
        invoice = await Invoice.select().where(Invoice.order == order_id).first()
        if invoice is None:
            raise Conflict("No invoice has been issued for this order yet; the pro-forma shows the current "
                           "billing details.", code="no_invoice")
        latest = await latest_correction(order_id)
        cancelled = latest["new_number"] if latest else invoice["number"]
        columns = {OrderBilling._meta.get_column_by_name(FIELDS[f][0]): v for f, v in values.items()}
        if not await OrderBilling.update(columns).where(OrderBilling.order == order_id).returning(OrderBilling.id):
            await OrderBilling(order=order_id, **{FIELDS[f][0]: v for f, v in values.items()}).save()
        credit = await _next_number(invoice["organizer"])
        new = await _next_number(invoice["organizer"])
        row = InvoiceCorrection(order=order_id, organizer=invoice["organizer"], cancelled_number=cancelled,
                                credit_note_number=credit, new_number=new, reason=reason.strip(),
                                billing=snapshot(await billing_of(order_id)), issued_by=actor_id)
        await row.save()
        await extension.emit("staff_change", actor_id=actor_id, action="correct_invoice", entity="order",
                             entity_id=order_id, before={"invoice": formatted(invoice["organizer"], cancelled)},
                             after={"credit_note": formatted(invoice["organizer"], credit),
                                    "invoice": formatted(invoice["organizer"], new), "reason": reason.strip()})
    return await InvoiceCorrection.select().where(InvoiceCorrection.id == row.id).first()


async def _owes_a_number(order_id: int, order: dict) -> bool:
    """A confirmed order with something to pay that has received money gets an invoice number."""
    return (order["status"] == OrderStatus.confirmed.value and order["total_cents"] > 0
            and await Payment.exists().where((Payment.order == order_id)
                                             & (Payment.status == PaymentStatus.succeeded.value)))


async def number_shown(order: dict) -> str | None:
    """The number a document of the order shows, read as it is: the confirmation numbered it. Only
    an order paid before its organizer's invoices were numbered has none yet, and is numbered on
    the first reading (the one write a read may make, once)."""
    if (number := await number_of(order["id"])) is not None or not await _owes_a_number(order["id"], order):
        return number
    return await number_order(order["id"])


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
        if not await _owes_a_number(order_id, locked[0]):
            return None
        from confops.events.tables import Event

        organizer = (await Event.select(Event.organizer).where(Event.id == locked[0]["event"]).first())["organizer"]
        number = await _next_number(organizer)
        from confops.payments.billing import billing_of, snapshot

        await Invoice(order=order_id, organizer=organizer, number=number,
                      billing=snapshot(await billing_of(order_id))).save()
    return formatted(organizer, number)


async def credit_notes_of(order_id: int) -> list[dict]:
    """The order's credit notes, oldest first: each correction's row with the billing details the
    invoice it cancels was issued with (the original invoice's, or the correction before it)."""
    rows = await InvoiceCorrection.select().where(InvoiceCorrection.order == order_id).order_by(InvoiceCorrection.id)
    if not rows:
        return []
    invoice = await Invoice.select(Invoice.billing, Invoice.issued_at).where(Invoice.order == order_id).first()
    cancelled_billing, cancelled_issued = invoice["billing"], invoice["issued_at"]
    notes = []
    for row in rows:
        notes.append({**row, "cancelled_billing": cancelled_billing, "cancelled_issued_at": cancelled_issued,
                      "label": formatted(row["organizer"], row["credit_note_number"]),
                      "cancelled_label": formatted(row["organizer"], row["cancelled_number"]),
                      "new_label": formatted(row["organizer"], row["new_number"])})
        cancelled_billing, cancelled_issued = row["billing"], row["issued_at"]
    return notes


async def credit_note(order_id: int, number: int) -> dict:
    """One credit note of the order by its number; any other number (an invoice's, another
    order's credit note) is not found."""
    from confops.core.errors import NotFound

    for note in await credit_notes_of(order_id):
        if note["credit_note_number"] == number:
            return note
    raise NotFound("There is no such credit note.")
