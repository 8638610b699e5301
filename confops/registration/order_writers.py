"""Writing a decided order (order_decision.Decision), all of it or none, claiming every place.

One interface, two writers, chosen once per database engine (`writer()`):

- the transaction writer (SQLite; and on PostgreSQL every order that shares a caller's
  transaction, uses a waitlist offer or a "first N" early-bird price, or was read with unpaid
  holds past their due time): insert the order (its unique idempotency key makes a double
  submission fail fast), the attendees, the mail, the accounts, free those expired holds
  (holds.free_expired), then claim the event, categories, add-ons and code uses with
  conditional UPDATEs, which raise saying what is full;
- the statement writer (PostgreSQL): the same rows in one statement (order_statement.py),
  written with the other orders waiting in the process at that moment (order_batches.py).
  Refused (no room, the event changed since it was read, a repeated key; nothing written), an
  order decided from a catalog this process kept is decided again from a fresh read (None), and
  an order decided from a fresh read goes the transaction's way, which says what is full.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from confops.accounts import link_accounts
from confops.db import atomic, current_engine, hot_rows, is_sqlite
from confops.registration import capacity, holds, order_batches, order_statement
from confops.registration.order_decision import Decision, hash_token
from confops.registration.tables import (
    Answer,
    Attendee,
    AttendeeAddOn,
    Order,
    WaitlistEntry,
    WaitlistOffer,
)

ORDER_WRITERS = 1  # writes of orders at once per process


def one_write_of_orders_at_a_time():
    """The gate every write of orders passes in this process (a batch of orders in one
    statement, or one order the long way): they all update the event's counter row, and a short
    queue here gets more through than many waiting on the row lock (confops/db.py hot_rows;
    figures in bench/README.md)."""
    return hot_rows("orders", ORDER_WRITERS)


Written = tuple[int, datetime | None]  # order id, expires_at


class OrderWriter(Protocol):
    def may_decide_from_kept(self, offer_token: str) -> bool:
        """Whether an order may be decided from the catalog this process kept (no read)."""

    async def write(self, decision: Decision) -> Written | None:
        """The order written, or None: refused with nothing written, decide again from a
        fresh read. Raises a DomainError for what is full."""


class TransactionWriter:
    def may_decide_from_kept(self, offer_token: str) -> bool:
        return False  # only the statement confirms a kept catalog (its fingerprint)

    async def write(self, decision: Decision) -> Written:
        async with one_write_of_orders_at_a_time():
            return await _in_a_transaction(decision)


class StatementWriter:
    def __init__(self, long_way: TransactionWriter) -> None:
        self.long_way = long_way

    def may_decide_from_kept(self, offer_token: str) -> bool:
        return _alone(offer_token)

    async def write(self, decision: Decision) -> Written | None:
        if decision.early or decision.catalog.sales["expired_held"] or not _alone(decision.order.offer_token):
            return await self.long_way.write(decision)
        if placed := await _in_one_statement(decision):
            return placed
        return None if decision.catalog.kept else await self.long_way.write(decision)


_WRITERS: dict[int, tuple[object, OrderWriter]] = {}  # id(engine) -> (the engine, kept alive; its writer)


def writer() -> OrderWriter:
    """The engine's writer, chosen on its first order (tests switch engines in one process)."""
    engine = current_engine()
    kept, chosen = _WRITERS.get(id(engine), (None, None))
    if kept is not engine or chosen is None:
        chosen = TransactionWriter() if is_sqlite(engine) else StatementWriter(TransactionWriter())
        _WRITERS[id(engine)] = (engine, chosen)
    return chosen


def _alone(offer_token: str) -> bool:
    """Outside a caller's transaction, and no waitlist offer (which is used in a transaction)."""
    return current_engine().current_transaction.get() is None and not offer_token


