"""Demo money for the national meeting, so staff pages have something to show offline (no
Stripe keys needed: the payments are manual ones, as a small society records cheques and bank
transfers): the registration demo's first order paid by cheque, the second by invoice with a
partial refund. Each gets its invoice number at confirmation. Loading twice changes nothing."""

from __future__ import annotations

from confops.core.tables import OutboxMessage
from confops.events.tables import Event
from confops.payments.refunds import refund_order
from confops.payments.service import record_manual_payment
from confops.payments.tables import Payment, Refund
from confops.registration.order_decision import scoped_key
from confops.registration.tables import HOLDING, Order

DEMO_PAYMENTS = [
    # order idempotency key, method, reference, refund (cents, reason) or None
    ("demo-order-1", "cheque", "Cheque 2041", None),
    ("demo-order-2", "invoice", "Bank transfer RPO-2027-118", (2500, "The ABS book was out of print")),
]


async def load_payments_demo() -> int:
    created = 0
    meeting = await Event.select(Event.id).where(Event.slug == "abs-national-meeting").first()
    if meeting is None:
        return 0
    for key, method, reference, refund in DEMO_PAYMENTS:
        # The demo placed these orders at the national meeting; keys are stored within their event.
        order = await Order.select().where(Order.idempotency_key == scoped_key(meeting["id"], key)).first()
        if order is None:
            continue
        if order["status"] in HOLDING and not await Payment.exists().where(Payment.order == order["id"]):
            await record_manual_payment(order["id"], method=method, amount_cents=order["total_cents"],
                                        reference=reference, recorded_by=None)
            # Demo people are not mailed: drop the confirmations the payment queued.
            await OutboxMessage.delete().where(OutboxMessage.dedupe_key.like(f"confirmation:{order['id']}:%")
                                               & (OutboxMessage.status == "pending"))
            created += 1
        if refund and order["total_cents"] >= refund[0] and not await Refund.exists().where(
                Refund.order == order["id"]) and await Payment.exists().where(Payment.order == order["id"]):
            await refund_order(order["id"], refund[0], reason=refund[1])
            created += 1
    return created
