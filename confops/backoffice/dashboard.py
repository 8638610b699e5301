"""The figures of an event's staff dashboard, computed from the registration and payment rows.

Other areas add their own panels (check-in curve, CME claims …) through
`collect("dashboard_panels")`; this module only knows registration, program and money.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from piccolo.query.functions.aggregate import Sum

from confops.core import extension
from confops.core.extension import Panel
from confops.core.time_buckets import as_day, day_sql
from confops.events.labels import profession_label
from confops.events.tables import AgendaItem, Event, Session
from confops.payments.reports import outstanding_of
from confops.payments.tables import Payment, PaymentStatus, Refund
from confops.registration.tables import (
    AddOn,
    Attendee,
    Category,
    EventSales,
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
    awaiting_payment: int = 0  # active attendees of unpaid orders: their places are held, not yet confirmed
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


_CONFIRMED_ACTIVE = """FROM registration_attendee a JOIN registration_order o ON o.id = a."order"
    JOIN registration_category c ON c.id = a.category
    WHERE a.event = {} AND a.status = 'active' AND o.status = 'confirmed'"""


async def _people(event_id: int, board: Dashboard) -> None:
    """Who is registered, per category, profession and day: GROUP BY in the database (the rows
    never come to Python, so 20,000 people cost what 200 do)."""
    # One pass over the rows, grouped by category, profession and day together (a few hundred
    # groups), rather than one pass for each.
    day = day_sql("a.created_at")
    groups = await Attendee.raw(
        f"SELECT c.label AS label, a.profession AS profession, {day} AS day, COUNT(*) AS n {_CONFIRMED_ACTIVE} "
        f"GROUP BY c.label, a.profession, {day}", event_id)
    by_category: Counter = Counter()
    by_profession: Counter = Counter()
    per_day: Counter = Counter()
    for r in groups:
        by_category[r["label"]] += r["n"]
        by_profession[profession_label(r["profession"])] += r["n"]  # codes and old free text alike, in words
        per_day[as_day(r["day"])] += r["n"]
    board.by_category = sorted(by_category.items(), key=lambda kv: (-kv[1], kv[0]))
    board.registered = sum(by_category.values())
    held = await Attendee.raw(
        """SELECT COUNT(*) AS n FROM registration_attendee a JOIN registration_order o ON o.id = a."order"
        WHERE a.event = {} AND a.status = 'active' AND o.status IN ('pending', 'awaiting_payment')""", event_id)
    board.awaiting_payment = held[0]["n"] if held else 0
    board.by_profession = by_profession.most_common()
    board.over_time = cumulative_by_day(dict(per_day))


def cumulative_by_day(per_day: dict[date, int]) -> list[tuple[date, int]]:
    total, out = 0, []
    for day in sorted(per_day):
        total += per_day[day]
        out.append((day, total))
    return out


async def _money(event_id: int, board: Dashboard) -> None:
    """The same figures as payments' ledger (paid − refunded; due = total − paid on open orders),
    summed in the database: three queries whatever the number of orders."""
    paid = await Payment.select(Sum(Payment.amount_cents, alias="paid")).where(
        (Payment.order.event == event_id) & (Payment.status == PaymentStatus.succeeded.value)).first()
    board.revenue_cents = (paid or {}).get("paid") or 0
    refunded = await Refund.select(Sum(Refund.amount_cents, alias="refunded")).where(
        Refund.order.event == event_id).first()
    board.refunded_cents = (refunded or {}).get("refunded") or 0
    board.outstanding_orders, board.outstanding_cents = await outstanding_of(event_id)


async def dashboard(event_id: int) -> Dashboard:
    event = await Event.select(Event.capacity, Event.currency).where(Event.id == event_id).first()
    board = Dashboard(currency=event["currency"])
    await _people(event_id, board)

    sales = await EventSales.select(EventSales.sold).where(EventSales.event == event_id).first()
    board.fill.append(Fill("Whole event", sales["sold"] if sales else board.registered, event["capacity"]))
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