async def _in_a_transaction(decision: Decision) -> Written:
    """The order written the long way, claims last; raises what is full."""
    event = decision.catalog.event
    claims = dict(decision.claims)
    async with atomic():  # a savepoint when the caller's transaction is already open
        inserted = await Order.insert(Order(**decision.columns)).returning(Order.id, Order.expires_at)
        order_id, expires_at = inserted[0]["id"], inserted[0]["expires_at"]
        ids = await _insert_attendees(order_id, event["id"], decision.people)
        if decision.free:
            from confops.registration.emails import confirmation_recipients, queue_confirmation

            recipients = [{"id": i, "email": a.fields["email"]} for i, a in zip(ids, decision.people, strict=True)]
            await queue_confirmation(order_id, token=decision.token, title=event["title"],
                                     recipients=confirmation_recipients(decision.order.buyer_email, recipients))
        else:
            from confops.registration.payment_mail import queue_acknowledgement

            await queue_acknowledgement(order_id, token=decision.token, buyer_email=decision.order.buyer_email,
                                        title=event["title"])
        await link_accounts.ensure(decision.accounts())
        # Claims last: the counter rows stay locked only from here to the commit, so
        # concurrent orders queue on them as briefly as possible.
        if decision.catalog.sales["expired_held"]:
            await holds.free_expired(event["id"], decision.now)
        if decision.early:
            await capacity.claim_early_bird(event["id"], len(decision.people))
        if decision.order.offer_token:
            await _use_offer(event["id"], decision.order.offer_token)
            claims["places"] -= 1  # the offer already holds one place
        await capacity.claim_together(event_id=event["id"], **claims)
    return order_id, expires_at


async def _insert_attendees(order_id: int, event_id: int, people: list[order_statement.NewAttendee]) -> list[int]:
    """Attendees, their add-ons and answers in three multi-row INSERTs (not one per row)."""
    rows = [Attendee(order=order_id, event=event_id, category=a.category_id, checkin_code=a.checkin_code, **a.fields)
            for a in people]
    ids = [r["id"] for r in await Attendee.insert(*rows).returning(Attendee.id)]
    addon_rows = [AttendeeAddOn(attendee=i, addon=addon, quantity=qty, price_cents=price)
                  for i, a in zip(ids, people, strict=True) for addon, qty, price in a.addons]
    answer_rows = [Answer(attendee=i, question=question, value=value)
                   for i, a in zip(ids, people, strict=True) for question, value in a.answers]
    if addon_rows:
        await AttendeeAddOn.insert(*addon_rows)
    if answer_rows:
        await Answer.insert(*answer_rows)
    return ids


async def _use_offer(event_id: int, token: str) -> None:
    """A waitlist offer already holds one event place: use it instead of claiming a new one."""
    from confops.core import clock
    from confops.core.errors import Conflict

    used = await WaitlistOffer.update({WaitlistOffer.status: "used"}).where(
        (WaitlistOffer.token_hash == hash_token(token)) & (WaitlistOffer.status == "open")
        & (WaitlistOffer.event == event_id) & (WaitlistOffer.expires_at > clock.now())
    ).returning(WaitlistOffer.entry)
    if not used:
        raise Conflict("This waitlist offer has expired or was already used.", code="offer_invalid")
    await WaitlistEntry.update({WaitlistEntry.status: "used"}).where(WaitlistEntry.id == used[0]["entry"])


async def _in_one_statement(decision: Decision) -> Written | None:
    """The order in one statement with the orders waiting beside it, or None when the database
    refused it (nothing written)."""
    from confops.registration.emails import (
        CONFIRMATION_DEDUPE,
        CONFIRMATION_RENDERER,
        confirmation_recipients,
        confirmation_subject,
    )
    from confops.registration.payment_mail import ACK_DEDUPE, ACK_RENDERER, acknowledgement_subject

    catalog, buyer = decision.catalog, decision.order.buyer_email
    # Free: the confirmation, for the buyer and each attendee. Unpaid: the acknowledgement (how
    # to pay, by when) for the buyer; the worker renders either when it sends it.
    if decision.free:
        mail = order_statement.Confirmation(
            renderer=CONFIRMATION_RENDERER, subject=confirmation_subject(catalog.event["title"]),
            dedupe=CONFIRMATION_DEDUPE, token=decision.token, recipients=confirmation_recipients(
                buyer, [{"id": a.checkin_code, "email": a.fields["email"]} for a in decision.people]))
    else:
        mail = order_statement.Confirmation(
            renderer=ACK_RENDERER, subject=acknowledgement_subject(catalog.event["title"]), dedupe=ACK_DEDUPE,
            token=decision.token, recipients=[(buyer, None)])
    rows = order_statement.NewOrder(order_statement.order_columns(**decision.columns), decision.people,
                                    decision.accounts(), mail)
    return await order_batches.place(rows, event_id=catalog.event["id"], fingerprint=catalog.sales["fingerprint"],
                                     claims=decision.claims, gate=one_write_of_orders_at_a_time, now=decision.now)
