"""Placing orders on both engines: pricing, idempotency, capacity, codes, bad input."""

import asyncio
from datetime import timedelta

import pytest

from confops.core import clock
from confops.core.errors import Conflict, Invalid
from confops.db import connection_pool, transaction
from confops.registration.order_decision import scoped_key
from confops.registration.orders import place_order
from confops.registration.tables import (
    AddOn,
    Answer,
    Attendee,
    AttendeeAddOn,
    Category,
    DiscountCode,
    EventSales,
    Order,
)
from tests.registration.factory import make_event, order, person

place = lambda o, slug="meeting": place_order(slug, o, hold_minutes=30, base_url="http://x")  # noqa: E731


async def counts() -> tuple:
    return (await Order.count(), await Attendee.count(), await Answer.count(), await AttendeeAddOn.count(),
            await EventSales.select(EventSales.sold).first(), await Category.select(Category.sold),
            await AddOn.select(AddOn.sold), await DiscountCode.select(DiscountCode.used))


async def test_paid_order_awaits_payment_and_keeps_a_snapshot(db):
    await make_event()
    placed = await place(order(person(addons={"workshop": 1}), code="SAVE10"))
    assert placed.status == "awaiting_payment"
    assert placed.total_cents == 70000 - 7000 + 15000
    assert placed.expires_at is not None and placed.token
    row = await Order.select().where(Order.id == placed.id).first()
    assert row["token_hash"] != placed.token  # stored hashed
    assert (await AddOn.select(AddOn.sold).where(AddOn.code == "workshop").first())["sold"] == 1
    assert (await EventSales.select(EventSales.sold).first())["sold"] == 1


async def test_free_order_is_confirmed_at_once(db):
    await make_event()
    placed = await place(order(person(), code="SCHOLAR"))
    assert (placed.status, placed.total_cents) == ("confirmed", 0)


async def test_same_form_token_makes_one_order(db):
    await make_event()
    first = await place(order(person(), key="same"))
    again = await place(order(person(), key="same"))
    assert again.id == first.id and not again.created
    both = await asyncio.gather(*(place(order(person(), key="twice")) for _ in range(5)))
    assert len({p.id for p in both}) == 1
    assert await Order.count() == 2
    assert (await EventSales.select(EventSales.sold).first())["sold"] == 2


async def test_inside_a_callers_transaction_a_repeat_or_a_failure_leaves_it_usable(db):
    """The walk-in desk places the order inside its own transaction: a double submission finds
    the first order (PostgreSQL would otherwise abort the whole transaction on the unique key),
    and an order that fails part-way leaves nothing behind while the caller carries on."""
    event_id = await make_event(workshop_capacity=1)
    async with transaction():
        first = await place(order(person(addons={"workshop": 1}), key="desk"))
        again = await place(order(person(addons={"workshop": 1}), key="desk"))
        assert (again.id, again.created, first.created) == (first.id, False, True)
        before = await counts()
        with pytest.raises(Conflict) as full:
            await place(order(person(email="b@example.org", addons={"workshop": 1}), key="desk-2"))
        assert full.value.code == "addon_full"
        assert await counts() == before  # the failed order's rows and claims are rolled back
        await EventSales.update({EventSales.refund_tiers: "60:100"}).where(EventSales.event == event_id)
    # stored within its event (orders.scoped_key): the same key at another event is another order
    assert await Order.select(Order.idempotency_key) == [{"idempotency_key": scoped_key(event_id, "desk")}]
    assert (await EventSales.select(EventSales.refund_tiers, EventSales.sold).first()) == {
        "refund_tiers": "60:100", "sold": 1}  # the caller's own change committed with the order


async def test_group_order_prices_each_attendee_by_category(db):
    await make_event()
    placed = await place(order(person("member", "m@example.org"), person("resident", "r@example.org")))
    assert placed.total_cents == 87500 + 70000
    assert await Attendee.count() == 2


