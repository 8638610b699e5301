"""Receipts and invoices as PDF: what the society's treasurer and the attendee's employer need.

The invoice number comes from `payments.invoices` (sequential per organizer, no gaps, given
at confirmation); an order not yet paid gets a pro-forma invoice without a number, a free
order a confirmation without one. The figures come from the ledger, so the PDF always agrees
with the order page.
"""

from __future__ import annotations

import io
import json

from reportlab.lib.pagesizes import letter
from reportlab.lib.units import inch
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from confops.accounts.tables import Organizer
from confops.core import clock
from confops.core.money import money
from confops.documents.fonts import register_fonts
from confops.events.tables import Event
from confops.payments.invoices import number_shown
from confops.payments.ledger import balance_of, order_row, payments_of, refunds_of
from confops.registration.holds import as_seen
from confops.registration.orders import attendees_as_seen


def postal_lines(org: dict) -> list[str]:
    """The organizer's postal address under its name, each part once: the address field often
    repeats the name and already holds the city (the demo's does), and the city, region and
    country columns are added only when the address does not already say them."""
    name = (org["name"] or "").strip().lower()
    lines = [p.strip() for p in (org["address"] or "").splitlines() if p.strip() and p.strip().lower() != name]
    said = " ".join(lines).lower()
    place = ", ".join(p for p in (org["city"], org["region"]) if p and p.lower() not in said)
    country = org["country"] if org["country"] and not lines else ""
    if place or country:
        lines.append(", ".join(p for p in (place, country) if p))
    return lines


async def receipt_pdf(order_id: int) -> bytes:
    order = as_seen(await order_row(order_id), clock.now())  # as the order page shows it
    event = await Event.select().where(Event.id == order["event"]).first()
    org = await Organizer.select().where(Organizer.id == event["organizer"]).first()
    number = await number_shown(order)
    if number:
        heading = f"Invoice and receipt no. {number}"
        from confops.payments.invoices import formatted, latest_correction

        if corrected := await latest_correction(order_id):
            heading += (f" (replaces no. {formatted(corrected['organizer'], corrected['cancelled_number'])}, "
                        f"cancelled by credit note no. {formatted(corrected['organizer'], corrected['credit_note_number'])})")
    elif order["status"] in ("pending", "awaiting_payment"):
        heading = "Pro-forma invoice (not yet paid; no invoice number until payment)"
    else:
        heading = "Statement of account (no invoice number: no paid registration)"
    people = await attendees_as_seen(order)
    balance = await balance_of(order)
    payments = [p for p in await payments_of(order_id) if p["status"] == "succeeded"]
    refunds = await refunds_of(order_id)
    snapshot = order["pricing_snapshot"]
    snap = json.loads(snapshot) if isinstance(snapshot, str) else (snapshot or {})
    cur = order["currency"]

    sheet = Sheet(f"Receipt {number}" if number else "Pro-forma invoice")
    line = sheet.line
    organizer_header(sheet, org, people)
    line(heading, size=13, bold=True)
    line(f"Order {order['id']} - {event['title']}")
    billed_to(sheet, await _billing(order_id, issued=bool(number)), order)
    sheet.y -= 6
    line("Items", bold=True)
    item_lines(sheet, order, people, snap)
    line("Total", money(order["total_cents"], cur), bold=True)
    sheet.y -= 6
    line("Payments", bold=True)
    for p in payments:
        label = "Card" if p["provider"] == "stripe" else p["method"].capitalize()
        ref = f" ({p['reference']})" if p["reference"] else ""
        line(f"{label}{ref} {p['succeeded_at']:%Y-%m-%d}" if p["succeeded_at"] else label, money(p["amount_cents"], cur))
    for r in refunds:
        line(f"Refund: {r['reason']}", money(-r["amount_cents"], cur))
    line("Paid", money(balance.paid_cents, cur))
    line("Refunded", money(balance.refunded_cents, cur))
    line("Net paid", money(balance.net_cents, cur), bold=True)
    line("Balance due", money(balance.due_cents, cur), bold=True)
    return sheet.finish()


