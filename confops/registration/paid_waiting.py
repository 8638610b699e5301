"""Paid orders waiting for a place: "paid, no place" orders that staff put on the waiting list.

They have paid, so they come before anyone on the waitlist: every path that frees event places
(an order expiring or cancelled, one attendee cancelled, a waitlist offer lapsing) hands them to
`places_freed`, which serves this line first and offers only what is left; a capacity raised on
the event or a category serves it too (`serve` with nothing freed: free places are claimed with
the conditional UPDATE, as an order would).

An order of several people collects freed places one by one (`held`, counted as sold like an
open offer, and counted so by `confops check`) until it has them all, and is then reinstated
(holds.reinstate: the same order, confirmed, its attendees active, their categories and add-ons
claimed again, all or nothing). When a category or add-on it needs is still full, the places it
held go on to the next in line: only a freed place of that category can place it, and that free
brings an event place with it.

Locks, so that two frees, a free and a refund, or a free and a payment never wait on each other
in a circle: the event's sales row first (lock_event), then the waiting orders' rows, each taken
only if nobody else holds it (a payment or refund busy with that order settles it itself), then
the waiting row.
"""

from __future__ import annotations

import contextlib

from confops.core import clock, extension
from confops.core.errors import Conflict
from confops.db import current_engine, is_sqlite
from confops.registration import capacity
from confops.registration.tables import Attendee, AttendeeStatus, Order, OrderStatus, PaidWait

WAITING = "waiting"


async def join(order: dict, *, keep_place_in_line: bool = False) -> bool:
    """Put an expired order (the caller checked it holds money) in the line, once: True when it
    joined now, False when it was already waiting. Call inside a transaction that locked the
    order row; the line is served at once (places may be free already). `keep_place_in_line`:
    back where it was (a refund that failed after it left), not at the end."""
    from confops.db import insert_or_ignore

    places = await Attendee.count().where((Attendee.order == order["id"]) & Attendee.status.is_in(
        [AttendeeStatus.expired.value, AttendeeStatus.active.value]))
    await capacity.lock_event(order["event"])
    made = await insert_or_ignore(PaidWait(order=order["id"], event=order["event"], places=max(places, 1)))
    if made is None:  # the second click, or back in line after leaving it
        back = {PaidWait.status: WAITING, PaidWait.held: 0, PaidWait.places: max(places, 1)}
        if not keep_place_in_line:
            back[PaidWait.queued_at] = clock.now()
        again = await PaidWait.update(back).where(
            (PaidWait.order == order["id"]) & (PaidWait.status == "left")).returning(PaidWait.id)
        if not again:
            return False
    await serve(order["event"], 0)
    return True


async def leave(order: dict) -> bool:
    """Take the order out of the line (its money is being refunded); the places it held go on
    to the next in line. True when it was waiting. Inside a transaction that locked the order."""
    await capacity.lock_event(order["event"])
    rows = await PaidWait.raw('UPDATE paid_wait SET status = {} WHERE "order" = {} AND status = {} RETURNING id, held',
                              "left", order["id"], WAITING)
    if not rows:
        return False
    if rows[0]["held"]:
        await PaidWait.update({PaidWait.held: 0}).where(PaidWait.id == rows[0]["id"])
        await places_freed(order["event"], rows[0]["held"])
    return True


async def of_orders(order_ids: list[int]) -> dict[int, dict]:
    """The line's rows of these orders, by order (for the staff pages)."""
    rows = await PaidWait.select().where(PaidWait.order.is_in(order_ids or [0]))
    return {r["order"]: r for r in rows}


async def places_freed(event_id: int, freed: int) -> None:
    """`freed` event places an order let go of, still counted as sold: paid orders waiting get
    them first, then the waitlist's offers; the rest go back on sale. Inside the transaction
    that freed them, after lock_event."""
    from confops.events.kinds import EventStatus
    from confops.events.tables import Event
    from confops.registration.waitlist import offer_freed_places

    left = await serve(event_id, freed)
    event = await Event.select(Event.status).where(Event.id == event_id).first()
    # a cancelled event offers nobody a place (its orders are being cancelled one by one)
    kept = 0 if event["status"] == EventStatus.cancelled.value else await offer_freed_places(event_id, left)
    await capacity.release_event(event_id, left - kept)


