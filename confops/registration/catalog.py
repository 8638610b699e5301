"""What an event sells right now: categories, add-ons and questions, with live availability."""

from __future__ import annotations

from dataclasses import dataclass

from confops.core import clock
from confops.core.errors import NotFound
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


async def _release_at_read_time(event_id: int) -> None:
    """Expired holds free their places when the event is read, not only when the worker runs;
    at most every few seconds per process, so a rush does not pay two extra queries a request."""
    from confops.registration.holds import release_expired

    now = clock.now().timestamp()
    if now - _LAST_RELEASE.get(event_id, float("-inf")) < RELEASE_EVERY_SECONDS:
        return
    _LAST_RELEASE[event_id] = now
    await release_expired(event_id=event_id)


async def load_catalog(slug: str) -> Catalog:
    from confops.registration.capacity import ensure_sales

    event = await Event.select(*EVENT_COLUMNS).where(Event.slug == slug).first()
    if event is None or event["status"] == EventStatus.draft.value:
        raise NotFound("There is no such event.")
    await ensure_sales(event["id"])
    await _release_at_read_time(event["id"])
    sales = await EventSales.select().where(EventSales.event == event["id"]).first()
    categories = await Category.select().where(Category.event == event["id"]).order_by(Category.position)
    for cat in categories:
        cat["left"] = None if cat["capacity"] is None else max(0, cat["capacity"] - cat["sold"])
    addons = await AddOn.select().where(AddOn.event == event["id"]).order_by(AddOn.position)
    for add in addons:
        add["left"] = None if add["capacity"] is None else max(0, add["capacity"] - add["sold"])
    questions = await Question.select().where(Question.event == event["id"]).order_by(Question.position)
    catalog = Catalog(event, sales, categories, addons, questions, pricing.PhaseKind.regular)
    catalog.phase = pricing.current_phase(catalog.phase_rules(), clock.now(), sales["sold"])
    return catalog
