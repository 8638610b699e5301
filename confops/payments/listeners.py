"""What payments does for other areas (confops/core/extension.py): gives money back that
registration says is owed."""

from __future__ import annotations

from confops.core.extension import provides
from confops.payments.refunds import refund_by_card, refund_for_cancellation


@provides("refund_owed")
async def refund_owed(*, order_id: int, amount_cents: int, reason: str, kind: str) -> None:
    if kind == "policy":
        await refund_for_cancellation(order_id, amount_cents)
    else:
        await refund_by_card(order_id, amount_cents, reason=reason, kind=kind)
