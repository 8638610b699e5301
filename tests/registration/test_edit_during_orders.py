"""Editing an event while orders are being placed never prices an order with a half-applied
change: one save moves the event from its early-bird rate straight to its late rate (both dates
in one form); an order that saw only half of it would be priced at the regular rate."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from confops.core import clock
from confops.core.auth import Principal, Role
from confops.events.tables import Event
from confops.registration import event_setup
from confops.registration.tables import EventSales, Order
from tests.registration.factory import make_event

EARLY, REGULAR, LATE = 64000, 70000, 75000  # the factory's resident prices


def _body(n: int) -> dict:
    return {"buyer_name": f"Buyer {n}", "buyer_email": f"b{n}@example.org", "idempotency_key": f"edit-race-order-{n:04d}",
            "attendees": [{"category": "resident", "email": f"b{n}@example.org", "first_name": "B", "last_name": f"N{n}",
                           "answers": {"first_meeting": "yes"}}]}


async def test_orders_during_an_edit_see_all_of_it_or_none(client):
    event_id = await make_event(capacity=None)
    await EventSales.update({EventSales.early_bird_ends_at: clock.now() + timedelta(days=30),
                             EventSales.late_starts_at: None}).where(EventSales.event == event_id)
    event = await Event.select().where(Event.id == event_id).first()
    sales = await EventSales.select().where(EventSales.event == event_id).first()
    form = event_setup.form_values(event, sales)
    tz = event["timezone"]
    form.update(early_bird_ends_at=clock.local(clock.now() - timedelta(days=2), tz).strftime("%Y-%m-%dT%H:%M"),
                late_starts_at=clock.local(clock.now() - timedelta(days=1), tz).strftime("%Y-%m-%dT%H:%M"))
    staff = Principal(user_id=0, email="staff@example.org", display_name="Staff",
                      roles={event["organizer"]: frozenset({Role.admin})})
    first = await client.post("/api/v1/events/meeting/orders", json=_body(0))
    assert first.json()["total_cents"] == EARLY

    async def order(n: int) -> int:
        await asyncio.sleep(n * 0.04)  # spread over 1.6 s: some before the edit, some after
        r = await client.post("/api/v1/events/meeting/orders", json=_body(n))
        assert r.status_code == 201, r.text
        return r.json()["total_cents"]

    async def edit() -> None:
        await asyncio.sleep(0.1)
        await event_setup.update_event(staff, "meeting", form)

    results = await asyncio.gather(*(order(n) for n in range(1, 41)), edit())
    totals = results[:-1]
    assert REGULAR not in totals and set(totals) == {EARLY, LATE}  # orders on both sides of the edit
    last = await client.post("/api/v1/events/meeting/orders", json=_body(99))
    assert last.json()["total_cents"] == LATE  # once saved, every order sees the change
    assert await Order.count() == 42
