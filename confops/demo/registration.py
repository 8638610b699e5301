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
THEME_DAY = [
    ("non_member", "Non-member", "Anyone", 225, 250),
    ("member", "ABS member", "Current ABS or sister Balint society members", 175, 200),
    ("resident", "Resident / student / fellow", "In training; bring proof of status", 90, 100),
]
COURSE = [
    ("non_member", "Non-member", "Anyone", 450, 495),
    ("member", "ABS member", "Current ABS or sister Balint society members", 375, 425),
    ("resident", "Resident / student / fellow", "In training; bring proof of status", 225, 250),
]
ONLINE_SERIES = [  # the whole series of eight sessions
    ("resident", "Resident", "Residents in any specialty", 240, 240),
    ("member", "ABS member", "Current ABS members (faculty joining the group)", 400, 400),
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


# Each event's cancellation policy: tiered for the meetings, a flat fee for the theme day, and
# for the online series "refund only if the society cancels" (DOMAIN.md).
POLICIES = {
    "abs-national-meeting": ("tiered", "60:80,30:50", 0),
    "abs-national-meeting-previous": ("tiered", "60:80,30:50", 0),
    "leader-training-intensive": ("tiered", "60:80,30:50", 0),
    "balint-theme-day": ("flat_fee", "", 2500),
    "online-residents-group": ("none", "", 0),
    "balint-leadership-course": ("tiered", "30:90,14:50", 0),
}


async def _catalog(event: dict, prices, *, early_first_n: int | None = None, addons=None, phases: bool = True) -> None:
    await ensure_sales(event["id"])
    policy, tiers, fee = POLICIES.get(event["slug"], ("tiered", "60:80,30:50", 0))
    await EventSales.update({
        EventSales.early_bird_ends_at: None if early_first_n or not phases else event["starts_at"] - timedelta(days=60),
        EventSales.early_bird_first_n: early_first_n,
        EventSales.late_starts_at: event["starts_at"] - timedelta(days=7) if phases else None,
        EventSales.cancellation_policy: policy, EventSales.refund_tiers: tiers, EventSales.cancellation_fee_cents: fee,
    }).where(EventSales.event == event["id"])
    for pos, (code, label, eligibility, early, regular) in enumerate(prices):
        await _ensure(Category, {"event": event["id"], "code": code}, {
            "label": label, "eligibility": eligibility, "early_cents": early * 100,
            "regular_cents": regular * 100, "late_cents": (regular + 50) * 100, "position": pos})
    for pos, (code, label, desc, cents, cap, most) in enumerate(ADDONS if addons is None else addons):
        await _ensure(AddOn, {"event": event["id"], "code": code}, {
            "label": label, "description": desc, "price_cents": cents, "capacity": cap,
            "max_per_attendee": most, "position": pos})
    for pos, (key, label, required, choices) in enumerate(QUESTIONS):
        await _ensure(Question, {"event": event["id"], "key": key},
                      {"label": label, "required": required, "choices": choices, "position": pos})
    if addons is not None:  # the smaller events sell no extras and take no general codes
        from confops.registration.catalog import catalog_changed

        await catalog_changed(event["id"])
        return
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
        Event.slug.is_in(["leader-training-intensive", "abs-national-meeting", "balint-theme-day",
                          "abs-national-meeting-previous", "online-residents-group",
                          "balint-leadership-course"]))}
    if "leader-training-intensive" in events:
        await _catalog(events["leader-training-intensive"], INTENSIVE, early_first_n=20)
    if "abs-national-meeting-previous" in events:
        await _catalog(events["abs-national-meeting-previous"], NATIONAL)
    if "balint-theme-day" in events:
        await _catalog(events["balint-theme-day"], THEME_DAY, addons=[])
    if "balint-leadership-course" in events:
        await _catalog(events["balint-leadership-course"], COURSE, addons=[])
    if "online-residents-group" in events:
        await _catalog(events["online-residents-group"], ONLINE_SERIES, addons=[], phases=False)
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
