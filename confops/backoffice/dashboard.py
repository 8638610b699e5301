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
from confops.core.time_buckets import as_day
from confops.events import tallies as agenda_tallies
from confops.events.labels import profession_label
from confops.events.tables import Event, Session
from confops.payments import tallies as money_tallies
from confops.registration import tallies
from confops.registration.tables import AddOn, Category, EventSales


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


async def _people(event_id: int, board: Dashboard) -> None:
    """Who is registered, per category, profession and day, from the running tally the
    database keeps (registration/tallies.py): a few hundred rows whatever the event's size."""
    counted = await tallies.counts(event_id)
    labels = {c["id"]: c["label"] for c in await Category.select(Category.id, Category.label).where(
        Category.event == event_id)}
    by_category: Counter = Counter()
    by_profession: Counter = Counter()
    per_day: Counter = Counter()
    for (state, category, profession, day), n in counted.items():
        if state == "held":
            board.awaiting_payment += n
        if state != "confirmed":
            continue
        by_category[labels.get(category, "")] += n
        by_profession[profession_label(profession)] += n  # codes and old free text alike, in words
        per_day[as_day(day)] += n
    board.by_category = sorted(by_category.items(), key=lambda kv: (-kv[1], kv[0]))
    board.registered = sum(by_category.values())
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
    from the running sums the database keeps (payments/tallies.py)."""
    money = await money_tallies.totals(event_id)
    board.revenue_cents, board.refunded_cents = money.paid_cents, money.refunded_cents
    board.outstanding_orders, board.outstanding_cents = money.owing_orders, money.owed_cents


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
        picks = await agenda_tallies.picks(event_id)  # the running count per session, not every pick
        board.sessions = [Fill(f"{s['code']} {s['title']}".strip(), picks.get(s["id"], 0),
                               s["capacity"] or s["room_capacity"]) for s in sessions]

    await _money(event_id, board)
    for answer in await extension.collect("dashboard_panels", event_id=event_id):
        board.panels.extend(answer or [])
    return board