async def serve(event_id: int, freed: int) -> int:
    """Give the paid orders waiting, oldest first, the `freed` places (counted as sold by the
    caller) and, short of them, free ones; reinstate each that has all it needs. Returns how
    many of the places counted as sold are left over (the caller offers or releases them)."""
    from confops.events.kinds import EventStatus
    from confops.events.tables import Event

    line = await PaidWait.select(PaidWait.id, PaidWait.order).where(
        (PaidWait.event == event_id) & (PaidWait.status == WAITING)).order_by(PaidWait.queued_at).order_by(PaidWait.id)
    if not line:
        return freed
    event = await Event.select(Event.status).where(Event.id == event_id).first()
    if event is None or event["status"] == EventStatus.cancelled.value:
        return freed
    budget = freed
    for candidate in line:
        if not await _lock_order(candidate["order"]):
            continue  # a payment or refund is busy with it: it settles the order itself
        rows = await PaidWait.raw('UPDATE paid_wait SET held = held WHERE id = {} AND status = {} '
                                  'RETURNING id, "order", places, held', candidate["id"], WAITING)
        if not rows:
            continue
        entry = rows[0]
        held_before = entry["held"]
        take = min(entry["places"] - held_before, budget)
        budget -= take
        claimed = 0
        short = entry["places"] - held_before - take
        if short > 0:
            with contextlib.suppress(Conflict):  # sold out: nothing claimed
                await capacity.claim_event(event_id, short)
                claimed = short
        held = held_before + take + claimed
        if held == entry["places"]:
            if await _place(entry, event_id):
                continue
            budget += held_before + take  # a category or add-on is still full: the places go on
            await capacity.release_event(event_id, claimed)
            held = 0
        await PaidWait.update({PaidWait.held: held}).where(PaidWait.id == entry["id"])
    return budget


async def _lock_order(order_id: int) -> bool:
    """The waiting order's row, locked for this transaction unless someone else holds it
    (PostgreSQL: SKIP LOCKED; SQLite runs one writer at a time)."""
    if is_sqlite(current_engine()):
        return await Order.exists().where((Order.id == order_id) & (Order.status == OrderStatus.expired.value))
    rows = await Order.raw("SELECT id FROM registration_order WHERE id = {} AND status = {} FOR UPDATE SKIP LOCKED",
                           order_id, OrderStatus.expired.value)
    return bool(rows)


async def _place(entry: dict, event_id: int) -> bool:
    from confops.registration.emails import queue_confirmation
    from confops.registration.holds import reinstate, with_snapshot
    from confops.registration.order_decision import order_token

    order = await Order.select().where(Order.id == entry["order"]).first()
    if not await reinstate(with_snapshot(order), places_held=True):
        return False
    await PaidWait.update({PaidWait.status: "placed", PaidWait.held: 0, PaidWait.placed_at: clock.now()}).where(
        PaidWait.id == entry["id"])
    await queue_confirmation(order["id"], token=order_token(order["idempotency_key"]))
    # payments numbers its invoice, in this transaction, as when the money itself placed it
    await extension.emit("order_reinstated", order_id=order["id"])
    await extension.emit("staff_change", actor_id=None, action="placed_from_waiting_list", entity="order",
                         entity_id=order["id"], before={"status": OrderStatus.expired.value},
                         after={"status": OrderStatus.confirmed.value, "places": entry["places"]})
    return True


async def reinstated_otherwise(order: dict) -> None:
    """The order got its places another way (more money arrived and found them free): it
    leaves the line, and what it held goes on. Inside the reinstating transaction."""
    rows = await PaidWait.select(PaidWait.held).where((PaidWait.order == order["id"]) & (PaidWait.status == WAITING))
    if not rows:
        return
    await PaidWait.update({PaidWait.status: "placed", PaidWait.held: 0, PaidWait.placed_at: clock.now()}).where(
        (PaidWait.order == order["id"]) & (PaidWait.status == WAITING))
    await places_freed(order["event"], rows[0]["held"])
