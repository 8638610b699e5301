"""Orders decided from the same kept catalog, placed together: one statement and one commit for
all the orders a process has waiting (group commit).

Why: every order updates the event's counter row and holds its lock until its commit, so orders
pass that row one at a time however fast each one is (bench/README.md). Orders waiting in a process
while another is written are written next, together: their claims summed (one update of each
counter row for all of them) and their rows in one order_statement.

All or nothing: when a batch of several is refused (the summed claims do not fit, a repeated
idempotency key, anything the database refused), nothing was written and each of its orders is
decided again from a fresh read of the event, as any order refused from a kept catalog is
(orders.py): so the last places still go one by one, and no order is refused because of
another's problem.

One batch is written at a time per process (the gate it is given, shared with the orders that
go the long way: order_writers.py); the queue is confops/core/batching.py.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from confops.core.batching import Batches, Entry, settle
from confops.registration import capacity, order_statement


@dataclass(frozen=True)
class _Order:
    order: order_statement.NewOrder
    claims: dict  # capacity.claim_parts' keyword arguments but the event and fingerprint
    event_id: int
    fingerprint: str | None
    now: datetime


async def place(order: order_statement.NewOrder, *, event_id: int, fingerprint: str | None, claims: dict,
                gate: Callable[[], contextlib.AbstractAsyncContextManager],
                now: datetime) -> tuple[int, datetime | None] | None:
    """(order id, expires_at), or None when the database refused it, alone or with its batch
    (no room, its idempotency key used already, …; nothing written): the caller then decides
    again from a fresh read. An order with a discount code is placed on its own (a batch
    claims at most one code). `gate`: held while its batch is written."""
    together = (event_id, fingerprint) if claims.get("code") is None else object()
    return await BATCHES.submit(_Order(order, claims, event_id, fingerprint, now), together,
                                gate=gate)


async def _write(batch: list[Entry]) -> None:
    """Every order of the batch gets its outcome: placed, or None (decide again from a fresh
    read). When the batch is refused, its first half is tried, and so on down to one order:
    what goes through is placed and the rest written the same way; when even one order alone
    is refused, the rest are all decided again, and so are the orders waiting to go with them
    (when an event sells out they all read the event, one shared read, instead of each being
    refused in turn). So the last places of an event cost a few statements, not one per order."""
    while batch:
        size = len(batch)
        while not (placed := await _placed([e.item for e in batch[:size]])):
            if size == 1:
                settle(batch + BATCHES.withdraw(batch[0].together), lambda _: None)
                return
            size //= 2
        settle(batch[:size], lambda e: placed.get(e.item.order.key))
        batch = batch[size:]


# The most orders in one statement: a process rarely has more waiting (100 of a rush's 200 in
# flight), and the statement's text and arguments grow with it.
MAX_BATCH = 50
BATCHES = Batches(_write, most=MAX_BATCH)


async def _placed(orders: list[_Order]) -> dict[str, tuple[int, datetime | None]]:
    """The orders written (per idempotency key, order id and expires_at), or {} when the
    database refused them (a claim found no room, a repeated idempotency key, …): nothing written."""
    first = orders[0]
    claims = capacity.claim_parts(event_id=first.event_id, fingerprint=first.fingerprint,
                                  **summed([o.claims for o in orders]))
    try:
        return await order_statement.place([o.order for o in orders], claims=claims, now=first.now)
    except (order_statement.ClaimRefused, asyncpg.PostgresError):
        return {}


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
