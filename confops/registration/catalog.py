"""What an event sells right now: categories, add-ons and questions, with live availability, read
from the database (what this process keeps between reads: catalog_cache.py)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache

from confops.core import clock
from confops.core.errors import NotFound
from confops.db import is_sqlite, raw, readers_may_share
from confops.events.kinds import EventStatus
from confops.events.tables import Event
from confops.registration import catalog_cache, pricing
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


async def _event_and_sales(slug: str) -> tuple[dict, dict]:
    """The event and its sales row as they are now: read by a query that starts after the call
    (shared with the callers of this process arriving meanwhile, outside a transaction)."""
    if not readers_may_share(EventSales):
        return await _read_event_and_sales(slug)
    event, sales = await catalog_cache.shared_read(slug, _read_event_and_sales)
    return dict(event), dict(sales)


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
    catalog_cache.forget(event_id)


async def _first_stamp(event_id: int) -> None:
    """An event made without the services (no stamp yet) gets its first stamp once: the
    first readers of every process see it empty at once, and each new stamp would make
    every kept catalog stale again."""
    import secrets

    await EventSales.update({EventSales.catalog_stamp: secrets.token_hex(8)}).where(
        (EventSales.event == event_id) & ((EventSales.catalog_stamp == "") | EventSales.catalog_stamp.is_null()))


async def _static_parts(event_id: int, stamp: str) -> catalog_cache.Parts:
    if (kept := catalog_cache.parts(event_id, stamp)) is not None:
        return kept
    if not stamp or not readers_may_share(EventSales):
        return await _load_static_parts(event_id, stamp)
    return await catalog_cache.load_parts_once(event_id, stamp, lambda: _load_static_parts(event_id, stamp))


async def _load_static_parts(event_id: int, stamp: str) -> catalog_cache.Parts:
    categories = _with_left(await Category.select().where(Category.event == event_id).order_by(Category.position))
    addons = _with_left(await AddOn.select().where(AddOn.event == event_id).order_by(AddOn.position))
    questions = await Question.select().where(Question.event == event_id).order_by(Question.position)
    if stamp:
        catalog_cache.keep_parts(event_id, stamp, (categories, addons, questions))
    return categories, addons, questions


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
    if kept_ok and (kept := catalog_cache.kept(slug)) is not None and not await _release_at_read_time(kept.event["id"]):
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
        catalog_cache.keep(slug, catalog)
    return catalog
