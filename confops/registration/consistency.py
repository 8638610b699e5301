"""One truth about orders: the sales counters against the rows they count (`confops check`).

The counters (EventSales.sold, Category.sold, AddOn.sold) are moved by conditional UPDATEs for
speed; the rows (active attendees of orders that hold places, open waitlist offers, places held for
paid orders waiting for all theirs) are what they stand for. Any difference means a place was sold twice or lost, so the check reports each
one, and the tests run it after every step that moves places. Orders whose status and
attendees disagree (an expired or cancelled order with an active attendee) are reported too, and
paid orders still on the waiting list that are no longer waiting for a place (paid_waiting), and
any difference between the dashboard's running tally of registrations (registration/tallies.py)
and the registrations.
"""

from __future__ import annotations

from dataclasses import dataclass

from confops.events.tables import Event
from confops.registration.tables import (
    HOLDING,
    AddOn,
    Attendee,
    AttendeeAddOn,
    AttendeeStatus,
    Category,
    EventSales,
    OrderStatus,
    PaidWait,
    WaitlistOffer,
)

PLACED = [*HOLDING, OrderStatus.confirmed.value]


@dataclass(frozen=True)
class Difference:
    event: str
    what: str
    counter: int
    rows: int

    def __str__(self) -> str:
        return f"{self.event}: {self.what}: counter {self.counter}, rows {self.rows}"


async def check(slug: str | None = None) -> list[Difference]:
    """Every difference between the counters and the rows, for one event or all."""
    where = Event.slug == slug if slug else Event.id > 0
    found: list[Difference] = []
    for event in await Event.select(Event.id, Event.slug).where(where).order_by(Event.id):
        found += await _event_differences(event["id"], event["slug"])
    return found


async def _event_differences(event_id: int, slug: str) -> list[Difference]:
    found = []
    holding = (Attendee.event == event_id) & (Attendee.status == AttendeeStatus.active.value) & (
        Attendee.order.status.is_in(PLACED))
    people = await Attendee.select(Attendee.id, Attendee.category).where(holding)
    offers = await WaitlistOffer.count().where((WaitlistOffer.event == event_id) & (WaitlistOffer.status == "open"))
    # places held for a paid order still collecting its places are counted as offers are
    offers += sum(w["held"] for w in await PaidWait.select(PaidWait.held).where(
        (PaidWait.event == event_id) & (PaidWait.status == "waiting")))
    sales = await EventSales.select(EventSales.sold).where(EventSales.event == event_id).first()
    if sales is not None and sales["sold"] != len(people) + offers:
        found.append(Difference(slug, "places sold (attendees + open waitlist offers)", sales["sold"],
                                len(people) + offers))
    per_category: dict[int, int] = {}
    for person in people:
        per_category[person["category"]] = per_category.get(person["category"], 0) + 1
    for category in await Category.select(Category.id, Category.label, Category.sold).where(
            Category.event == event_id):
        if category["sold"] != per_category.get(category["id"], 0):
            found.append(Difference(slug, f"category {category['label']}", category["sold"],
                                    per_category.get(category["id"], 0)))
    per_addon: dict[int, int] = {}
    if people:
        for row in await AttendeeAddOn.select(AttendeeAddOn.addon, AttendeeAddOn.quantity).where(
                AttendeeAddOn.attendee.is_in([p["id"] for p in people])):
            per_addon[row["addon"]] = per_addon.get(row["addon"], 0) + row["quantity"]
    for addon in await AddOn.select(AddOn.id, AddOn.label, AddOn.sold).where(AddOn.event == event_id):
        if addon["sold"] != per_addon.get(addon["id"], 0):
            found.append(Difference(slug, f"add-on {addon['label']}", addon["sold"], per_addon.get(addon["id"], 0)))
    from confops.registration import tallies

    found += [Difference(slug, what, kept, rows) for what, kept, rows in await tallies.differences(event_id)]
    stranded = await Attendee.count().where(
        (Attendee.event == event_id) & (Attendee.status == AttendeeStatus.active.value)
        & Attendee.order.status.is_in([OrderStatus.expired.value, OrderStatus.cancelled.value]))
    if stranded:
        found.append(Difference(slug, "active attendees of expired or cancelled orders", 0, stranded))
    # A paid order waits for a place only while it has none: one that is placed, or cancelled, and
    # still waits would be given places a second time; one keeping more places than it needs
    # keeps them from everyone.
    astray = await PaidWait.count().where(
        (PaidWait.event == event_id) & (PaidWait.status == "waiting")
        & ((PaidWait.order.status != OrderStatus.expired.value) | (PaidWait.held > PaidWait.places)))
    if astray:
        found.append(Difference(slug, "paid orders on the waiting list that are not expired or keep too many places",
                                0, astray))
    return found
