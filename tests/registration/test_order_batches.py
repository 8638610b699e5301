"""On PostgreSQL the orders a process has waiting while another is written go together: one
statement, their claims summed (order_batches.py). Each order must come out exactly as if it
had been placed alone: its own rows and mail, nobody's places oversold, the last places to the
first in line, and no order refused or lost because of another order in its batch."""

import asyncio
import json

from confops.core.errors import Conflict
from confops.core.tables import OutboxMessage
from confops.registration import catalog_cache, order_batches
from confops.registration.orders import place_order
from confops.registration.tables import AddOn, Attendee, Category, EventSales, Order
from tests.registration.factory import make_event, order, person
from tests.registration.test_order_statement import _statements_sent
from tests.support.statements import statements_seen


def _place(key: str, *people, complimentary: bool = True):
    return place_order("meeting", order(*(people or [person(email=f"{key}@example.org")]), key=key,
                                        buyer_email=f"{key}@example.org"),
                       hold_minutes=30, base_url="http://x", complimentary=complimentary)


async def _settled(*placing) -> list:
    """Every attempt's result or its error, in the order they were sent."""
    return await asyncio.gather(*placing, return_exceptions=True)


async def _sold() -> int:
    return (await EventSales.select(EventSales.sold).first())["sold"]


async def test_orders_waiting_together_are_written_in_one_statement(pg_db):
    await make_event(capacity=50)
    await _place("first")  # this process now keeps the event's catalog
    placed, sent = await _statements_sent(_settled(*(_place(f"p{i}") for i in range(20))))
    # The first goes alone (nobody was writing); the 19 that arrived meanwhile go together.
    assert sent == ["WITH", "WITH"], sent
    assert all(p.created and p.status == "confirmed" for p in placed)
    assert len({p.id for p in placed}) == 20 and await _sold() == 21
    for i, p in enumerate(placed):  # each order has its own attendee and its own confirmation
        people = await Attendee.select(Attendee.email, Attendee.order).where(Attendee.order == p.id)
        assert people == [{"email": f"p{i}@example.org", "order": p.id}]
        mails = await OutboxMessage.select(OutboxMessage.to_address, OutboxMessage.payload).where(
            OutboxMessage.dedupe_key.like(f"confirmation:{p.id}:%"))
        assert [m["to_address"] for m in mails] == [f"p{i}@example.org"]
        assert json.loads(mails[0]["payload"])["params"]["order_id"] == p.id


async def test_a_batch_of_any_size_is_the_same_statement_so_it_is_prepared_once(pg_db):
    # order_statement._unnest: rows go as arrays, so asyncpg keeps one prepared statement per
    # connection for 1, 3 or 19 orders (a VALUES list made each size another statement, and
    # one over 15 KB was prepared again every time).
    await make_event(capacity=50)
    await _place("first")
    with statements_seen() as seen:
        for size in (1, 4, 20):
            assert all(p.created for p in await _settled(*(_place(f"s{size}-{i}") for i in range(size))))
    texts = [query for query, _ in seen if query.startswith("WITH")]
    assert len(texts) == 5 and len(set(texts)) == 1, [len(t) for t in texts]  # 1; 1 + 3; 1 + 19
    assert len(texts[0]) < 15_000


async def test_the_last_places_go_to_the_first_in_line_and_none_is_oversold(pg_db):
    await make_event(capacity=10)
    await _place("first")
    results = await _settled(*(_place(f"p{i}") for i in range(20)))
    won = [i for i, r in enumerate(results) if not isinstance(r, BaseException)]
    assert won == list(range(9)), won  # first come, first served, though they were written in batches
    assert all(isinstance(r, Conflict) and r.code == "sold_out" for r in results[9:]), results[9:]
    assert await _sold() == 10 and await Order.count() == 10 and await Attendee.count() == 10


