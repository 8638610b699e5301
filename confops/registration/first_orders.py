"""The order first placed under an idempotency key, for a request that could not be placed: a
retry of a placed order gets that order back, whatever the event's state now (sold out, a
lost race on the unique key).

Why the lookups go together: once an event sells out, every further attempt is answered 409
after this lookup, and in a rush they arrive by the hundred a second. Looked up one by one, the
lookups took most of a process's time in that phase and its answers waited behind them
(bench/registration_rush.py, bench/README.md). So, outside a transaction on PostgreSQL, the
lookups arriving in a process while one runs go in the next one, one statement for all
(`idempotency_key = ANY(…)`, the queue of confops/core/batching.py without a gate: a lookup
that finds nobody ahead goes at once).
"""

from __future__ import annotations

from confops.core.batching import Batches, Entry, settle
from confops.db import raw, readers_may_share
from confops.registration.tables import Order

_COLUMNS = "id, status, total_cents, currency, expires_at, idempotency_key, request_hash"
_ONE = f"SELECT {_COLUMNS} FROM {Order._meta.tablename} WHERE idempotency_key = {{}}"
_MANY = f"SELECT {_COLUMNS} FROM {Order._meta.tablename} WHERE idempotency_key = ANY({{}})"
_NONE = object()  # looked up, and no order has that key


async def first_order(key: str) -> dict | None:
    """The order placed under `key` (id, status, total_cents, currency, expires_at), or None."""
    if readers_may_share(Order):
        found = await LOOKUPS.submit(key, together=None)
        if found is not None:  # None: the shared lookup failed; look on its own, and raise what it raises
            return None if found is _NONE else found
    rows = await raw(Order, _ONE, key)
    return rows[0] if rows else None


async def _look_up(batch: list[Entry]) -> None:
    rows = await raw(Order, _MANY, sorted({e.item for e in batch}))
    found = {row["idempotency_key"]: row for row in rows}
    settle(batch, lambda e: found.get(e.item, _NONE))


LOOKUPS = Batches(_look_up, most=500)
