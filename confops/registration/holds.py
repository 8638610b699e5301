"""Giving places back: expired unpaid holds and cancellations.

An unpaid order holds its places until `expires_at`; past it, its places are free at once,
though the sweeper (jobs.py) gives them back only every 30 seconds: reads count them as free
(`expired_places`) and show the order expired (`as_seen`), writing nothing; an order that needs
the places frees them in its own transaction (`free_expired`), and a change to the order itself
lets its hold go first (`expire_if_due`), so none is lost between sweeps.

Each release first flips the order's status with a conditional UPDATE, so two workers (or a
worker and a buyer) never release the same order twice. Freed event places go to the paid
orders waiting and then the waitlist at that moment (paid_waiting.places_freed), before
anybody else can take them.
"""

from __future__ import annotations

from datetime import datetime

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
    await capacity.lock_event(order["event"])
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
    from confops.registration.paid_waiting import places_freed

    await places_freed(order["event"], len(attendees))  # paid orders waiting first, then the waitlist
    return len(attendees)


def expired_holds(now: datetime, event_id: int | None = None):
    """Unpaid orders past their due time that still hold places: the one rule of what the
    sweeper releases, reads count as free and an order frees before it claims."""
    where = Order.status.is_in(list(HOLDING)) & (Order.expires_at < now)
    return where if event_id is None else where & (Order.event == event_id)


def past_due(order: dict, now: datetime) -> bool:
    """`expired_holds` in Python, for one order row."""
    return order["status"] in HOLDING and order["expires_at"] is not None and order["expires_at"] < now


def as_seen(order: dict, now: datetime) -> dict:
    """The order as its buyer is shown it: a hold past its due time is expired already, though
    the sweeper has not yet written it, so a read writes nothing and still says what a swept
    order says."""
    return {**order, "status": OrderStatus.expired.value} if past_due(order, now) else order


def expired_held_sql(event_id: str, now: str) -> str:
    """SQL: the places `expired_holds` of the event `event_id` take (a scalar subquery; `now`
    is its placeholder), for reads that must count them as free in the query they already make."""
    holding = ", ".join(f"'{status}'" for status in HOLDING)
    return (f"(SELECT count(*) FROM {Attendee._meta.tablename} xa JOIN {Order._meta.tablename} xo "
            f"ON xo.id = xa.\"order\" WHERE xo.event = {event_id} AND xo.status IN ({holding}) "
            f"AND xo.expires_at < {now} AND xa.status = '{AttendeeStatus.active.value}')")


async def expired_places(event_id: int, now: datetime) -> tuple[dict[int, int], dict[int, int]]:
    """Per category and per add-on, the places the event's expired holds still take (a read)."""
    people = await Attendee.select(Attendee.id, Attendee.category).where(
        Attendee.order.is_in(Order.select(Order.id).where(expired_holds(now, event_id)))
        & (Attendee.status == AttendeeStatus.active.value))
    categories: dict[int, int] = {}
    addons: dict[int, int] = {}
    for person in people:
        categories[person["category"]] = categories.get(person["category"], 0) + 1
    if people:
        for add in await AttendeeAddOn.select(AttendeeAddOn.addon, AttendeeAddOn.quantity).where(
                AttendeeAddOn.attendee.is_in([p["id"] for p in people])):
            addons[add["addon"]] = addons.get(add["addon"], 0) + add["quantity"]
    return categories, addons


async def release_expired(event_id: int | None = None) -> int:
    """The sweeper: expire unpaid orders past `expires_at` and free their places, each in its
    own transaction; then lapse waitlist offers past theirs."""
    now = clock.now()
    due = await Order.select(Order.id).where(expired_holds(now, event_id)).order_by(Order.id).limit(200)
    released = 0
    for candidate in due:
        async with transaction():
            released += await _expire(candidate["id"], now)
    from confops.registration.waitlist import lapse_offers

    await lapse_offers()
    return released


async def expire_if_due(order_id: int) -> int:
    """A change to one order (a payment, a cancellation, an answer) meets it as its buyer was
    shown it: past its due time, its hold is let go first, in a transaction of its own, as the
    sweeper would; 1 when this call did it."""
    async with transaction():
        return await _expire(order_id, clock.now())


