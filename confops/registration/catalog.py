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
from confops.registration import catalog_cache, holds, paid_waiting, pricing
from confops.registration.tables import (
    AddOn,
    Category,
    EventSales,
    PaidWait,
    Question,
    WaitlistEntry,
)

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
    def freed_by_expiry(self) -> int:
        """Places of unpaid holds past their due time that the sweeper has not given back yet:
        free for the public unless paid orders or people wait for them (they get them first)."""
        return max(0, self.sales["expired_held"] - self.sales["waiting"])

    @property
    def places_left(self) -> int | None:
        cap = self.event["capacity"]
        return None if cap is None else max(0, cap - self.sales["sold"] + self.freed_by_expiry)

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


_EVENT_FIELDS = tuple(c._meta.name for c in EVENT_COLUMNS)
_SALES_FIELDS = ("id", "sold", "cancellation_policy", "refund_tiers", "cancellation_fee_cents",
                 "early_bird_ends_at", "early_bird_first_n", "late_starts_at", "early_claimed", "catalog_stamp",
                 "payment_term_days")

def _with_left(rows: list[dict], expired: dict[int, int] | None = None) -> list[dict]:
    """Each row with the places it has `left`, counting those of `expired` holds (per id) as free."""
    expired = expired or {}
    return [{**r, "left": None if r["capacity"] is None else max(0, r["capacity"] - r["sold"] + expired.get(r["id"], 0))}
            for r in rows]


def fingerprint_sql(event_row: str, sales_row: str) -> str:
    """PostgreSQL: a digest of everything in the event's row and its sales row but the two
    counters every order moves (sold, early_claimed). An order priced from a kept catalog is
    placed only while the digest is unchanged (capacity.claim_parts), so an edit of the event
    made anywhere (another process, piccolo-admin, SQL by hand) is never missed."""
    return f"md5(to_jsonb({event_row})::text || (to_jsonb({sales_row}) - 'sold' - 'early_claimed')::text)"


@cache
def _event_and_sales_sql(postgres: bool) -> str:
    """Written once from the tables' column names. Building the same query with Piccolo's
    join-and-alias columns cost eight times the query itself in CPU (the order's hot path and
    every sold-out answer run it). Arguments: now, the slug."""
    sales = ", ".join(f's."{getattr(EventSales, f)._meta.db_column_name}" AS "{f}"' for f in _SALES_FIELDS)
    event = ", ".join(f'e."{getattr(Event, f)._meta.db_column_name}" AS "event__{f}"' for f in _EVENT_FIELDS)
    fingerprint = f', {fingerprint_sql("e", "s")} AS "fingerprint"' if postgres else ', NULL AS "fingerprint"'
    return (f"SELECT {sales}, {event}{fingerprint}, {holds.expired_held_sql('e.id', '{}')} AS \"expired_held\" "
            f"FROM {EventSales._meta.tablename} s JOIN {Event._meta.tablename} e ON e.id = s.event WHERE e.slug = {{}}")


async def _event_and_sales(slug: str) -> tuple[dict, dict]:
    """The event and its sales row as they are now: read by a query that starts after the call
    (shared with the callers of this process arriving meanwhile, outside a transaction)."""
    if not readers_may_share(EventSales):
        return await _read_event_and_sales(slug)
    event, sales = await catalog_cache.shared_read(slug, _read_event_and_sales)
    return dict(event), dict(sales)


async def _read_event_and_sales(slug: str) -> tuple[dict, dict]:
    """One joined read of the event and its sales row (the counters must always be fresh)."""
    rows = await raw(EventSales, _event_and_sales_sql(not is_sqlite(EventSales._meta.db)), clock.now(), slug)
    if not rows:
        return await _event_without_sales(slug)
    row = rows[0]
    event = {f: row.pop(f"event__{f}") for f in _EVENT_FIELDS}
    if event["status"] == EventStatus.draft.value:
        raise NotFound("There is no such event.")
    row["event"] = event["id"]
    row["waiting"] = await _waiting(event["id"]) if row["expired_held"] else 0
    return event, row


async def _event_without_sales(slug: str) -> tuple[dict, dict]:
    """An event made without the services (by SQL, the admin site) has no sales row until its
    first order creates it (orders.py): it sells with the defaults, nothing sold, no stamp."""
    event = await Event.select(*EVENT_COLUMNS).where(Event.slug == slug).first()
    if event is None or event["status"] == EventStatus.draft.value:
        raise NotFound("There is no such event.")
    defaults = EventSales(_ignore_missing=True)
    sales = {f: getattr(defaults, f) for f in _SALES_FIELDS}
    sales.update(id=None, event=event["id"], catalog_stamp="", fingerprint=None, expired_held=0, waiting=0)
    return event, sales


async def _waiting(event_id: int) -> int:
    """The places freed ones go to before the public (paid_waiting.places_freed): those the paid
    orders waiting still need, then one per person on the waitlist."""
    paid = await PaidWait.select(PaidWait.places, PaidWait.held).where(
        (PaidWait.event == event_id) & (PaidWait.status == paid_waiting.WAITING))
    people = await WaitlistEntry.count().where((WaitlistEntry.event == event_id) & (WaitlistEntry.status == "waiting"))
    return sum(row["places"] - row["held"] for row in paid) + people


async def catalog_changed(event_id: int) -> None:
    """Call after every staff edit of categories, add-ons, codes or questions: a new stamp
    makes every process reload the event's catalog on its next read."""
    import secrets

    await EventSales.update({EventSales.catalog_stamp: secrets.token_hex(8)}).where(EventSales.event == event_id)
    catalog_cache.forget(event_id)


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
    """What the event sells; a read, which writes nothing. The order's hot path reads the event
    and its counters (one query) and takes categories, add-ons and questions from a per-process
    cache keyed by the event's catalog stamp; `live=True` (the form people look at) re-reads the
    sold counts. Availability shown may be a moment old, and counts the places of unpaid holds
    past their due time as free (holds.py); what prevents overselling is the conditional
    UPDATE in the order's transaction, never this read.

    `kept_ok=True` (the one-statement order on PostgreSQL): the catalog as this process last
    read it, with no query at all, while that read showed places left, no expired hold and no
    "first N" early bird (whose count moves with every order). Its `kept` is True, and whatever
    is decided from it must be confirmed by its fingerprint in the same statement that writes
    (orders.py); on any doubt the caller reads afresh."""
    if kept_ok and (kept := catalog_cache.kept(slug)) is not None:
        return replace(kept, kept=True, phase=pricing.current_phase(kept.phase_rules(), clock.now(), 0))
    event, sales = await _event_and_sales(slug)
    categories, addons, questions = await _static_parts(event["id"], sales["catalog_stamp"])
    if live:
        categories = await Category.select().where(Category.event == event["id"]).order_by(Category.position)
        addons = await AddOn.select().where(AddOn.event == event["id"]).order_by(AddOn.position)
    if sales["expired_held"]:
        expired_categories, expired_addons = await holds.expired_places(event["id"], clock.now())
        categories, addons = _with_left(categories, expired_categories), _with_left(addons, expired_addons)
    elif live:
        categories, addons = _with_left(categories), _with_left(addons)
    catalog = Catalog(event, sales, categories, addons, questions, pricing.PhaseKind.regular)
    catalog.phase = pricing.current_phase(catalog.phase_rules(), clock.now(), sales["early_claimed"])
    if sales["fingerprint"]:
        catalog_cache.keep(slug, catalog)
    return catalog
