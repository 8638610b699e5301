"""What payments does for other areas (confops/core/extension.py): gives money back that
registration says is owed, and numbers the invoice of an order registration reinstated."""

from __future__ import annotations

from confops.core.extension import provides
from confops.payments.invoices import number_order
from confops.payments.refunds import refund_by_card, refund_for_cancellation


@provides("refund_owed")
async def refund_owed(*, order_id: int, amount_cents: int, reason: str, kind: str) -> None:
    if kind == "policy":
        await refund_for_cancellation(order_id, amount_cents)
    else:
        await refund_by_card(order_id, amount_cents, reason=reason, kind=kind)


@provides("order_reinstated")
async def order_reinstated(*, order_id: int) -> None:
    await number_order(order_id)  # the paid order's invoice, in the transaction that placed it
