"""A credit note as PDF: the document that cancels an issued invoice when it is corrected.

It has its own number from the organizer's gap-free invoice counter (given with the correction,
payments.invoices.correct_invoice), names the invoice it cancels, with the billing details that
invoice was issued with, and the invoice replacing it, and credits every line of the order. It
moves no money: the payments stand against the corrected invoice.
"""

from __future__ import annotations

import json
import re

from confops.accounts.tables import Organizer
from confops.core import clock
from confops.core.errors import NotFound
from confops.core.money import money
from confops.documents.receipts import Sheet, billed_to, item_lines, organizer_header
from confops.events.tables import Event
from confops.payments.billing import from_snapshot
from confops.payments.invoices import credit_note
from confops.payments.ledger import order_row
from confops.registration.orders import attendees_of


async def credit_note_pdf(order_id: int, file: str) -> bytes:
    """The PDF for "<number>.pdf"; NotFound for any other name, or a number that is not one of
    this order's credit notes."""
    found = re.fullmatch(r"(\d{1,9})\.pdf", file)
    if found is None:
        raise NotFound("There is no such credit note.")
    note = await credit_note(order_id, int(found.group(1)))
    order = await order_row(order_id)
    event = await Event.select().where(Event.id == order["event"]).first()
    org = await Organizer.select().where(Organizer.id == event["organizer"]).first()
    snapshot = order["pricing_snapshot"]
    snap = json.loads(snapshot) if isinstance(snapshot, str) else (snapshot or {})
    cur = order["currency"]

    sheet = Sheet(f"Credit note {note['label']}")
    line = sheet.line
    people = await attendees_of(order_id)
    organizer_header(sheet, org, people)
    line(f"Credit note no. {note['label']}", size=13, bold=True)
    line(f"Issued {clock.local(note['issued_at'], event['timezone']):%Y-%m-%d}")
    line(f"Cancels invoice no. {note['cancelled_label']}"
         + (f" of {clock.local(note['cancelled_issued_at'], event['timezone']):%Y-%m-%d}"
            if note["cancelled_issued_at"] else ""), bold=True)
    line(f"Replaced by invoice no. {note['new_label']}")
    line(f"Reason: {note['reason']}")
    line(f"Order {order['id']} - {event['title']}")
    billed_to(sheet, from_snapshot(note["cancelled_billing"]), order)
    sheet.y -= 6
    line("Credited", bold=True)
    item_lines(sheet, order, people, snap, sign=-1)
    line("Total credited", money(-order["total_cents"], cur), bold=True)
    sheet.y -= 6
    line(f"No money is due or refunded by this credit note: payments made stand against invoice no. "
         f"{note['new_label']}.")
    return sheet.finish()
