"""What an event sells right now: categories, add-ons and questions, with live availability."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, replace
from functools import cache

from confops.core import clock
from confops.core.errors import NotFound
from confops.core.per_loop import PerLoop
from confops.db import is_sqlite, raw, readers_may_share
from confops.events.tables import Event, EventStatus
from confops.registration import pricing
from confops.registration.tables import AddOn, Category, EventSales, Question

EVENT_COLUMNS = (Event.id, Event.slug, Event.title, Event.status, Event.capacity, Event.currency,
                 Event.starts_at, Event.ends_at, Event.timezone, Event.venue_name, Event.venue_address,
                 Event.city, Event.region, Event.registration_opens_at, Event.registration_closes_at,
                 Event.edit_deadline, Event.organizer, Event.online)


@dataclass
class Catalog:
    event: dict
    sales: dict
    categories: list[dict]
    addons: list[dict]
    questions: list[dict]
    phase: pricing.PhaseKind
    kept: bool = False  # kept from an earlier read in this process (see load_catalog), not read now

    @property
    def places_left(self) -> int | None:
        cap = self.event["capacity"]
        return None if cap is None else max(0, cap - self.sales["sold"])

    @property
    def sold_out(self) -> bool:
        return self.places_left == 0

    def window_problem(self) -> str | None:
        now = clock.now()
        event = self.event
        if event["status"] != EventStatus.published.value:
            return "Registration is not open for this event."
        if event["registration_opens_at"] and now < event["registration_opens_at"]:
            return "Registration has not opened yet."
        if event["registration_closes_at"] and now >= event["registration_closes_at"]:
            return "Registration has closed."
        return None

    def phase_rules(self) -> pricing.PhaseRules:
        return pricing.PhaseRules(self.sales["early_bird_ends_at"], self.sales["early_bird_first_n"],
                                  self.sales["late_starts_at"])


def category_price(row: dict) -> pricing.CategoryPrice:
    return pricing.CategoryPrice(row["code"], row["label"], row["early_cents"], row["regular_cents"],
                                 row["late_cents"])


def addon_price(row: dict) -> pricing.AddOnPrice:
    return pricing.AddOnPrice(row["code"], row["label"], row["price_cents"])


_LAST_RELEASE: dict[int, float] = {}
RELEASE_EVERY_SECONDS = 5.0


async def _release_at_read_time(event_id: int) -> bool:
    """Expired holds free their places when the event is read, not only when the worker runs;
    at most every few seconds per process, so a rush does not pay two extra queries a request."""
    from confops.registration.holds import release_expired

    now = clock.now().timestamp()
    if now - _LAST_RELEASE.get(event_id, float("-inf")) < RELEASE_EVERY_SECONDS:
        return False
    _LAST_RELEASE[event_id] = now
    return bool(await release_expired(event_id=event_id))


_EVENT_FIELDS = tuple(c._meta.name for c in EVENT_COLUMNS)
_SALES_FIELDS = ("id", "sold", "cancellation_policy", "refund_tiers", "cancellation_fee_cents",
                 "early_bird_ends_at", "early_bird_first_n", "late_starts_at", "early_claimed", "catalog_stamp",
                 "payment_term_days")

# event id -> (catalog stamp, loaded at, categories, add-ons, questions); per process, bounded.
# The stamp is what keeps it right; the age limit only bounds how long an edit made outside
# the services (piccolo-admin, SQL by hand) can go unseen.
_CACHE: dict[int, tuple[str, float, list[dict], list[dict], list[dict]]] = {}
_CACHE_MAX = 256
CACHE_SECONDS = 60.0


def _with_left(rows: list[dict]) -> list[dict]:
    return [{**r, "left": None if r["capacity"] is None else max(0, r["capacity"] - r["sold"])} for r in rows]


def fingerprint_sql(event_row: str, sales_row: str) -> str:
    """PostgreSQL: a digest of everything in the event's row and its sales row but the two
    counters every order moves (sold, early_claimed). An order priced from a kept catalog is
    placed only while the digest is unchanged (capacity.claim_parts), so an edit of the event
    made anywhere (another process, piccolo-admin, SQL by hand) is never missed."""
    return f"md5(to_jsonb({event_row})::text || (to_jsonb({sales_row}) - 'sold' - 'early_claimed')::text)"


@cache
def _event_and_sales_sql(postgres: bool) -> str:
    """Written once from the tables' column names. Building the same query with Piccolo's
    join-and-alias columns cost 1.1 ms of CPU per call, eight times the query itself
    (measured on PostgreSQL; the order's hot path and every sold-out answer run it)."""
    sales = ", ".join(f's."{getattr(EventSales, f)._meta.db_column_name}" AS "{f}"' for f in _SALES_FIELDS)
    event = ", ".join(f'e."{getattr(Event, f)._meta.db_column_name}" AS "event__{f}"' for f in _EVENT_FIELDS)
    fingerprint = f', {fingerprint_sql("e", "s")} AS "fingerprint"' if postgres else ', NULL AS "fingerprint"'
    return (f"SELECT {sales}, {event}{fingerprint} FROM {EventSales._meta.tablename} s "
            f"JOIN {Event._meta.tablename} e ON e.id = s.event WHERE e.slug = {{}}")


class _SharedRead:
    """One event's reads in this process: the one running, and the one that starts after it,
    which every caller arriving meanwhile waits for."""

    def __init__(self) -> None:
        self.running: asyncio.Future | None = None
        self.next: asyncio.Future | None = None


_SHARED: PerLoop[dict[str, _SharedRead]] = PerLoop(dict)
_READERS: set[asyncio.Task] = set()


async def _event_and_sales(slug: str) -> tuple[dict, dict]:
    """The event and its sales row as they are now: read by a query that starts after the call.

    Outside a transaction the callers of one process share reads: while one runs, everyone
    arriving waits for the next, which starts when it ends. When an event sells out every
    attempt after it reads the counters to say so (a freed place must be seen), and in a rush
    that is hundreds of the same read at once; shared, it is two at most per process."""
    if not readers_may_share(EventSales):
        return await _read_event_and_sales(slug)
    loop = asyncio.get_running_loop()
    shared = _SHARED.get().setdefault(slug, _SharedRead())
    if (read := shared.next) is None:
        read = shared.next = loop.create_future()
        read.add_done_callback(lambda done: done.cancelled() or done.exception())  # nobody left waiting: no warning
        task = loop.create_task(_shared_read(shared, slug, read))
        _READERS.add(task)
        task.add_done_callback(_READERS.discard)
    event, sales = await asyncio.shield(read)
    return dict(event), dict(sales)


async def _shared_read(shared: _SharedRead, slug: str, read: asyncio.Future) -> None:
    if shared.running is not None:
        await asyncio.wait([shared.running])
    shared.next, shared.running = None, read
    try:
        read.set_result(await _read_event_and_sales(slug))
    except asyncio.CancelledError:
        read.cancel()
        raise
    except Exception as problem:  # noqa: BLE001 - handed to every caller waiting for this read
        read.set_exception(problem)
    finally:
        if shared.running is read:
            shared.running = None


async def _read_event_and_sales(slug: str) -> tuple[dict, dict]:
    """One joined read of the event and its sales row (the counters must always be fresh)."""
    sql = _event_and_sales_sql(not is_sqlite(EventSales._meta.db))
    rows = await raw(EventSales, sql, slug)
    if not rows:
        from confops.registration.capacity import ensure_sales

        event = await Event.select(Event.id, Event.status).where(Event.slug == slug).first()
        if event is None or event["status"] == EventStatus.draft.value:
            raise NotFound("There is no such event.")
        await ensure_sales(event["id"])
        rows = await raw(EventSales, sql, slug)
    row = rows[0]
    event = {f: row.pop(f"event__{f}") for f in _EVENT_FIELDS}
    if event["status"] == EventStatus.draft.value:
        raise NotFound("There is no such event.")
    row["event"] = event["id"]
    return event, row


async def catalog_changed(event_id: int) -> None:
    """Call after every staff edit of categories, add-ons, codes or questions: a new stamp
    makes every process reload the event's catalog on its next read."""
    import secrets

    await EventSales.update({EventSales.catalog_stamp: secrets.token_hex(8)}).where(EventSales.event == event_id)
    _CACHE.pop(event_id, None)
    for slug in [slug for slug, (kept, _) in _KEPT.items() if kept.event["id"] == event_id]:
        _KEPT.pop(slug, None)


async def _first_stamp(event_id: int) -> None:
    """An event made without the services (no stamp yet) gets its first stamp once: the
    first readers of every process see it empty at once, and each new stamp would make
    every kept catalog stale again."""
    import secrets

    await EventSales.update({EventSales.catalog_stamp: secrets.token_hex(8)}).where(
        (EventSales.event == event_id) & ((EventSales.catalog_stamp == "") | EventSales.catalog_stamp.is_null()))


async def _static_parts(event_id: int, stamp: str) -> tuple[list[dict], list[dict], list[dict]]:
    cached = _CACHE.get(event_id)
    now = time.monotonic()
    if cached is not None and stamp and cached[0] == stamp and now - cached[1] < CACHE_SECONDS:
        return cached[2], cached[3], cached[4]
    if not stamp or not readers_may_share(EventSales):
        return await _load_static_parts(event_id, stamp)
    # Outside a transaction, one load per stamp at a time in this process: when a rush starts
    # (or right after an edit) a hundred orders arrive at once and would each load the same rows.
    loop = asyncio.get_running_loop()
    loading = _LOADING.get()
    if (task := loading.get((event_id, stamp))) is None:
        task = loading[(event_id, stamp)] = loop.create_task(_load_static_parts(event_id, stamp))

        def loaded(done: asyncio.Task) -> None:
            loading.pop((event_id, stamp), None)
            if not done.cancelled():
                done.exception()  # retrieved: nobody left waiting gives no warning

        task.add_done_callback(loaded)
    return await asyncio.shield(task)


_LOADING: PerLoop[dict[tuple[int, str], asyncio.Task]] = PerLoop(dict)


async def _load_static_parts(event_id: int, stamp: str) -> tuple[list[dict], list[dict], list[dict]]:
    now = time.monotonic()
    categories = _with_left(await Category.select().where(Category.event == event_id).order_by(Category.position))
    addons = _with_left(await AddOn.select().where(AddOn.event == event_id).order_by(AddOn.position))
    questions = await Question.select().where(Question.event == event_id).order_by(Question.position)
    if stamp:
        if len(_CACHE) >= _CACHE_MAX:
            _CACHE.clear()
        _CACHE[event_id] = (stamp, now, categories, addons, questions)
    return categories, addons, questions


# slug -> (the catalog as last read in this process, when): PostgreSQL only, where it has a
# fingerprint. The fingerprint covers the event, its sales row and the catalog stamp; the age
# limit, as for _CACHE, bounds how long an edit of categories or add-ons made outside the
# services (which leaves the stamp as it was) can go unseen.
_KEPT: dict[str, tuple[Catalog, float]] = {}


async def load_catalog(slug: str, *, live: bool = False, kept_ok: bool = False) -> Catalog:
    """What the event sells. The order's hot path reads the event and its counters (one
    query) and takes categories, add-ons and questions from a per-process cache keyed by the
    event's catalog stamp; `live=True` (the form people look at) re-reads the sold counts.
    Availability shown may be a moment old; what prevents overselling is the conditional
    UPDATE in the order's transaction, never this read.

    `kept_ok=True` (the one-statement order on PostgreSQL): the catalog as this process last
    read it, with no query at all, while that read showed places left and no "first N"
    early bird (whose count moves with every order). Its `kept` is True, and whatever is
    decided from it must be confirmed by its fingerprint in the same statement that writes
    (orders.py); on any doubt the caller reads afresh."""
    if kept_ok and (kept := _kept(slug)) is not None and not await _release_at_read_time(kept.event["id"]):
        return replace(kept, kept=True, phase=pricing.current_phase(kept.phase_rules(), clock.now(), 0))
    event, sales = await _event_and_sales(slug)
    if await _release_at_read_time(event["id"]):
        event, sales = await _event_and_sales(slug)
    if not sales["catalog_stamp"]:
        await _first_stamp(event["id"])
        event, sales = await _event_and_sales(slug)
    categories, addons, questions = await _static_parts(event["id"], sales["catalog_stamp"])
    if live:
        categories = _with_left(await Category.select().where(Category.event == event["id"]).order_by(Category.position))
        addons = _with_left(await AddOn.select().where(AddOn.event == event["id"]).order_by(AddOn.position))
    catalog = Catalog(event, sales, categories, addons, questions, pricing.PhaseKind.regular)
    catalog.phase = pricing.current_phase(catalog.phase_rules(), clock.now(), sales["early_claimed"])
    if sales["fingerprint"]:
        if len(_KEPT) >= _CACHE_MAX:
            _KEPT.clear()
        _KEPT[slug] = (catalog, time.monotonic())
    return catalog


def _kept(slug: str) -> Catalog | None:
    kept, at = _KEPT.get(slug, (None, 0.0))
    if (kept is None or time.monotonic() - at >= CACHE_SECONDS or kept.sold_out
            or kept.sales["early_bird_first_n"] is not None):
        return None
    return kept


def kept_catalog_ready(slug: str) -> bool:
    """Whether load_catalog(slug, kept_ok=True) can answer from what this process kept (no
    query), so an order may be decided before it takes its turn to write (orders.py)."""
    return _kept(slug) is not None
