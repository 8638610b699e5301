"""Billing details for an institution's invoice: billing name (department, institution),
address, purchase-order number, tax ID. All optional; given at checkout or later on the pay
page, and editable until an invoice number is issued. After that the issued invoice keeps the
details it was made with (Invoice.billing), and a change needs a corrected invoice from staff.
"""

from __future__ import annotations

import json
import unicodedata

from confops.core import clock
from confops.core.errors import Conflict, FieldError, collect
from confops.db import transaction
from confops.payments.tables import Invoice, OrderBilling

# form field -> (column, max length, multi-line)
FIELDS = {
    "billing_name": ("name", 200, False),
    "billing_address": ("address", 1000, True),
    "po_number": ("po_number", 100, False),
    "tax_id": ("tax_id", 60, False),
}


def cleaned(values: dict[str, str]) -> dict[str, str]:
    """The billing fields from a form, stripped (absent ones empty)."""
    return {field: str(values.get(field, "") or "").strip().replace("\r\n", "\n") for field in FIELDS}


def problems(values: dict[str, str]) -> list[FieldError]:
    found = []
    for field, (_, limit, multiline) in FIELDS.items():
        value = values.get(field, "")
        if len(value) > limit:
            found.append(FieldError(field, f"Use at most {limit} characters."))
        elif any(unicodedata.category(c) == "Cc" and not (multiline and c == "\n") for c in value):
            found.append(FieldError(field, "Remove control characters."))
    return found


async def billing_of(order_id: int) -> dict | None:
    return await OrderBilling.select().where(OrderBilling.order == order_id).first()


async def save_billing(order_id: int, values: dict[str, str]) -> dict | None:
    """Set the order's billing details (all empty: none). Refused once an invoice is issued."""
    values = cleaned(values)
    collect(problems(values))
    async with transaction():
        # The order row first: number_order takes the same lock, so an edit and the issue of
        # the invoice never interleave (the invoice keeps exactly what was saved before it).
        await OrderBilling.raw("UPDATE registration_order SET id = id WHERE id = {}", order_id)
        if await Invoice.exists().where(Invoice.order == order_id):
            raise Conflict("An invoice has been issued for this order; the society's staff issue a corrected "
                           "invoice if its billing details must change.", code="invoice_issued")
        columns = {FIELDS[f][0]: v for f, v in values.items()}
        changed = await OrderBilling.update({**{getattr(OrderBilling, c): v for c, v in columns.items()},
                                             OrderBilling.updated_at: clock.now()}).where(
            OrderBilling.order == order_id).returning(OrderBilling.id)
        if not changed and any(values.values()):
            await OrderBilling(order=order_id, **columns).save()
    return await billing_of(order_id)


def snapshot(row: dict | None) -> str:
    """The JSON kept on an issued invoice."""
    if not row or not any(row[c] for c, _, _ in FIELDS.values()):
        return ""
    return json.dumps({c: row[c] for c, _, _ in FIELDS.values()})


def from_snapshot(text: str) -> dict | None:
    return json.loads(text) if text else None
