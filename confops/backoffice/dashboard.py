"""The figures of an event's staff dashboard, computed from the registration and payment rows.

Other areas add their own panels (check-in curve, CME claims …) through
`collect("dashboard_panels")`; this module only knows registration, program and money.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from confops.core import extension
from confops.core.extension import Panel
from confops.events.tables import AgendaItem, Event, Session
from confops.payments.tables import Payment, PaymentStatus, Refund
from confops.registration.tables import (
    HOLDING,
    AddOn,
    Attendee,
    AttendeeStatus,
    Category,
    EventSales,
    Order,
    OrderStatus,
)


@dataclass(frozen=True)
class Fill:
    label: str
    taken: int
    capacity: int | None

    @property
    def percent(self) -> int | None:
        return None if not self.capacity else round(100 * self.taken / self.capacity)


@dataclass
class Dashboard:
    registered: int = 0
    over_time: list[tuple[date, int]] = field(default_factory=list)   # cumulative per day
    by_category: list[tuple[str, int]] = field(default_factory=list)
    by_profession: list[tuple[str, int]] = field(default_factory=list)
    fill: list[Fill] = field(default_factory=list)                      # event, categories, add-ons
    sessions: list[Fill] = field(default_factory=list)                 # personal agendas vs room/session capacity
    currency: str = "USD"
    revenue_cents: int = 0
    refunded_cents: int = 0
    outstanding_cents: int = 0
    outstanding_orders: int = 0
    panels: list[Panel] = field(default_factory=list)


async def _attendees(event_id: int) -> list[dict]:
    return await Attendee.select(
        Attendee.id, Attendee.created_at, Attendee.profession, Attendee.category.label.as_alias("category"),
    ).where((Attendee.event == event_id) & (Attendee.status == AttendeeStatus.active.value)
            & (Attendee.order.status == OrderStatus.confirmed.value)).order_by(Attendee.created_at)


def cumulative_by_day(days: list[date]) -> list[tuple[date, int]]:
    counts = Counter(days)
    total, out = 0, []
    for day in sorted(counts):
        total += counts[day]
        out.append((day, total))
    return out


async def _money(event_id: int, board: Dashboard) -> None:
    """The same figures as payments' ledger (paid − refunded; due = total − paid on open orders),
    summed with three queries instead of three per order."""
    paid: Counter = Counter()
    for p in await Payment.select(Payment.order, Payment.amount_cents).where(
            (Payment.order.event == event_id) & (Payment.status == PaymentStatus.succeeded.value)):
        paid[p["order"]] += p["amount_cents"]
    board.revenue_cents = sum(paid.values())
    board.refunded_cents = sum(r["amount_cents"] for r in await Refund.select(Refund.amount_cents).where(
        Refund.order.event == event_id))
    for o in await Order.select(Order.id, Order.total_cents).where(
            (Order.event == event_id) & Order.status.is_in([OrderStatus.confirmed.value, *HOLDING])):
        due = max(0, o["total_cents"] - paid[o["id"]])
        if due:
            board.outstanding_cents += due
            board.outstanding_orders += 1


async def dashboard(event_id: int) -> Dashboard:
    event = await Event.select(Event.capacity, Event.currency).where(Event.id == event_id).first()
    people = await _attendees(event_id)
    board = Dashboard(registered=len(people), currency=event["currency"])
    board.over_time = cumulative_by_day([p["created_at"].date() for p in people])
    board.by_category = Counter(p["category"] for p in people).most_common()
    board.by_profession = Counter(p["profession"] or "Not given" for p in people).most_common()

    sales = await EventSales.select(EventSales.sold).where(EventSales.event == event_id).first()
    board.fill.append(Fill("Whole event", sales["sold"] if sales else len(people), event["capacity"]))
    for c in await Category.select(Category.label, Category.sold, Category.capacity).where(
            Category.event == event_id).order_by(Category.position):
        board.fill.append(Fill(c["label"], c["sold"], c["capacity"]))
    for a in await AddOn.select(AddOn.label, AddOn.sold, AddOn.capacity).where(
            AddOn.event == event_id).order_by(AddOn.position):
        board.fill.append(Fill(a["label"], a["sold"], a["capacity"]))

    sessions = await Session.select(Session.id, Session.code, Session.title, Session.capacity,
                                    Session.room.capacity.as_alias("room_capacity")).where(
        (Session.event == event_id) & (Session.kind.not_in(["break", "meal"]))).order_by(Session.starts_at)
    if sessions:
        picks = Counter(r["session"] for r in await AgendaItem.select(AgendaItem.session).where(
            AgendaItem.session.is_in([s["id"] for s in sessions])))
        board.sessions = [Fill(f"{s['code']} {s['title']}".strip(), picks[s["id"]],
                               s["capacity"] or s["room_capacity"]) for s in sessions]

    await _money(event_id, board)
    for answer in await extension.collect("dashboard_panels", event_id=event_id):
        board.panels.extend(answer or [])
    return board
