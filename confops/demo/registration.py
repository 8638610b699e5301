"""Demo registration: ABS's real intensive prices (early/regular, USD), add-ons, codes and a
few registrations on the national meeting. Idempotent: rows are found by natural key, and the
demo orders by their idempotency keys."""

from __future__ import annotations

from datetime import timedelta

from confops.core.errors import DomainError
from confops.demo.rows import ensure_row
from confops.events.tables import Event
from confops.registration.capacity import ensure_sales
from confops.registration.config import CONFIG
from confops.registration.intake import AttendeeIn, OrderIn
from confops.registration.orders import place_order
from confops.registration.tables import AddOn, Category, DiscountCode, EventSales, Question

# code, label, eligibility, early, regular (dollars); late = regular + 50
INTENSIVE = [
    ("non_member", "Non-member", "Anyone", 900, 975),
    ("member", "ABS member", "Current ABS or sister Balint society members", 800, 875),
    ("resident", "Resident / student / fellow", "In training; bring proof of status", 640, 700),
    ("member_trainee", "Member trainee", "ABS members in a residency or fellowship", 560, 620),
]
NATIONAL = [
    ("non_member", "Non-member", "Anyone", 650, 725),
    ("member", "ABS member", "Current ABS or sister Balint society members", 550, 625),
    ("resident", "Resident / student / fellow", "In training; bring proof of status", 440, 500),
    ("member_trainee", "Member trainee", "ABS members in a residency or fellowship", 380, 440),
]
ADDONS = [
    ("workshop", "Pre-conference workshop: leading your first group", "Wednesday afternoon, limited seats", 15000, 12, 1),
    ("banquet", "Saturday banquet", "Dinner with the society", 7500, None, 2),
    ("book", "The ABS book", "Balint groups: a practical guide", 3500, None, 3),
]
QUESTIONS = [("first_meeting", "Is this your first ABS meeting?", True, "yes\nno"),
             ("group_pref", "Small group preference", False, "experience group\nleadership practice group")]


async def _ensure(table, key: dict, values: dict) -> int:
    return (await ensure_row(table, key, values))[0]


async def _catalog(event: dict, prices, *, early_first_n: int | None = None) -> None:
    await ensure_sales(event["id"])
    await EventSales.update({
        EventSales.early_bird_ends_at: None if early_first_n else event["starts_at"] - timedelta(days=60),
        EventSales.early_bird_first_n: early_first_n,
        EventSales.late_starts_at: event["starts_at"] - timedelta(days=7),
    }).where(EventSales.event == event["id"])
    for pos, (code, label, eligibility, early, regular) in enumerate(prices):
        await _ensure(Category, {"event": event["id"], "code": code}, {
            "label": label, "eligibility": eligibility, "early_cents": early * 100,
            "regular_cents": regular * 100, "late_cents": (regular + 50) * 100, "position": pos})
    for pos, (code, label, desc, cents, cap, most) in enumerate(ADDONS):
        await _ensure(AddOn, {"event": event["id"], "code": code}, {
            "label": label, "description": desc, "price_cents": cents, "capacity": cap,
            "max_per_attendee": most, "position": pos})
    for pos, (key, label, required, choices) in enumerate(QUESTIONS):
        await _ensure(Question, {"event": event["id"], "key": key},
                      {"label": label, "required": required, "choices": choices, "position": pos})
    await _ensure(DiscountCode, {"event": event["id"], "code": "BALINT10"},
                  {"kind": "percent", "percent": 10, "max_uses": 100, "categories": ""})
    await _ensure(DiscountCode, {"event": event["id"], "code": "SCHOLAR-RIVERA"},
                  {"kind": "free", "max_uses": 1, "categories": "resident,member_trainee",
                   "issued_to_name": "Dana Rivera", "issued_to_email": "dana.rivera@example.org"})
    from confops.registration.catalog import catalog_changed

    await catalog_changed(event["id"])  # the catalog was (re)written: no process may keep an old copy


DEMO_ORDERS = [
    ("demo-order-1", "Morgan Reyes", "morgan@example.org", [("member", "Morgan", "Reyes", "MD", {"workshop": 1})]),
    ("demo-order-2", "Residency Program Office", "office@example.org",
     [("resident", "Kai", "Nakamura", "MD", {}), ("resident", "Lena", "Fischer", "DO", {"book": 1})]),
]


async def load_registration_demo() -> None:
    events = {e["slug"]: e for e in await Event.select(Event.id, Event.slug, Event.starts_at).where(
        Event.slug.is_in(["leader-training-intensive", "abs-national-meeting", "balint-theme-day"]))}
    if "leader-training-intensive" in events:
        await _catalog(events["leader-training-intensive"], INTENSIVE, early_first_n=20)
    if "abs-national-meeting" in events:
        await _catalog(events["abs-national-meeting"], NATIONAL)
        for key, buyer, email, people in DEMO_ORDERS:
            order = OrderIn(buyer_name=buyer, buyer_email=email, idempotency_key=key, attendees=[
                AttendeeIn(category=cat, email=f"{first.lower()}@example.org", first_name=first, last_name=last,
                           credentials=cred, addons=addons, answers={"first_meeting": "yes"})
                for cat, first, last, cred, addons in people])
            try:
                await place_order("abs-national-meeting", order, hold_minutes=CONFIG.hold_minutes,
                                  base_url=CONFIG.base_url)
            except DomainError:  # e.g. registration window closed on an old demo database
                pass
