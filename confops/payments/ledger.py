"""What an order has paid and got back: the figures every page, receipt and report shows.

paid − refunded = net; due is what an open order still owes. Computed from the payment and
refund rows, never stored twice, so the figures cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from piccolo.query.functions.aggregate import Sum

from confops.payments.tables import Dispute, Payment, PaymentStatus, Refund
from confops.registration.tables import Order, OrderStatus


@dataclass(frozen=True)
class Balance:
    total_cents: int
    paid_cents: int
    refunded_cents: int
    currency: str
    disputed: bool

    @property
    def net_cents(self) -> int:
        return self.paid_cents - self.refunded_cents

    @property
    def due_cents(self) -> int:
        return max(0, self.total_cents - self.paid_cents)

    @property
    def held_cents(self) -> int:
        """Money kept beyond what the order now costs: on an expired order, all of it ("paid,
        no place": staff refund it or find a place)."""
        return max(0, self.net_cents - self.total_cents)


# The orders whose total is owed; any other (expired, cancelled) owes nothing.
OWING = (OrderStatus.confirmed.value, OrderStatus.awaiting_payment.value, OrderStatus.pending.value)


def _total_of(order: dict) -> int:
    return order["total_cents"] if order["status"] in OWING else 0


async def balance_of(order: dict) -> Balance:
    payments = await Payment.select(Payment.amount_cents).where(
        (Payment.order == order["id"]) & (Payment.status == PaymentStatus.succeeded.value))
    refunds = await Refund.select(Refund.amount_cents).where(Refund.order == order["id"])
    disputed = await Dispute.exists().where(Dispute.order == order["id"])
    return Balance(_total_of(order), sum(p["amount_cents"] for p in payments), sum(r["amount_cents"] for r in refunds),
                   order["currency"], disputed)


async def balances_of(orders: list[dict]) -> dict[int, Balance]:
    """`balance_of` for many orders in three queries (sums grouped by order), not three each:
    for a page of the event's orders."""
    ids = [o["id"] for o in orders] or [0]
    paid = {r["order"]: r["cents"] for r in await Payment.select(Payment.order, Sum(Payment.amount_cents, alias="cents"))
            .where(Payment.order.is_in(ids) & (Payment.status == PaymentStatus.succeeded.value)).group_by(Payment.order)}
    refunded = {r["order"]: r["cents"] for r in await Refund.select(Refund.order, Sum(Refund.amount_cents, alias="cents"))
                .where(Refund.order.is_in(ids)).group_by(Refund.order)}
    disputed = {r["order"] for r in await Dispute.select(Dispute.order).where(Dispute.order.is_in(ids))}
    return {o["id"]: Balance(_total_of(o), paid.get(o["id"]) or 0, refunded.get(o["id"]) or 0, o["currency"],
                             o["id"] in disputed) for o in orders}


async def payments_of(order_id: int) -> list[dict]:
    return await Payment.select().where(Payment.order == order_id).order_by(Payment.id)


async def refunds_of(order_id: int) -> list[dict]:
    return await Refund.select().where(Refund.order == order_id).order_by(Refund.id)


async def disputes_of(order_id: int) -> list[dict]:
    return await Dispute.select().where(Dispute.order == order_id).order_by(Dispute.id)


async def order_row(order_id: int) -> dict:
    from confops.core.errors import NotFound

    row = await Order.select().where(Order.id == order_id).first()
    if row is None:
        raise NotFound("There is no such order.")
    return row
