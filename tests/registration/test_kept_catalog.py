"""On PostgreSQL an order after the first is priced from the catalog this process last read
(no query) and confirmed by the event's fingerprint in the statement that writes it. Whatever
changed in between, wherever it was changed, the order must come out exactly as if the event
had been read afresh: refused when it should be, at the price it should be, with nothing
written when refused. The same tests run on SQLite, which always reads afresh."""

from datetime import UTC, datetime, timedelta

import pytest

from confops.core import clock
from confops.core.errors import Conflict
from confops.events.tables import Event
from confops.registration.orders import place_order
from confops.registration.tables import Category, EventSales, Order
from tests.registration.factory import make_event, order, person


def place(key: str, **extra):
    return place_order("meeting", order(person(email=f"{key}@example.org"), key=key, **extra), hold_minutes=30,
                       base_url="http://x")


async def _sold() -> int:
    return (await EventSales.select(EventSales.sold).first())["sold"]


async def _close_registration(event_id: int) -> None:
    await Event.update({Event.registration_closes_at: clock.now() - timedelta(minutes=1)}).where(Event.id == event_id)


async def _cancel_event(event_id: int) -> None:
    await Event.update({Event.status: "cancelled"}).where(Event.id == event_id)


async def _sell_the_rest_elsewhere(event_id: int) -> None:
    await EventSales.update({EventSales.sold: 50}).where(EventSales.event == event_id)


@pytest.mark.parametrize(("edit", "refusal"), [
    (_close_registration, "registration_closed"),
    (_cancel_event, "registration_closed"),
    (_sell_the_rest_elsewhere, "sold_out"),
], ids=["registration-closed", "event-cancelled", "sold-out-by-another-process"])
async def test_a_change_made_behind_the_process_refuses_the_next_order(db, edit, refusal):
    event_id = await make_event(capacity=50)
    await place("first")  # this process now keeps the catalog
    await edit(event_id)  # by hand: no service told this process
    sold, orders = await _sold(), await Order.count()
    with pytest.raises(Conflict) as caught:
        await place("second")
    assert caught.value.code == refusal
    assert (await _sold(), await Order.count()) == (sold, orders)


async def test_a_price_phase_set_behind_the_process_prices_the_next_order(db):
    event_id = await make_event()
    assert (await place("first")).total_cents == 70000  # resident, regular price
    await EventSales.update({EventSales.late_starts_at: clock.now() - timedelta(minutes=1)}).where(
        EventSales.event == event_id)
    assert (await place("second")).total_cents == 75000  # the late price, though nobody said so


async def test_time_passing_moves_the_phase_of_a_kept_catalog(db):
    start = datetime.now(UTC).replace(microsecond=0)
    with clock.frozen_at(start):
        event_id = await make_event()
        await EventSales.update({EventSales.early_bird_ends_at: start + timedelta(minutes=10)}).where(
            EventSales.event == event_id)
        assert (await place("early")).total_cents == 64000
        clock.advance(timedelta(minutes=15))  # no edit, no hold expired: the early-bird date has just passed
        assert (await place("regular")).total_cents == 70000


async def test_a_code_and_a_repeated_key_work_from_a_kept_catalog(db):
    await make_event()
    await place("first")
    with_code = await place("coded", code="SAVE10")
    assert with_code.created and with_code.total_cents == 63000
    again = await place("coded", code="SAVE10")
    assert (again.created, again.id) == (False, with_code.id)
    assert await _sold() == 2


async def test_a_price_edited_by_hand_is_seen_once_the_kept_catalog_is_old(db, monkeypatch):
    # An edit that bypasses the services leaves the catalog stamp (and so the fingerprint) as
    # it was; like the price-list cache, the kept catalog is then trusted only for a while.
    from confops.registration import catalog_cache

    await make_event()
    assert (await place("first")).total_cents == 70000
    await Category.update({Category.regular_cents: 71000}).where(Category.code == "resident")
    monkeypatch.setattr(catalog_cache, "CACHE_SECONDS", 0.0)  # as if that while had passed
    assert (await place("second")).total_cents == 71000
