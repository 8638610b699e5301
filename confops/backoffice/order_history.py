"""The history of one order on its staff page: placed, paid, refunded, each e-mail queued or
sent (acknowledgement, reminders, expiry, confirmation) and each staff change, oldest first.

Read from the rows that already record each step (payments, refunds, the outbox, the audit
log), so the history cannot disagree with what happened."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from confops.backoffice.tables import AuditEntry
from confops.core.money import money
from confops.core.tables import OutboxMessage
from confops.payments.tables import Payment, PaymentStatus, Refund
from confops.registration.tables import Order

# Dedupe keys of the mail about an order, as their senders write them.
_MAIL_KEYS = ("acknowledgement:{id}:%", "confirmation:{id}:%", "payment-reminder:{id}:%", "order-expired:{id}%",
              "no-place:manual-{id}-%", "no-place:card-{id}-%", "cancellation:{id}", "refund-due:{id}",
              "auto-refund:{id}-%", "paid-waiting:{id}:%",
              "no-place-refund:{id}:%")

_ACTIONS = {"manual_payment": "Payment recorded by staff", "extend_hold": "Due date extended",
            "refund": "Refund by staff", "wait_for_place": "Put on the waiting list (paid, no place)",
            "placed_from_waiting_list": "Given a place that freed up (it was waiting, paid)",
            "correct_invoice": "Invoice corrected (credit note and new number)"}


@dataclass(frozen=True)
class Step:
    at: datetime
    what: str


async def order_history(order_id: int) -> list[Step]:
    order = await Order.select().where(Order.id == order_id).first()
    if order is None:
        return []
    steps = [Step(order["created_at"], f"Order placed by {order['buyer_name']} ({order['buyer_email']}), "
                                       f"{money(order['total_cents'], order['currency'])}"
                                       + (f", to be paid by {order['payment_method']}" if order["payment_method"] else ""))]
    for p in await Payment.select().where((Payment.order == order_id)
                                         & (Payment.status == PaymentStatus.succeeded.value)):
        label = "card" if p["provider"] == "stripe" else p["method"]
        steps.append(Step(p["succeeded_at"] or p["created_at"], f"Paid {money(p['amount_cents'], p['currency'])} by "
                                                                f"{label}" + (f" ({p['reference']})" if p["reference"] else "")))
    for r in await Refund.select().where(Refund.order == order_id):
        steps.append(Step(r["created_at"], f"Refunded {money(r['amount_cents'], r['currency'])}: {r['reason']}"))
    where = None
    for pattern in _MAIL_KEYS:
        clause = OutboxMessage.dedupe_key.like(pattern.format(id=order_id))
        where = clause if where is None else where | clause
    for m in await OutboxMessage.select(OutboxMessage.subject, OutboxMessage.to_address, OutboxMessage.status,
                                        OutboxMessage.created_at, OutboxMessage.sent_at,
                                        OutboxMessage.last_error).where(where):
        state = ("not sent: no longer applied" if (m["last_error"] or "").startswith("not sent")
                 else "queued" if m["status"] in ("pending", "sending") else m["status"])
        steps.append(Step(m["sent_at"] or m["created_at"], f"E-mail “{m['subject']}” to {m['to_address']} ({state})"))
    for a in await AuditEntry.select().where((AuditEntry.entity == "order") & (AuditEntry.entity_id == str(order_id))):
        detail = json.loads(a["after"]) if isinstance(a["after"], str) else (a["after"] or {})
        detail = detail if isinstance(detail, dict) else {}
        reason = f": {detail['reason']}" if detail.get("reason") else ""
        if isinstance(detail.get("shared_with"), list) and detail["shared_with"]:
            reason += "; the same reference pays " + ", ".join(
                f"order {o.get('order')} ({o.get('buyer')})" for o in detail["shared_with"] if isinstance(o, dict))
        steps.append(Step(a["at"], f"{_ACTIONS.get(a['action'], a['action'].replace('_', ' '))} by "
                                   f"{a['actor_email'] or 'the system'}{reason}"))
    return sorted(steps, key=lambda s: s.at)
