"""Giving places back: expired unpaid holds and cancellations.

Each release first flips the order's status with a conditional UPDATE, so two workers (or a
worker and a page view) never release the same order twice. Freed event places go to the
waitlist at that moment, before anybody else can take them.
"""

from __future__ import annotations

from confops.core import clock
from confops.db import transaction
from confops.registration import capacity
from confops.registration.tables import (
    HOLDING,
    Attendee,
    AttendeeAddOn,
    AttendeeStatus,
    Order,
    OrderStatus,
)


async def give_back(order: dict, *, return_code_uses: bool) -> int:
    """Release every place the order's active attendees hold; returns the event places freed.
    Call inside the transaction that changed the order's status."""
    attendees = await Attendee.select(Attendee.id, Attendee.category).where(
        (Attendee.order == order["id"]) & (Attendee.status == AttendeeStatus.active.value))
    per_category: dict[int, int] = {}
    for a in attendees:
        per_category[a["category"]] = per_category.get(a["category"], 0) + 1
        for add in await AttendeeAddOn.select().where(AttendeeAddOn.attendee == a["id"]):
            await capacity.release_addon(add["addon"], add["quantity"])
    for category_id, n in per_category.items():
        await capacity.release_category(category_id, n)
    if return_code_uses and order["code"] is not None:
        uses = (order["pricing_snapshot_dict"] or {}).get("code_uses", 0)
        if uses:
            await capacity.release_code(order["code"], uses)
    from confops.registration.waitlist import offer_freed_places

    kept = await offer_freed_places(order["event"], len(attendees))
    await capacity.release_event(order["event"], len(attendees) - kept)
    return len(attendees)


async def release_expired(event_id: int | None = None) -> int:
    """Expire unpaid orders past `expires_at` and free their places (worker and read time)."""
    now = clock.now()
    where = Order.status.is_in(list(HOLDING)) & (Order.expires_at < now)
    if event_id is not None:
        where &= Order.event == event_id
    due = await Order.select(Order.id).where(where).limit(200)
    released = 0
    for candidate in due:
        async with transaction():
            flipped = await Order.update({Order.status: OrderStatus.expired.value}).where(
                (Order.id == candidate["id"]) & Order.status.is_in(list(HOLDING)) & (Order.expires_at < now)
            ).returning(*Order.all_columns())
            if flipped:
                await give_back(with_snapshot(flipped[0]), return_code_uses=True)
                released += 1
    from confops.registration.waitlist import lapse_offers

    await lapse_offers()
    return released


def with_snapshot(row: dict) -> dict:
    import json

    snap = row.get("pricing_snapshot")
    row["pricing_snapshot_dict"] = json.loads(snap) if isinstance(snap, str) else (snap or {})
    return row