async def test_summed_claims_keep_each_category_and_add_on_within_its_capacity(pg_db):
    # 5 workshop places and 6 member places; 12 people ask at once, in mixed orders.
    await make_event(capacity=50, category_capacity=6, workshop_capacity=5)
    await _place("first", person("resident", "first@example.org"))

    def attendee(n: int, category: str, workshop: bool):
        return person(category, f"a{n}@example.org", addons={"workshop": 1} if workshop else {"book": 2})

    asks = [(f"o{i}", [attendee(i, "member" if i % 2 else "resident", i % 3 != 2)]) for i in range(12)]
    asks.append(("group", [attendee(100, "member", False), attendee(101, "member", False)]))
    results = await _settled(*(_place(key, *people, complimentary=False) for key, people in asks))
    sold = {key: r for (key, _), r in zip(asks, results, strict=True) if not isinstance(r, BaseException)}
    refused = {key: r.code for (key, _), r in zip(asks, results, strict=True) if isinstance(r, BaseException)}
    assert set(refused.values()) <= {"addon_full", "category_full"}, refused
    members = (await Category.select(Category.sold).where(Category.code == "member").first())["sold"]
    workshop = (await AddOn.select(AddOn.sold).where(AddOn.code == "workshop").first())["sold"]
    # The counters say exactly what the stored attendees and add-ons say, within capacity.
    assert members == await Attendee.count().where(Attendee.category.code == "member") <= 6
    assert workshop == 5  # more asked than there was room for
    assert await _sold() == await Attendee.count() == 1 + sum(len(p) for key, p in asks if key in sold)
    assert refused, "some asks must have found their category or add-on full"


async def test_a_repeated_form_token_in_a_batch_costs_nobody_else_their_order(pg_db):
    await make_event(capacity=50)
    await _place("first")
    keys = ["a", "b", "double", "c", "double", "d"]  # a double click among others
    results = await _settled(*(_place(k) for k in keys))
    assert not [r for r in results if isinstance(r, BaseException)], results
    first, again = results[2], results[4]
    assert first.id == again.id and [first.created, again.created].count(True) == 1
    assert all(r.created for i, r in enumerate(results) if keys[i] != "double")
    assert await Order.count() == 6 and await _sold() == 6


async def test_a_request_gone_while_its_order_waits_writes_nothing_and_blocks_nobody(pg_db):
    await make_event(capacity=50)
    await _place("first")
    writing = asyncio.create_task(_place("writing"))
    waiting = asyncio.create_task(_place("gone"))
    for _ in range(10_000):  # until "gone" is prepared and waits its turn
        if order_batches.BATCHES.queue().waiting:
            break
        await asyncio.sleep(0)
    assert order_batches.BATCHES.queue().waiting
    waiting.cancel()
    assert (await writing).created
    assert waiting.cancelled()
    later = await asyncio.wait_for(_place("later"), timeout=10)  # the queue still moves
    assert later.created
    assert await Order.count() == 3 and await Order.count().where(Order.idempotency_key == "gone") == 0
    assert not order_batches.BATCHES.queue().waiting and not order_batches.BATCHES.queue().writing


def test_summed_claims_add_up_places_categories_and_add_ons():
    summed = order_batches.summed([
        dict(places=2, categories=[(1, 2, "Member")], addons=[(7, 1, "Workshop")], code=None),
        dict(places=1, categories=[(2, 1, "Resident")], addons=[(7, 2, "Workshop"), (8, 1, "Book")], code=None),
        dict(places=3, categories=[(1, 1, "Member"), (2, 2, "Resident")], addons=[], code=None),
    ])
    assert summed == dict(places=6, categories=[(1, 3, "Member"), (2, 3, "Resident")],
                          addons=[(7, 3, "Workshop"), (8, 1, "Book")], code=None)


async def test_orders_arriving_together_at_a_cold_process_read_the_event_together(pg_db):
    # Nothing kept yet (a process's first orders, or the first after an edit): the orders
    # arriving at once share the event's read and its price list's, instead of a read each.
    await make_event(capacity=50)
    await _place("first")
    catalog_cache.forget_all()
    placed, sent = await _statements_sent(_settled(*(_place(f"p{i}") for i in range(20))))
    assert all(p.created for p in placed) and await _sold() == 21
    # The event (one read, or two when the first started before the others asked) and its
    # categories, add-ons and questions once; then the orders in two statements.
    assert sent.count("SELECT") <= 5 and sent.count("WITH") == 2, sent


def test_an_order_reads_top_to_bottom_with_no_partial_in_the_way():
    """The order's modules call what they mean: no callable bound ahead of time with
    functools.partial, which a reader must unwind to see what runs."""
    import ast
    from pathlib import Path

    import confops.registration as registration

    folder = Path(registration.__file__).parent
    for name in ("orders", "order_decision", "order_writers", "order_batches", "order_statement"):
        tree = ast.parse((folder / f"{name}.py").read_text())
        bound = [node.lineno for node in ast.walk(tree)
                 if isinstance(node, ast.Name | ast.Attribute) and getattr(node, "id", getattr(node, "attr", "")) == "partial"]
        assert not bound, f"{name}.py binds with partial at line(s) {bound}"
