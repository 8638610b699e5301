"""Orders decided from the same kept catalog, placed together: one statement and one commit for
all the orders a process has waiting (group commit).

Why: every order updates the event's counter row and holds its lock until its commit, so orders
pass that row one at a time however fast each one is (bench/README.md: with the claims taken off
the counters the same code placed twice as many orders a second). Orders waiting in a process
while another is written are written next, together: their claims summed (one update of each
counter row for all of them) and their rows in one order_statement.

All or nothing: when a batch of several is refused (the summed claims do not fit, a repeated
idempotency key, anything the database refused), nothing was written and each of its orders is
decided again from a fresh read of the event, as any order refused from a kept catalog is
(orders.py): so the last places still go one by one, and no order is refused because of
another's problem.

One batch is written at a time per process (the `hot_rows` gate shared with the orders that go
the long way). The orders waiting form the queue; whoever's order is first in it when the
previous batch ends writes the next (no background task: a request that is cancelled while
waiting takes its order out, or hands its turn on).
"""

from __future__ import annotations

import asyncio
import weakref
from dataclasses import dataclass, field
from datetime import datetime

import asyncpg

from confops.db import hot_rows
from confops.registration import capacity, order_statement

# The most orders in one statement: a process rarely has more waiting (100 of a rush's 200 in
# flight), and the statement's text and arguments grow with it.
MAX_BATCH = 50
_LEAD = object()  # the outcome that says: your turn to write the next batch


@dataclass(eq=False)
class Pending:
    """One order waiting to be written. `together`: orders with equal values may share a
    statement (the same event, priced from the same catalog, claims that can be summed)."""
    together: tuple
    order: order_statement.NewOrder
    claims: dict  # capacity.claim_parts' keyword arguments but the event and fingerprint
    outcome: asyncio.Future = field(default_factory=lambda: asyncio.get_running_loop().create_future())


class _Queue:
    def __init__(self) -> None:
        self.waiting: list[Pending] = []
        self.writing = False


_QUEUES: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Queue] = weakref.WeakKeyDictionary()


def _queue() -> _Queue:
    loop = asyncio.get_running_loop()
    queue = _QUEUES.get(loop)
    if queue is None:
        queue = _QUEUES[loop] = _Queue()
    return queue


async def place(order: order_statement.NewOrder, *, event_id: int, fingerprint: str | None, claims: dict,
                writers: int, now: datetime) -> tuple[int, datetime | None] | None:
    """(order id, expires_at), or None when the database refused it, alone or with its batch
    (no room, its idempotency key used already, …; nothing written): the caller then decides
    again from a fresh read. An order with a discount code is placed on its own (a batch
    claims at most one code)."""
    together = (event_id, fingerprint) if claims.get("code") is None else (object(),)
    me = Pending(together, order, claims)
    queue = _queue()
    queue.waiting.append(me)
    if queue.writing:
        try:
            outcome = await me.outcome
        except asyncio.CancelledError:
            if me in queue.waiting:
                queue.waiting.remove(me)
            if me.outcome.done() and not me.outcome.cancelled() and me.outcome.result() is _LEAD:
                _hand_on(queue)
            raise
        if outcome is not _LEAD:
            return outcome
        me.outcome = asyncio.get_running_loop().create_future()
    queue.writing = True
    batch = [me]
    try:
        async with hot_rows("orders", writers):  # an order going the long way may be writing
            batch = _take(queue, me)  # taken now: whoever arrived while the gate was busy goes too
            await _write(batch, event_id=event_id, fingerprint=fingerprint, now=now)
    finally:
        if me in queue.waiting:  # cancelled before its turn came
            queue.waiting.remove(me)
        for other in batch:
            if not other.outcome.done():
                other.outcome.set_result(None)  # the writer was cancelled: each decides again
        _hand_on(queue)
    return me.outcome.result()


def _take(queue: _Queue, me: Pending) -> list[Pending]:
    """`me` and the orders waiting that may go with it, first come first served."""
    batch = [me]
    for other in queue.waiting:
        if len(batch) >= MAX_BATCH:
            break
        if other is not me and other.together == me.together and not other.outcome.done():
            batch.append(other)
    queue.waiting = [p for p in queue.waiting if p not in batch]
    return batch


def _hand_on(queue: _Queue) -> None:
    """The next order waiting writes the next batch; with none, nobody is writing."""
    while queue.waiting:
        first = queue.waiting[0]
        if not first.outcome.done():
            first.outcome.set_result(_LEAD)
            return
        queue.waiting.pop(0)
    queue.writing = False


async def _write(batch: list[Pending], *, event_id: int, fingerprint: str | None, now: datetime) -> None:
    """Every order of the batch gets its outcome: placed, or None (decide again from a fresh
    read). When the batch is refused, its first half is tried, and so on down to one order:
    what goes through is placed and the rest written the same way; when even one order alone
    is refused, the rest are all decided again, and so are the orders waiting to go with them
    (when an event sells out they all read the event, one shared read, instead of each being
    refused in turn). So the last places of an event cost a few statements, not one per order."""
    while batch:
        size = len(batch)
        while not (placed := await _placed(batch[:size], event_id=event_id, fingerprint=fingerprint, now=now)):
            if size == 1:
                queue = _queue()
                alike = [p for p in queue.waiting if p.together == batch[0].together and not p.outcome.done()]
                queue.waiting = [p for p in queue.waiting if p not in alike]
                _settle(batch + alike, {})
                return
            size //= 2
        _settle(batch[:size], placed)
        batch = batch[size:]


async def _placed(batch: list[Pending], *, event_id: int, fingerprint: str | None,
                  now: datetime) -> dict[str, tuple[int, datetime | None]]:
    """The batch written (per idempotency key, order id and expires_at), or {} when the
    database refused it (a claim found no room, a repeated idempotency key, …): nothing written."""
    claims = capacity.claim_parts(event_id=event_id, fingerprint=fingerprint, **summed([p.claims for p in batch]))
    try:
        return await order_statement.place([p.order for p in batch], claims=claims, now=now)
    except (order_statement.ClaimRefused, asyncpg.PostgresError):
        return {}


def _settle(batch: list[Pending], placed: dict) -> None:
    for p in batch:
        if not p.outcome.done():
            p.outcome.set_result(placed.get(p.order.key))


def summed(claims: list[dict]) -> dict:
    """The claims of several orders as one order's: places added up, categories and add-ons by
    id (their labels kept for the refusal's message); at most one of them may use a code."""
    categories: dict[int, list] = {}
    addons: dict[int, list] = {}
    codes = [c["code"] for c in claims if c.get("code") is not None]
    if len(codes) > 1:
        raise ValueError("orders with codes are placed on their own")
    for claim in claims:
        for into, rows in ((categories, claim["categories"]), (addons, claim["addons"])):
            for row_id, n, label in rows:
                into.setdefault(row_id, [row_id, 0, label])[1] += n
    return dict(places=sum(c["places"] for c in claims), categories=[tuple(c) for c in categories.values()],
                addons=[tuple(a) for a in addons.values()], code=codes[0] if codes else None)
