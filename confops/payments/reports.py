"""Staff views of money: payments per event, outstanding balances, reconciliation with Stripe.

Reconciliation lists every succeeded Stripe payment against our orders: matched, amount
different, or unmatched (in Stripe but not ours, or ours but not in Stripe's list).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, replace

from piccolo.columns.combination import WhereRaw

from confops.core import csv_export
from confops.core.paging import Page, paged
from confops.payments import gateway as gateways
from confops.payments import tallies
from confops.payments.ledger import OWING, balances_of
from confops.payments.tables import Payment, PaymentStatus, Provider
from confops.registration import paid_waiting
from confops.registration.tables import Order, OrderStatus


@dataclass(frozen=True)
class OrderMoney:
    order: dict
    paid_cents: int
    refunded_cents: int
    due_cents: int
    disputed: bool
    held_cents: int = 0  # expired with money on it: "paid, no place"
    waiting: dict | None = None  # such an order on the waiting list (registration.paid_waiting's row)


def _money(order: dict, b) -> OrderMoney:
    return OrderMoney(order, b.paid_cents, b.refunded_cents, b.due_cents, b.disputed,
                      b.held_cents if order["status"] == "expired" else 0)


async def event_money(event_id: int) -> list[OrderMoney]:
    """Every order of the event with its money (three queries in all): for tests and reports
    that need them all; the staff page reads one page (`money_page`)."""
    orders = await Order.select().where(Order.event == event_id).order_by(Order.id)
    balances = await balances_of(orders)
    return [_money(o, balances[o["id"]]) for o in orders]


ORDER_STATUSES = [s.value for s in OrderStatus]
BUYER_SEARCH = "(lower(registration_order.buyer_name) || ' ' || lower(registration_order.buyer_email))"
SORTS = {"newest": False, "oldest": True}


def _orders_where(event_id: int, q: str, status: str):
    where = Order.event == event_id
    q = (q or "").strip()[:100]
    if q.isdigit():
        where &= Order.id == int(q)
    elif q:
        # One expression, the one the trigram index of PostgreSQL is built on (the migration
        # of 2026-12-06T11:11); SQLite reads it with the same LIKE.
        like = f"%{q.lower().replace('%', '').replace('_', '').replace(chr(92), '')}%"
        where &= WhereRaw(f"{BUYER_SEARCH} LIKE {{}}", like)
    if status in ORDER_STATUSES:
        where &= Order.status == status
    return where


async def money_page(event_id: int, *, page: int = 1, q: str = "", status: str = "", sort: str = "newest") -> Page:
    """One page of the event's orders with their money (newest first unless asked), searched by
    buyer or order number and filtered by status in the database."""
    where = _orders_where(event_id, q, status)
    sort = sort if sort in SORTS else "newest"
    found = await paged(Order.select().where(where).order_by(Order.id, ascending=SORTS[sort]),
                        Order.select(Order.id).where(where), page,
                        params={"q": (q or "").strip()[:100], "status": status if status in ORDER_STATUSES else "",
                                "sort": "" if sort == "newest" else sort})
    balances = await balances_of(found.rows)
    return replace(found, rows=[_money(o, balances[o["id"]]) for o in found.rows])


async def paid_no_place(event_id: int) -> list[OrderMoney]:
    """Expired orders still holding money ("paid, no place"), each with its place on the
    waiting list if staff put it there: only expired orders with a succeeded payment are read,
    so this stays small whatever the event's size."""
    paid_ids = Payment.select(Payment.order).where((Payment.order.event == event_id)
                                                   & (Payment.order.status == OrderStatus.expired.value)
                                                   & (Payment.status == PaymentStatus.succeeded.value))
    ids = sorted({r["order"] for r in await paid_ids})
    orders = await Order.select().where(Order.id.is_in(ids or [0])).order_by(Order.id)
    balances = await balances_of(orders)
    line = await paid_waiting.of_orders(ids)
    return [replace(m, waiting=w if (w := line.get(m.order["id"])) and w["status"] == "waiting" else None)
            for m in (_money(o, balances[o["id"]]) for o in orders) if m.held_cents]


async def outstanding_of(event_id: int) -> tuple[int, int]:
    """(orders owing, cents owed) over the whole event: an open order's total less its
    succeeded payments (the ledger's `due_cents`), where above zero; from the event's running
    sums (payments/tallies.py), which cost the same to read whatever the event's size."""
    money = await tallies.totals(event_id)
    return money.owing_orders, money.owed_cents


async def outstanding_from_rows(event_id: int) -> tuple[int, int]:
    """The same from the orders and payments themselves (`confops check` compares the two)."""
    marks = ", ".join("{}" for _ in OWING)
    due = await Order.raw(
        # one join and GROUP BY: a correlated sum per order grows with the event's orders
        "SELECT COUNT(*) AS n, COALESCE(SUM(d.due), 0) AS cents FROM (SELECT o.total_cents - "
        "COALESCE(SUM(p.amount_cents), 0) AS due FROM registration_order o LEFT JOIN payment p "
        "ON p.\"order\" = o.id AND p.status = {} "
        f"WHERE o.event = {{}} AND o.status IN ({marks}) GROUP BY o.id, o.total_cents) d WHERE d.due > 0",
        PaymentStatus.succeeded.value, event_id, *OWING)
    return due[0]["n"], due[0]["cents"]


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
