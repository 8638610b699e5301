"""Walk-in registration at the desk: a person, a category, the payment taken there, a badge.

All of it is one transaction: the order (registration's own `place_order`, told it is at the
desk so a closed online window does not refuse it), the payment (payments' own
`record_manual_payment`, which confirms the order), and the record that the badge was
printed. If the payment is refused (no reference, wrong amount), no order is left behind
holding a place, and no badge is counted as printed.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from confops.badges.kinds import PrintReason
from confops.badges.tables import BadgePrint
from confops.core import extension
from confops.core.errors import FieldError, Invalid, NotFound, collect
from confops.core.money import money
from confops.db import transaction
from confops.payments.service import record_manual_payment
from confops.registration.intake import OrderIn
from confops.registration.orders import place_order
from confops.registration.tables import Attendee

PAYMENTS = {
    "door": "Paid at the desk (card terminal or cash)",
    "cheque": "Cheque",
    "complimentary": "Complimentary (no charge)",
}


def parse_amount(text: str) -> int:
    """"875", "875.00", "1,250.50" → cents; ValueError for anything else."""
    try:
        value = Decimal((text or "").replace(",", "").replace("$", "").strip())
    except InvalidOperation as exc:
        raise ValueError(text) from exc
    if not value.is_finite() or value <= 0 or value != value.quantize(Decimal("0.01")):
        raise ValueError(text)
    return int(value * 100)


@dataclass(frozen=True)
class WalkIn:
    order_id: int
    attendee_id: int
    person_key: str
    total_cents: int
    currency: str
    created: bool


async def register_walk_in(slug: str, order: OrderIn, *, payment: str, amount: str, reference: str,
                           layout: str, recorded_by: int | None, base_url: str, hold_minutes: int) -> WalkIn:
    problems = []
    if payment not in PAYMENTS:
        problems.append(FieldError("payment", "Choose how the person paid, or complimentary."))
    amount_cents = None
    if payment in ("door", "cheque"):
        try:
            amount_cents = parse_amount(amount)
        except ValueError:
            problems.append(FieldError("amount", "Enter the amount taken, e.g. 875.00."))
        if not reference.strip():
            problems.append(FieldError("reference", "Enter the receipt or terminal reference."))
    collect(problems)
    async with transaction():
        placed = await place_order(slug, order, hold_minutes=hold_minutes, base_url=base_url,
                                   complimentary=payment == "complimentary", at_the_desk=True)
        attendee = await Attendee.select(Attendee.id, Attendee.token_version, Attendee.event).where(
            Attendee.order == placed.id).order_by(Attendee.id).first()
        if not placed.created:  # the same form sent twice: the first submission did everything
            return WalkIn(placed.id, attendee["id"], f"attendee-{attendee['id']}", placed.total_cents,
                          placed.currency, False)
        if placed.total_cents > 0:
            if amount_cents != placed.total_cents:
                raise Invalid("The amount taken must be the price.", errors=[FieldError(
                    "amount", f"The price is {money(placed.total_cents, placed.currency)}; take exactly that.")])
            await record_manual_payment(placed.id, method=payment, amount_cents=amount_cents,
                                        reference=reference, recorded_by=recorded_by)
        await BadgePrint(event=attendee["event"], person_key=f"attendee-{attendee['id']}",
                         token_version=attendee["token_version"], layout=layout, reason=PrintReason.walk_in.value,
                         printed_by=recorded_by).save()
        await extension.emit("staff_change", actor_id=recorded_by, action="walk_in_registered", entity="attendee",
                             entity_id=attendee["id"], before=None,
                             after={"order_id": placed.id, "payment": payment, "amount_cents": amount_cents or 0,
                                    "reference": reference.strip()})
    return WalkIn(placed.id, attendee["id"], f"attendee-{attendee['id']}", placed.total_cents, placed.currency, True)


async def walk_in_person(event_id: int, attendee_id: int) -> dict:
    """The registration just made at the desk, for its badge page: name, category and whether
    it was complimentary."""
    person = await Attendee.select(Attendee.id, Attendee.first_name, Attendee.last_name,
                                   Attendee.category.label.as_alias("category_label"),
                                   Attendee.order.complimentary.as_alias("complimentary")).where(
        (Attendee.id == attendee_id) & (Attendee.event == event_id)).first()
    if person is None:
        raise NotFound("There is no such registration at this event.")
    return person