async def free_expired(event_id: int, now: datetime) -> int:
    """Inside the caller's transaction (an order about to claim places): expire the event's
    holds past their due time and free their places, as the sweeper would. Rolled back with the
    caller's transaction if its claims fail (the sweeper then does it)."""
    released = 0
    for candidate in await Order.select(Order.id).where(expired_holds(now, event_id)).order_by(Order.id):
        released += await _expire(candidate["id"], now)
    return released


async def _expire(order_id: int, now: datetime) -> int:
    """One expired hold let go: 1, or 0 when someone else (a payment, the sweeper, another
    buyer) changed the order first."""
    flipped = await Order.update({Order.status: OrderStatus.expired.value}).where(
        (Order.id == order_id) & Order.status.is_in(list(HOLDING)) & (Order.expires_at < now)
    ).returning(*Order.all_columns())
    if not flipped:
        return 0
    await give_back(with_snapshot(flipped[0]), return_code_uses=True)
    # After giving back (which counts the active ones): the order page, the badge list and the
    # dashboard must not show people whose places were released.
    await Attendee.update({Attendee.status: AttendeeStatus.expired.value}).where(
        (Attendee.order == order_id) & (Attendee.status == AttendeeStatus.active.value))
    from confops.registration.payment_mail import queue_expiry

    await queue_expiry(flipped[0])
    return 1


def with_snapshot(row: dict) -> dict:
    import json

    snap = row.get("pricing_snapshot")
    row["pricing_snapshot_dict"] = json.loads(snap) if isinstance(snap, str) else (snap or {})
    return row


async def reinstate(order: dict, *, places_held: bool = False) -> bool:
    """Give an expired order its places back (money arrived for it after all): all or nothing.

    Claims the event, categories and add-ons again with the conditional UPDATEs, event places
    from the free ones first, then from open waitlist offers (_claim_places); if any is full
    nothing changes, no offer is taken back, and False is returned (the caller keeps the money
    as "paid, no place"). Call inside the transaction that records the money; this part runs
    in a savepoint. `places_held`: its event places are counted already (paid_waiting kept
    freed ones for it); only its categories and add-ons are claimed."""
    from confops.core.errors import Conflict
    from confops.db import atomic

    try:
        async with atomic():
            flipped = await Order.update({Order.status: OrderStatus.confirmed.value, Order.confirmed_at: clock.now(),
                                          Order.expires_at: None}).where(
                (Order.id == order["id"]) & (Order.status == OrderStatus.expired.value)).returning(Order.id)
            if not flipped:
                return False
            # ACTIVE too: orders that expired before attendees were marked expired.
            people = await Attendee.select(Attendee.id, Attendee.category, Attendee.category.label.as_alias("label")
                                           ).where((Attendee.order == order["id"]) & Attendee.status.is_in(
                                               [AttendeeStatus.expired.value, AttendeeStatus.active.value]))
            if not places_held:
                await _claim_places(order["event"], len(people))
            per_category: dict[int, tuple[int, str]] = {}
            for person in people:
                n, label = per_category.get(person["category"], (0, person["label"]))
                per_category[person["category"]] = (n + 1, label)
                for add in await AttendeeAddOn.select(AttendeeAddOn.addon, AttendeeAddOn.quantity,
                                                      AttendeeAddOn.addon.label.as_alias("label")).where(
                        AttendeeAddOn.attendee == person["id"]):
                    await capacity.claim_addon(add["addon"], add["quantity"], add["label"])
            for category_id, (n, label) in sorted(per_category.items()):
                await capacity.claim_category(category_id, n, label)
            if people:
                await Attendee.update({Attendee.status: AttendeeStatus.active.value}).where(
                    Attendee.id.is_in([p["id"] for p in people]))
    except Conflict:
        return False
    if not places_held:
        from confops.registration.paid_waiting import reinstated_otherwise

        await reinstated_otherwise(order)
    return True


