"""Placing an order, read top to bottom: decide it from the event's catalog (order_decision.py:
validate, price, claims), then write it (order_writers.py: one statement on PostgreSQL, a
transaction otherwise, claiming every place; any failure writes nothing, so nothing is ever
half-sold). And the order's later reads: by its self-service token, its attendees, its
confirmation once paid.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from confops.core import clock
from confops.core.errors import Conflict, DomainError, Invalid, NotFound
from confops.db import transaction
from confops.registration import first_orders, holds
from confops.registration.capacity import ensure_sales
from confops.registration.catalog import Catalog, load_catalog
from confops.registration.intake import OrderIn
from confops.registration.order_decision import (
    decide,
    hash_token,
    order_token,
    scoped_key,
)
from confops.registration.order_writers import writer
from confops.registration.tables import (
    Answer,
    Attendee,
    AttendeeAddOn,
    AttendeeStatus,
    Order,
    OrderStatus,
)

FULL = ("sold_out", "category_full", "addon_full", "code_invalid")  # what a claim refuses


@dataclass(frozen=True)
class PlacedOrder:
    id: int
    status: str
    total_cents: int
    currency: str
    expires_at: datetime | None
    token: str
    created: bool


async def quote(slug: str, order: OrderIn, *, at_the_desk: bool = False):
    """(catalog, quote, code row): the order checked against the event and priced (raises every
    problem at once), for the review page."""
    from confops.registration import order_decision

    catalog = await load_catalog(slug)
    priced, code_row = await order_decision.quote(catalog, order, at_the_desk=at_the_desk)
    return catalog, priced, code_row


async def place_order(slug: str, order: OrderIn, *, hold_minutes: int, base_url: str,
                      complimentary: bool = False, at_the_desk: bool = False) -> PlacedOrder:
    """Create the order once per idempotency key; a repeat returns the first order.

    `at_the_desk`: a walk-in registered by staff, after online registration closed.

    A new key is not looked up first: the order is written, and a repeated key fails there on
    the unique index, after which the first order is returned. The places of unpaid holds past
    their due time are free: the order that needs them frees them in its transaction. On
    PostgreSQL, once this process has read the event, an order is decided from the catalog it
    kept, with no query, and written in one round trip whose claim on the event also checks that
    nothing changed since (the event's fingerprint); refused, or the kept catalog finds a
    problem, it is decided again from a fresh read (figures in bench/README.md)."""
    write = writer()
    catalog = await load_catalog(slug, kept_ok=write.may_decide_from_kept(order.offer_token))
    if catalog.sales["id"] is None:  # an event made without the services: its counters start now
        await ensure_sales(catalog.event["id"])
        catalog = await load_catalog(slug)
    while True:
        key = scoped_key(catalog.event["id"], order.idempotency_key.strip())
        try:
            decision = await decide(catalog, order, key, hold_minutes=hold_minutes, complimentary=complimentary,
                                    at_the_desk=at_the_desk)
        except DomainError as problem:
            if catalog.kept:  # nothing written: read the event afresh and decide again
                catalog = await load_catalog(slug)
                continue
            return await _first_or_raise(problem, key, order)
        try:
            written = await write.write(decision)
        except Conflict as refused:
            if refused.code not in FULL or catalog.sales["expired_held"]:
                raise
            catalog = await load_catalog(slug)
            if not catalog.sales["expired_held"]:
                raise
            continue  # a hold expired since the read: decided again, its writer frees it first
        except DomainError:
            raise
        except Exception:
            # A concurrent duplicate submission lost the race on the unique idempotency key.
            if first := await _existing(key, order.request_hash):
                return first
            raise
        if written is not None:
            return _placed(catalog, decision.columns, decision.token, *written)
        catalog = await load_catalog(slug)  # refused, nothing written: decide again from a fresh read


def _placed(catalog: Catalog, columns: dict, token: str, order_id: int, expires_at: datetime | None) -> PlacedOrder:
    return PlacedOrder(order_id, columns["status"], columns["total_cents"], catalog.event["currency"], expires_at,
                       token, True)


async def _first_or_raise(problem: DomainError, key: str, order: OrderIn) -> PlacedOrder:
    """A refused order whose key placed an order before (a retry after the event sold out) gets
    that order back; otherwise the refusal stands."""
    if isinstance(problem, Conflict) and order.idempotency_key.strip() and (
            first := await _existing(key, order.request_hash)):
        return first
    raise problem


async def _existing(key: str, request_hash: str = "") -> PlacedOrder | None:
    row = await first_orders.first_order(key)
    if row is None:
        return None
    if request_hash and row["request_hash"] != request_hash:
        # As Stripe does: a key is one request; sent with another body it answers nothing.
        raise Invalid("This idempotency key was already used for a different request. Use a new key "
                      "for a new order.", field="idempotency_key", code="idempotency_key_reused")
    return PlacedOrder(row["id"], row["status"], row["total_cents"], row["currency"], row["expires_at"],
                       order_token(key), False)


async def order_by_token(order_id: int, token: str) -> dict:
    """The order for its self-service token, as its buyer is shown it (a read: it writes
    nothing); a wrong token looks exactly like a missing order."""
    return holds.as_seen(await _by_token(order_id, token), clock.now())


async def order_to_change(order_id: int, token: str) -> dict:
    """The order for its token, for a request that changes it: a hold past its due time is let go
    first (holds.expire_if_due), so the change is refused as for any expired order."""
    row = await _by_token(order_id, token)
    if holds.past_due(row, clock.now()):
        await holds.expire_if_due(order_id)
        row = await _by_token(order_id, token)  # expired now, or paid meanwhile
    return holds.as_seen(row, clock.now())


async def _by_token(order_id: int, token: str) -> dict:
    row = await Order.select().where((Order.id == order_id) & (Order.token_hash == hash_token(token or ""))).first()
    if row is None:
        raise NotFound("There is no such order.")
    return row


async def attendees_as_seen(order: dict) -> list[dict]:
    """The attendees of an order as its page shows them: those of an order shown expired are
    expired too, as the sweep makes them."""
    people = await attendees_of(order["id"])
    if order["status"] == OrderStatus.expired.value:
        for person in people:
            if person["status"] == AttendeeStatus.active.value:
                person["status"] = AttendeeStatus.expired.value
    return people


async def attendees_of(order_id: int) -> list[dict]:
    rows = await Attendee.select(*Attendee.all_columns(), Attendee.category.label.as_alias("category_label"),
                                 Attendee.category.code.as_alias("category_code")).where(
        Attendee.order == order_id).order_by(Attendee.id)
    ids = [row["id"] for row in rows]
    addons: dict[int, list[dict]] = {i: [] for i in ids}
    answers: dict[int, dict[str, str]] = {i: {} for i in ids}
    if ids:  # two queries for the whole order, not two per attendee
        for a in await AttendeeAddOn.select(
                AttendeeAddOn.attendee, AttendeeAddOn.quantity, AttendeeAddOn.price_cents,
                AttendeeAddOn.addon.label.as_alias("label"), AttendeeAddOn.addon.code.as_alias("code"),
        ).where(AttendeeAddOn.attendee.is_in(ids)).order_by(AttendeeAddOn.id):
            addons[a.pop("attendee")].append(a)
        for a in await Answer.select(Answer.attendee, Answer.value, Answer.question.key.as_alias("key")).where(
                Answer.attendee.is_in(ids)):
            answers[a["attendee"]][a["key"]] = a["value"]
    for row in rows:
        row["addons"], row["answers"] = addons[row["id"]], answers[row["id"]]
    return rows


async def confirm_order(order_id: int) -> bool:
    """Mark a held order paid and queue its confirmation (the payments issue calls this).

    Returns False when the order is no longer held (expired or cancelled meanwhile): the
    payment side then decides between re-claiming places and refunding."""
    from confops.registration.emails import queue_confirmation

    async with transaction():
        rows = await Order.update({
            Order.status: OrderStatus.confirmed.value, Order.confirmed_at: clock.now(), Order.expires_at: None,
        }).where((Order.id == order_id) & Order.status.is_in(["pending", "awaiting_payment"])).returning(
            Order.idempotency_key)
        if not rows:
            return False
        await queue_confirmation(order_id, token=order_token(rows[0]["idempotency_key"]))
    return True