class Sheet:
    """A letter page written top to bottom, one wrapped line at a time (a long institution name
    or address stays on the page), names and addresses in any script."""

    left, right, top = 0.9 * inch, 7.6 * inch, 10.3 * inch

    def __init__(self, title: str) -> None:
        self.buf = io.BytesIO()
        self.pdf = Canvas(self.buf, pagesize=letter, pageCompression=0)
        self.pdf.setTitle(title)
        self.y = self.top
        self.regular, self.heavy = register_fonts()

    def line(self, text: str, amount: str = "", *, size: int = 10, bold: bool = False) -> None:
        font = self.heavy if bold else self.regular
        parts = simpleSplit(text, font, size, self.right - self.left - (1.4 * inch if amount else 0)) or [""]
        for i, part in enumerate(parts):
            self.pdf.setFont(font, size)
            self.pdf.drawString(self.left, self.y, part)
            if amount and i == 0:
                self.pdf.drawRightString(self.right, self.y, amount)
            self.y -= size * 1.5
            if self.y < inch:
                self.pdf.showPage()
                self.y = self.top

    def finish(self) -> bytes:
        self.pdf.showPage()
        self.pdf.save()
        return self.buf.getvalue()


def organizer_header(sheet: Sheet, org: dict, people: list[dict]) -> None:
    line = sheet.line
    line(org["name"], size=16, bold=True)
    for part in postal_lines(org):
        line(part)
    if org["nonprofit_status"]:
        tax = f" (EIN {org['tax_id']})" if org["tax_id"] else ""
        line(f"{org['name']} is a {org['nonprofit_status']}{tax}.")
    line(goods_and_services(people))
    sheet.y -= 10


def goods_and_services(people: list[dict]) -> str:
    """What the payment bought, as a donor's tax return needs it said: a receipt that listed a
    banquet among its items and still said "no goods or services other than registration"
    contradicted itself."""
    extras = sorted({add["label"] for person in people for add in person["addons"]})
    if not extras:
        return "No goods or services were provided other than registration for the event named below."
    return ("Goods and services provided: registration for the event named below and "
            + ", ".join(extras) + ", as itemized.")


def billed_to(sheet: Sheet, billing: dict | None, order: dict) -> None:
    line = sheet.line
    if billing:
        line(f"Billed to: {billing['name'] or order['buyer_name']}", bold=True)
        for part in (billing["address"] or "").splitlines():
            if part.strip():
                line(f"    {part.strip()}")
        if billing["po_number"]:
            line(f"Purchase order (PO) number: {billing['po_number']}")
        if billing["tax_id"]:
            line(f"Tax ID: {billing['tax_id']}")
        line(f"Contact: {order['buyer_name']} <{order['buyer_email']}>")
    else:
        line(f"Billed to: {order['buyer_name']} <{order['buyer_email']}>")


def item_lines(sheet: Sheet, order: dict, people: list[dict], snap: dict, sign: int = 1) -> None:
    """Each attendee's fee and add-ons and the discount, as priced on the order (`sign` -1 on a
    credit note, which gives back every line)."""
    cur, line = order["currency"], sheet.line
    lines = snap.get("lines") or []
    discount = 0
    for i, person in enumerate(people):
        name = f"{person['first_name']} {person['last_name']}".strip()
        off = int(lines[i].get("discount_cents") or 0) if i < len(lines) and not order["complimentary"] else 0
        discount += off
        fee = person["price_cents"] - sum(a["price_cents"] for a in person["addons"]) + off
        line(f"{person['category_label']} - {name}", money(sign * fee, cur))
        for add in person["addons"]:
            line(f"    {add['label']} x {add['quantity']}", money(sign * add["price_cents"], cur))
    if discount:
        line(f"Discount {snap.get('code') or ''}".strip(), money(-sign * discount, cur))


async def _billing(order_id: int, *, issued: bool) -> dict | None:
    """An issued invoice shows the details it was issued with; a pro-forma the current ones."""
    from confops.payments.billing import billing_of, from_snapshot
    from confops.payments.tables import Invoice

    if issued:
        from confops.payments.invoices import latest_correction

        row = await latest_correction(order_id) or await Invoice.select(Invoice.billing).where(
            Invoice.order == order_id).first()
        return from_snapshot(row["billing"]) if row else None
    return await billing_of(order_id)
