"""What this process keeps of events' catalogs between reads (catalog.py reads; nothing here
queries or writes the database):

- each event's categories, add-ons and questions, under the event's catalog stamp (a staff edit
  makes a new stamp, so every process reloads); the age limit only bounds how long an edit made
  outside the services (piccolo-admin, SQL by hand) can go unseen;
- the catalog as last read, per event (PostgreSQL only, where it has a fingerprint): an order
  may be decided from it with no query, and the statement that writes the order checks the
  fingerprint;
- reads shared by the callers of one process: while one read of an event runs, everyone
  arriving waits for the next, which starts when it ends, so a rush's hundreds of identical
  reads (a sold-out event must be re-read: a freed place must be seen) are two at most.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from confops.core.per_loop import PerLoop

CACHE_MAX = 256  # events per process
CACHE_SECONDS = 60.0

Parts = tuple[list[dict], list[dict], list[dict]]  # categories, add-ons, questions

# event id -> (catalog stamp, loaded at, parts)
_PARTS: dict[int, tuple[str, float, Parts]] = {}
_LOADING: PerLoop[dict[tuple[int, str], asyncio.Task]] = PerLoop(dict)
# slug -> (the catalog as last read in this process, when)
_KEPT: dict[str, tuple[Any, float]] = {}


def parts(event_id: int, stamp: str) -> Parts | None:
    cached = _PARTS.get(event_id)
    if cached is not None and stamp and cached[0] == stamp and time.monotonic() - cached[1] < CACHE_SECONDS:
        return cached[2]
    return None


def keep_parts(event_id: int, stamp: str, loaded: Parts) -> None:
    if len(_PARTS) >= CACHE_MAX:
        _PARTS.clear()
    _PARTS[event_id] = (stamp, time.monotonic(), loaded)


async def load_parts_once(event_id: int, stamp: str, load: Callable[[], Awaitable[Parts]]) -> Parts:
    """One `load` per event and stamp at a time in this process: when a rush starts (or right
    after an edit) a hundred orders arrive at once and would each load the same rows."""
    loop = asyncio.get_running_loop()
    loading = _LOADING.get()
    if (task := loading.get((event_id, stamp))) is None:
        task = loading[(event_id, stamp)] = loop.create_task(load())

        def loaded(done: asyncio.Task) -> None:
            loading.pop((event_id, stamp), None)
            if not done.cancelled():
                done.exception()  # retrieved: nobody left waiting gives no warning

        task.add_done_callback(loaded)
    return await asyncio.shield(task)


def keep(slug: str, catalog) -> None:
    if len(_KEPT) >= CACHE_MAX:
        _KEPT.clear()
    _KEPT[slug] = (catalog, time.monotonic())


def kept(slug: str):
    """The catalog last read, while young enough; None when the order must read: sold out (a
    freed place must be seen), an expired hold to free (in the order's transaction, which
    reads) or an early bird for "the first N" (whose count moves with every order)."""
    catalog, at = _KEPT.get(slug, (None, 0.0))
    if (catalog is None or time.monotonic() - at >= CACHE_SECONDS or catalog.sold_out
            or catalog.sales["expired_held"] or catalog.sales["early_bird_first_n"] is not None):
        return None
    return catalog


def forget(event_id: int) -> None:
    """After a staff edit in this process: its next read loads everything again."""
    _PARTS.pop(event_id, None)
    for slug in [slug for slug, (catalog, _) in _KEPT.items() if catalog.event["id"] == event_id]:
        _KEPT.pop(slug, None)


def forget_all() -> None:
    _PARTS.clear()
    _KEPT.clear()


class _SharedRead:
    """One event's reads in this process: the one running, and the one that starts after it,
    which every caller arriving meanwhile waits for."""

    def __init__(self) -> None:
        self.running: asyncio.Future | None = None
        self.next: asyncio.Future | None = None


_SHARED: PerLoop[dict[str, _SharedRead]] = PerLoop(dict)
_READERS: set[asyncio.Task] = set()


async def shared_read(slug: str, read: Callable[[str], Awaitable[Any]]) -> Any:
    """`read(slug)` as a query that starts after this call, shared with the callers arriving
    while it waits to start."""
    loop = asyncio.get_running_loop()
    shared = _SHARED.get().setdefault(slug, _SharedRead())
    if (future := shared.next) is None:
        future = shared.next = loop.create_future()
        future.add_done_callback(lambda done: done.cancelled() or done.exception())  # nobody waiting: no warning
        task = loop.create_task(_run_shared(shared, slug, future, read))
        _READERS.add(task)
        task.add_done_callback(_READERS.discard)
    return await asyncio.shield(future)


async def _run_shared(shared: _SharedRead, slug: str, future: asyncio.Future, read) -> None:
    if shared.running is not None:
        await asyncio.wait([shared.running])
    shared.next, shared.running = None, future
    try:
        future.set_result(await read(slug))
    except asyncio.CancelledError:
        future.cancel()
        raise
    except Exception as problem:  # noqa: BLE001 - handed to every caller waiting for this read
        future.set_exception(problem)
    finally:
        if shared.running is future:
            shared.running = None