async def _claim_places(event_id: int, n: int) -> None:
    """`n` event places for a paying buyer: free ones first; short of them, the places open
    waitlist offers hold (the offer was made after this buyer's order, whose money now counts
    first). Raises Conflict when even that is not enough; the caller's savepoint then puts
    every offer back."""
    from confops.core.errors import Conflict
    from confops.events.tables import Event
    from confops.registration.tables import EventSales
    from confops.registration.waitlist import withdraw_offers

    try:
        await capacity.claim_event(event_id, n)
        return
    except Conflict:
        pass
    row = await EventSales.select(EventSales.sold).where(EventSales.event == event_id).first()
    cap = await Event.select(Event.capacity).where(Event.id == event_id).first()
    short = n - max(0, cap["capacity"] - row["sold"])
    if short <= 0 or await withdraw_offers(event_id, short) < short:
        raise Conflict("This event is sold out.", code="sold_out")
    await capacity.release_event(event_id, short)  # the offers' places, now the order's
    await capacity.claim_event(event_id, n)


async def extend_hold(order_id: int, until: datetime | None, reason: str, *, actor_id: int | None) -> dict:
    """Staff give one unpaid order more time (a department's purchase order is on its way)."""
    from confops.core import extension
    from confops.core.errors import Conflict, FieldError, NotFound, collect
    from confops.events.tables import Event

    order = await Order.select().where(Order.id == order_id).first()
    if order is None:
        raise NotFound("There is no such order.")
    event = await Event.select(Event.ends_at).where(Event.id == order["event"]).first()
    problems = []
    if until is None:
        problems.append(FieldError("hold_until", "Enter the new due date."))
    elif until <= clock.now():
        problems.append(FieldError("hold_until", "The new due date must be in the future."))
    elif until > event["ends_at"]:
        problems.append(FieldError("hold_until", "The new due date must be before the event ends."))
    if not reason.strip():
        problems.append(FieldError("hold_reason", "Say why this order gets more time."))
    elif len(reason) > 300:
        problems.append(FieldError("hold_reason", "Use at most 300 characters."))
    collect(problems)
    async with transaction():
        changed = await Order.update({Order.expires_at: until}).where(
            (Order.id == order_id) & Order.status.is_in(list(HOLDING))).returning(Order.id)
        if not changed:
            raise Conflict("Only an unpaid order that still holds its places can be given more time.",
                           code="not_holding")
        await extension.emit("staff_change", actor_id=actor_id, action="extend_hold", entity="order",
                             entity_id=order_id, before={"expires_at": order["expires_at"].isoformat()
                                                         if order["expires_at"] else None},
                             after={"expires_at": until.isoformat(), "reason": reason.strip()})
    return await Order.select().where(Order.id == order_id).first()


async def choose_method(order_id: int, method: str, *, card_minutes: int) -> dict:
    """The buyer says how they will pay; an invoice, cheque or door payment holds the places for
    the event's payment term (terms.py). Never shortens a hold already given."""
    from confops.core.errors import Conflict, FieldError, Invalid
    from confops.events.tables import Event
    from confops.registration import terms
    from confops.registration.config import CONFIG
    from confops.registration.tables import EventSales

    if problem := terms.method_problem(method, CONFIG.cards):
        raise Invalid(problem, errors=[FieldError("pay_by", problem)])
    order = await Order.select().where(Order.id == order_id).first()
    now = clock.now()
    if order is None or order["status"] not in HOLDING or order["expires_at"] is None or order["expires_at"] <= now:
        raise Conflict("This order is not waiting for payment.", code="not_payable")
    event = await Event.select(Event.starts_at, Event.ends_at).where(Event.id == order["event"]).first()
    sales = await EventSales.select(EventSales.payment_term_days).where(EventSales.event == order["event"]).first()
    until = terms.hold_until(method, now=now, starts_at=event["starts_at"], ends_at=event["ends_at"],
                             term_days=sales["payment_term_days"] if sales else 14, card_minutes=card_minutes)
    async with transaction():
        changed = await Order.update({Order.payment_method: method,
                                      Order.expires_at: max(until, order["expires_at"])}).where(
            (Order.id == order_id) & Order.status.is_in(list(HOLDING)) & (Order.expires_at > now)).returning(
            *Order.all_columns())
        if not changed:
            raise Conflict("This order is not waiting for payment.", code="not_payable")
    return changed[0]
