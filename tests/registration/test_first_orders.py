"""A retry of a placed order gets that order back, even once the event is sold out, while new
attempts get `sold_out`; on PostgreSQL the lookups of many such answers at once share
statements (first_orders.py)."""

import asyncio

from confops.core.errors import Conflict
from confops.registration.order_decision import scoped_key
from confops.registration.orders import place_order
from confops.registration.tables import Attendee, EventSales, Order
from tests.registration.factory import make_event, order, person
from tests.support.statements import statements_seen


def _place(key: str, *, complimentary: bool = True):
    return place_order("meeting", order(person(email=f"{key}@example.org"), key=key, buyer_email=f"{key}@example.org"),
                       hold_minutes=30, base_url="http://x", complimentary=complimentary)


async def _sold_out_answers(retries: list[str], new: list[str]) -> tuple[list, list]:
    results = await asyncio.gather(*(_place(k) for k in retries + new), return_exceptions=True)
    return results[:len(retries)], results[len(retries):]


async def test_after_a_sell_out_retries_get_their_orders_and_new_attempts_sold_out(db):
    await make_event(capacity=5)
    placed = {f"p{i}": await _place(f"p{i}") for i in range(5)}
    again, new = await _sold_out_answers(list(placed), [f"late{i}" for i in range(5)])
    assert [(r.id, r.created, r.status) for r in again] == [(p.id, False, "confirmed") for p in placed.values()]
    assert [r.token for r in again] == [p.token for p in placed.values()]  # the confirmation link works again
    assert all(isinstance(r, Conflict) and r.code == "sold_out" for r in new), new
    assert await Order.count() == await Attendee.count() == 5
    assert (await EventSales.select(EventSales.sold).first())["sold"] == 5


async def test_on_postgresql_many_sold_out_answers_share_their_lookups(pg_db):
    event_id = await make_event(capacity=3)
    placed = [await _place(f"p{i}") for i in range(3)]
    with statements_seen() as seen:
        again, new = await _sold_out_answers(["p1"], [f"late{i}" for i in range(40)])
    # The lookups' parameter: the key, or the list of keys.
    lookups = [args[0] for query, args in seen if query.lstrip().startswith("SELECT") and "idempotency_key" in query]
    assert (again[0].id, again[0].created) == (placed[1].id, False)
    assert all(isinstance(r, Conflict) and r.code == "sold_out" for r in new), new
    # The first lookup goes at once; the ones that arrived while it ran go together.
    assert 1 < len(lookups) <= 3, lookups
    assert sorted(key for keys in lookups for key in keys) == sorted(
        scoped_key(event_id, k) for k in ["p1"] + [f"late{i}" for i in range(40)])


async def test_a_retried_order_awaiting_payment_comes_back_with_its_hold(db):
    await make_event(capacity=1)
    first = await _place("paid", complimentary=False)
    assert first.status == "awaiting_payment" and first.expires_at is not None
    again = await _place("paid", complimentary=False)  # sold out now: found by its key
    assert (again.id, again.created, again.status) == (first.id, False, "awaiting_payment")
    assert (again.total_cents, again.currency) == (first.total_cents, first.currency)
    assert again.expires_at == first.expires_at