BAD = [
    ("attendees[0].email", dict(email="not-an-email")),
    ("attendees[0].email", dict(email="")),
    ("attendees[0].category", dict(category="nope")),
    ("attendees[0].addons.nope", dict(addons={"nope": 1})),
    ("attendees[0].addons.book", dict(addons={"book": 0})),
    ("attendees[0].addons.book", dict(addons={"book": -1})),
    ("attendees[0].addons.book", dict(addons={"book": 10**9})),
    ("attendees[0].answers.first_meeting", dict(answers={})),
    ("attendees[0].first_name", dict(first_name="x" * 10_000)),
    ("attendees[0].last_name", dict(last_name="Li\x00ma")),
]


@pytest.mark.parametrize(("field", "bad"), BAD)
async def test_bad_input_names_the_field_and_changes_nothing(db, field, bad):
    await make_event()
    before = await counts()
    values = dict(category="resident", email="ana@example.org")
    values.update(bad)
    with pytest.raises(Invalid) as caught:
        await place(order(person(**values)))
    assert field in caught.value.field_messages()
    assert await counts() == before


@pytest.mark.parametrize("code", ["OLD", "NOPE", "RESONLY"])
async def test_expired_unknown_or_wrong_category_code(db, code):
    await make_event()
    before = await counts()
    with pytest.raises(Invalid) as caught:
        await place(order(person("member"), code=code))
    assert "code" in caught.value.field_messages()
    assert await counts() == before


async def test_every_bad_field_at_once(db):
    await make_event()
    with pytest.raises(Invalid) as caught:
        await place(order(person(email="bad", first_name="", category="nope")))
    assert {"attendees[0].email", "attendees[0].first_name", "attendees[0].category"} <= set(
        caught.value.field_messages())


async def test_exhausted_code_and_full_addon_roll_back_everything(db):
    await make_event(workshop_capacity=1)
    await place(order(person(addons={"workshop": 1}), code="ONCE", key="a"))
    before = await counts()
    with pytest.raises(Invalid):
        await place(order(person(email="b@example.org"), code="ONCE", key="b"))
    with pytest.raises(Conflict) as caught:
        await place(order(person(email="c@example.org", addons={"workshop": 1}), key="c"))
    assert caught.value.code == "addon_full"
    assert await counts() == before


async def test_outside_the_window_or_draft_event(db):
    from confops.core.errors import NotFound
    from confops.events.tables import Event

    event_id = await make_event()
    await Event.update({Event.registration_closes_at: clock.now() - timedelta(minutes=1)}).where(Event.id == event_id)
    with pytest.raises(Conflict) as caught:
        await place(order(person()))
    assert caught.value.code == "registration_closed"
    await Event.update({Event.status: "cancelled"}).where(Event.id == event_id)
    with pytest.raises(Conflict):
        await place(order(person()))
    await Event.update({Event.status: "draft"}).where(Event.id == event_id)
    with pytest.raises(NotFound):
        await place(order(person()))
    assert await Order.count() == 0


async def test_category_capacity_on_top_of_event_capacity(db):
    await make_event(category_capacity=1)
    await place(order(person("member"), key="a"))
    with pytest.raises(Conflict) as caught:
        await place(order(person("member", "x@example.org"), key="b"))
    assert caught.value.code == "category_full"
    assert (await EventSales.select(EventSales.sold).first())["sold"] == 1


async def test_200_concurrent_attempts_at_50_places_sell_exactly_50(db):
    await make_event(capacity=50, workshop_capacity=None)

    async def attempt(i: int):
        try:
            return await place(order(person(email=f"p{i}@example.org"), key=f"rush-{i}"))
        except Conflict as exc:
            assert exc.code == "sold_out"
            return None

    async with connection_pool(db.engine, size=10):  # as the app runs: a bounded pool
        results = await asyncio.gather(*(attempt(i) for i in range(200)))
    assert sum(1 for r in results if r is not None) == 50
    assert await Attendee.count() == 50
    assert (await EventSales.select(EventSales.sold).first())["sold"] == 50
