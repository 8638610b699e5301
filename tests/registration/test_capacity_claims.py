"""Capacity claims on both engines: every counter of an order claimed together, the first that
does not fit named, nothing kept from a refused order, and no overselling when many orders
claim at once outside the per-process order queue."""

import asyncio
from datetime import timedelta

import pytest

from confops.core import clock
from confops.core.errors import Conflict
from confops.db import atomic, connection_pool, hot_rows
from confops.registration import capacity
from confops.registration.tables import AddOn, Category, DiscountCode, EventSales
from tests.registration.factory import make_event


async def counters(event_id: int) -> dict:
    sold = (await EventSales.select(EventSales.sold).where(EventSales.event == event_id).first())["sold"]
    cats = {r["code"]: r["sold"] for r in await Category.select(Category.code, Category.sold)}
    adds = {r["code"]: r["sold"] for r in await AddOn.select(AddOn.code, AddOn.sold)}
    codes = {r["code"]: r["used"] for r in await DiscountCode.select(DiscountCode.code, DiscountCode.used)}
    return {"event": sold, **cats, **adds, **codes}


async def ids() -> tuple[dict, dict, dict]:
    cats = {r["code"]: r["id"] for r in await Category.select(Category.code, Category.id)}
    adds = {r["code"]: r["id"] for r in await AddOn.select(AddOn.code, AddOn.id)}
    codes = {r["code"]: r["id"] for r in await DiscountCode.select(DiscountCode.code, DiscountCode.id)}
    return cats, adds, codes


async def claim(event_id: int, *, places=1, member=0, resident=0, workshop=0, code: str | None = None) -> None:
    cats, adds, codes = await ids()
    async with atomic():
        await capacity.claim_together(
            event_id=event_id, places=places,
            categories=[(cats[c], n, c) for c, n in (("member", member), ("resident", resident)) if n],
            addons=[(adds["workshop"], workshop, "Workshop")] if workshop else [],
            code=(codes[code], 1, clock.now()) if code else None)


async def test_each_refusal_names_what_is_full_and_keeps_nothing(db):
    event_id = await make_event(capacity=3, category_capacity=1, workshop_capacity=1)
    await claim(event_id, member=1, workshop=1, code="ONCE")
    before = await counters(event_id)
    assert (before["event"], before["member"], before["workshop"], before["ONCE"]) == (1, 1, 1, 1)
    for kwargs, refusal in [({"member": 1}, "category_full"), ({"resident": 1, "workshop": 1}, "addon_full"),
                            ({"resident": 1, "code": "ONCE"}, "code_invalid"), ({"resident": 1, "code": "OLD"}, "code_invalid"),
                            ({"places": 3, "resident": 3}, "sold_out")]:
        with pytest.raises(Conflict) as caught:
            await claim(event_id, **kwargs)
        assert caught.value.code == refusal, kwargs
        assert await counters(event_id) == before, kwargs  # the refused order's other claims rolled back
    # When several are full the event's own capacity is named first, as a buyer would want to know.
    with pytest.raises(Conflict) as caught:
        await claim(event_id, places=3, member=1, workshop=1)
    assert caught.value.code == "sold_out"
    await claim(event_id, places=2, resident=2)
    assert (await counters(event_id))["event"] == 3


async def test_concurrent_claims_outside_the_queue_never_oversell(db):
    """The order queue (hot_rows) keeps a rush orderly, but correctness must not depend on it:
    60 transactions claim at once for 20 places, 8 member places and 5 workshop places."""
    event_id = await make_event(capacity=20, category_capacity=8, workshop_capacity=5)
    outcomes: list[str] = []

    async def attempt(i: int) -> None:
        try:
            await claim(event_id, member=1 if i % 3 == 0 else 0, resident=0 if i % 3 == 0 else 1,
                        workshop=1 if i % 2 == 0 else 0)
            outcomes.append("ok")
        except Conflict as exc:
            outcomes.append(exc.code)

    async with connection_pool(db.engine, size=20):
        await asyncio.gather(*(attempt(i) for i in range(60)))
    after = await counters(event_id)
    assert outcomes.count("ok") == after["event"] <= 20
    assert after["member"] <= 8 and after["workshop"] <= 5
    assert after["member"] + after["resident"] == after["event"]  # all of an order's claims, or none
    assert set(outcomes) <= {"ok", "sold_out", "category_full", "addon_full"}


async def test_the_order_queue_lets_a_few_through_at_a_time_and_waits_for_nobody_inside_a_transaction(db):
    inside, most = 0, 0

    async def section() -> None:
        nonlocal inside, most
        async with hot_rows("test", 2):
            inside += 1
            most = max(most, inside)
            await asyncio.sleep(0.01)
            inside -= 1

    await asyncio.gather(*(section() for _ in range(10)))
    assert most == 2

    async def nested() -> None:  # a caller's transaction: no waiting (it may hold what the queue needs)
        async with atomic(), hot_rows("test", 1), hot_rows("test", 1):
            pass

    await asyncio.wait_for(nested(), timeout=5)


async def test_an_expired_code_is_refused_by_the_claim_itself(db):
    event_id = await make_event()
    await DiscountCode.update({DiscountCode.expires_at: clock.now() + timedelta(seconds=1)}).where(
        DiscountCode.code == "SAVE10")
    await claim(event_id, resident=1, code="SAVE10")
    with clock.frozen_at(clock.now() + timedelta(minutes=1)):
        with pytest.raises(Conflict) as caught:
            await claim(event_id, resident=1, code="SAVE10")
    assert caught.value.code == "code_invalid"
