"""Staff views of money: payments per event, outstanding balances, reconciliation with Stripe.

Reconciliation lists every succeeded Stripe payment against our orders: matched, amount
different, or unmatched (in Stripe but not ours, or ours but not in Stripe's list).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from confops.core import csv_export
from confops.payments import gateway as gateways
from confops.payments.ledger import balance_of
from confops.payments.tables import Payment, PaymentStatus, Provider
from confops.registration.tables import Order


@dataclass(frozen=True)
class OrderMoney:
    order: dict
    paid_cents: int
    refunded_cents: int
    due_cents: int
    disputed: bool
    held_cents: int = 0  # expired with money on it: "paid, no place"


async def event_money(event_id: int) -> list[OrderMoney]:
    orders = await Order.select().where(Order.event == event_id).order_by(Order.id)
    rows = []
    for order in orders:
        b = await balance_of(order)
        rows.append(OrderMoney(order, b.paid_cents, b.refunded_cents, b.due_cents, b.disputed,
                               b.held_cents if order["status"] == "expired" else 0))
    return rows


@dataclass(frozen=True)
class ReconLine:
    intent_id: str
    order_id: int | None
    stripe_cents: int | None
    ours_cents: int | None
    state: str  # matched / amount_differs / missing_here / missing_in_stripe


async def reconcile(event_id: int) -> list[ReconLine]:
    ours = {p["provider_id"]: p for p in await Payment.select(
        Payment.provider_id, Payment.amount_cents, Payment.order, Payment.order.event.as_alias("event")).where(
        (Payment.provider == Provider.stripe.value) & (Payment.status == PaymentStatus.succeeded.value)
        & (Payment.order.event == event_id))}
    lines = []
    stripe = gateways.stripe()
    theirs = await stripe.list_succeeded() if stripe else []
    event_orders = {o["id"] for o in await Order.select(Order.id).where(Order.event == event_id)}
    for intent in theirs:
        mine = ours.pop(intent.id, None)
        if mine is None:
            if intent.order_id in event_orders or intent.order_id is None or not await Order.exists().where(
                    Order.id == intent.order_id):
                lines.append(ReconLine(intent.id, intent.order_id, intent.amount_cents, None, "missing_here"))
            continue
        state = "matched" if mine["amount_cents"] == intent.amount_cents else "amount_differs"
        lines.append(ReconLine(intent.id, mine["order"], intent.amount_cents, mine["amount_cents"], state))
    for intent_id, mine in ours.items():
        lines.append(ReconLine(intent_id, mine["order"], None, mine["amount_cents"], "missing_in_stripe"))
    return lines


def recon_csv(lines: list[ReconLine]) -> str:
    out = io.StringIO()
    writer = csv_export.writer(out)
    writer.writerow(["payment_intent", "order", "stripe_cents", "our_cents", "state"])
    for line in lines:
        writer.writerow([line.intent_id, line.order_id or "", "" if line.stripe_cents is None else line.stripe_cents,
                         "" if line.ours_cents is None else line.ours_cents, line.state])
    return out.getvalue()
