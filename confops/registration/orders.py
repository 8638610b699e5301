"""Placing an order: validate everything first, then write it all at once, claiming every place.

On PostgreSQL, outside a caller's transaction, that is one statement (order_statement.py): the
order, its claims, attendees, add-ons, answers, accounts and confirmation mail, written with the
other orders waiting in the process at that moment (order_batches.py). Otherwise it is
one transaction: insert the order (its unique idempotency key makes a double submission fail
fast), create the attendees, queue the confirmation, the accounts, then claim the event,
categories, add-ons and code uses with conditional UPDATEs. Either way any failure rolls back
all of it, so nothing is ever half-sold.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from confops.accounts import link_accounts
from confops.core import clock
from confops.core.errors import Conflict, DomainError, FieldError, Invalid, NotFound, collect
from confops.db import atomic, current_engine, hot_rows, is_sqlite, transaction
from confops.registration import (
    capacity,
    first_orders,
    order_batches,
    order_statement,
    pricing,
    terms,
)
from confops.registration.catalog import (
    Catalog,
    addon_price,
    category_price,
    kept_catalog_ready,
    load_catalog,
)
from confops.registration.config import CONFIG
from confops.registration.intake import OrderIn, check_order
from confops.registration.name_keys import name_columns
from confops.registration.tables import (
    Answer,
    Attendee,
    AttendeeAddOn,
    CodeKind,
    DiscountCode,
    Order,
    OrderStatus,
    WaitlistOffer,
)


@dataclass(frozen=True)
class PlacedOrder:
    id: int
    status: str
    total_cents: int
    currency: str
    expires_at: datetime | None
    token: str
    created: bool


def order_token(idempotency_key: str) -> str:
    """The self-service token, derived from the form token with the app's secret: a repeated
    submission (double click) can show the same confirmation link, and only whoever sent the
    form token can know it. Stored only as a hash."""
    mac = hmac.new(CONFIG.secret.encode(), f"order:{idempotency_key}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def scoped_key(event_id: int, key: str) -> str:
    """The stored idempotency key: the client's key within its event. Why: the same key sent to
    another event is another order, never the first event's order (whose token it would give)."""
    return f"e{event_id}:" + hashlib.sha256(key.encode()).hexdigest()[:48]


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_checkin_code() -> str:
    """A random per-attendee reference, replaced on transfer. The QR people show at the door
    carries the signed check-in token instead (checkin_qr.py); this code is not a credential
    any scanner accepts."""
    return secrets.token_urlsafe(18)


async def _code_terms(catalog: Catalog, raw: str, categories: list[str]) -> tuple[dict | None, list[FieldError]]:
    raw = raw.strip()
    if not raw:
        return None, []
    row = await DiscountCode.select().where(
        (DiscountCode.event == catalog.event["id"]) & (DiscountCode.code == raw.upper())
    ).first()
    if row is None:
        return None, [FieldError("code", "This code is not valid for this event.")]
    if row["expires_at"] is not None and row["expires_at"] <= clock.now():
        return None, [FieldError("code", "This code has expired.")]
    if row["max_uses"] is not None and row["used"] >= row["max_uses"]:
        return None, [FieldError("code", "This code has been used up.")]
    allowed = {c.strip() for c in (row["categories"] or "").split(",") if c.strip()}
    if allowed and not any(c in allowed for c in categories):
        return None, [FieldError("code", "This code is not valid for the chosen category.")]
    return row, []


def terms_of(row: dict | None) -> pricing.CodeTerms | None:
    if row is None:
        return None
    allowed = frozenset(c.strip() for c in (row["categories"] or "").split(",") if c.strip())
    return pricing.CodeTerms(row["code"], CodeKind(row["kind"]), row["percent"], row["amount_cents"], allowed)


async def quote(slug: str, order: OrderIn, *, at_the_desk: bool = False) -> tuple[Catalog, pricing.Quote, dict | None]:
    """Check the order against the event and price it; raise with every problem at once.

    `at_the_desk`: staff registering a walk-in during the event, after online registration
    closed; the window is not checked (capacity still is)."""
    catalog = await load_catalog(slug)
    priced, code_row = await _priced(catalog, order, at_the_desk=at_the_desk)
    return catalog, priced, code_row


async def _priced(catalog: Catalog, order: OrderIn, *, at_the_desk: bool) -> tuple[pricing.Quote, dict | None]:
    problems = check_order(order)
    cats = {c["code"]: c for c in catalog.categories}
    adds = {a["code"]: a for a in catalog.addons}
    for i, person in enumerate(order.attendees):
        if person.category and person.category not in cats:
            problems.append(FieldError(f"attendees[{i}].category", "Choose one of the listed categories."))
        for code, qty in person.addons.items():
            if code not in adds:
                problems.append(FieldError(f"attendees[{i}].addons.{code}", "No such add-on."))
            elif isinstance(qty, int) and qty > adds[code]["max_per_attendee"]:
                problems.append(FieldError(f"attendees[{i}].addons.{code}",
                                           f"At most {adds[code]['max_per_attendee']} per attendee."))
        for question in catalog.questions:
            if question["required"] and not str(person.answers.get(question["key"], "")).strip():
                problems.append(FieldError(f"attendees[{i}].answers.{question['key']}", "This is required."))
            choices = [c.strip() for c in (question["choices"] or "").splitlines() if c.strip()]
            value = str(person.answers.get(question["key"], "")).strip()
            if choices and value and value not in choices:
                problems.append(FieldError(f"attendees[{i}].answers.{question['key']}", "Choose one of the options."))
        unknown = set(person.answers) - {q["key"] for q in catalog.questions}
        for key in sorted(unknown):
            problems.append(FieldError(f"attendees[{i}].answers.{key}", "No such question."))
    code_row, code_problems = await _code_terms(catalog, order.code, [p.category for p in order.attendees])
    problems.extend(code_problems)
    if order.pay_by and (problem := terms.method_problem(order.pay_by, CONFIG.cards)):
        problems.append(FieldError("pay_by", problem))
    collect(problems)
    if not at_the_desk and (problem := catalog.window_problem()):
        raise Conflict(problem, code="registration_closed")
    lines = [(category_price(cats[p.category]), [(addon_price(adds[c]), q) for c, q in sorted(p.addons.items())])
             for p in order.attendees]
    priced = pricing.price_order(lines, phase=catalog.phase, code=terms_of(code_row), currency=catalog.event["currency"])
    return priced, code_row


# Writes of orders at once per process (a batch of orders in one statement, or one order the
# long way): they all update the event's counter row, and a short queue here gets more through
# than many waiting on the row lock (confops/db.py hot_rows). One, since an order became one
# round trip: bench/registration_rush.py, 6 alternating pairs, p99 236, 251, 230, 294, 190, 267
# ms with one against 312, 369, 201, 334, 246, 292 with two (the second writer only waited on
# the same row lock as the first).
ORDER_WRITERS = 1


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


async def place_order(slug: str, order: OrderIn, *, hold_minutes: int, base_url: str,
                      complimentary: bool = False, at_the_desk: bool = False) -> PlacedOrder:
    """Create the order once per idempotency key; a repeat returns the first order.

    `at_the_desk`: a walk-in registered by staff (see `quote`).

    The common case (a new key) is not preceded by a lookup: the order row is inserted first,
    and a repeated key fails there on the unique index, after which the first order is
    returned. On PostgreSQL, once this process has read the event, an order is one round trip:
    it is decided from the kept catalog (catalog.load_catalog) and written by order_batches
    (with the orders waiting beside it, in one statement whose claim on the event also checks
    the event's fingerprint); if that statement is refused for any reason, or the kept catalog
    finds a problem, nothing was written and the order is decided again from a fresh read,
    and written the same way; refused again, it goes the long way (a transaction, one order
    at a time per process: ORDER_WRITERS), which says what is full. Measured with
    bench/registration_profile.py, CPU an order: 0.85 ms in 1 round trip; 1.05 ms when the event
    was read for every order (2 round trips), 1.25 ms when both went through Piccolo's query
    building (db.raw), 2.2 ms as a transaction of 8.

    Inside a caller's transaction (the walk-in desk) the work runs in a SAVEPOINT, so a repeated
    key rolls back only this order's insert and the lookup of the first order still works on
    PostgreSQL; the usual case outside a transaction costs no extra query."""
    attempt = functools.partial(_place_order, slug, order, hold_minutes=hold_minutes, base_url=base_url,
                                complimentary=complimentary, at_the_desk=at_the_desk)
    if _alone(order):
        for kept_ok in (True, False) if kept_catalog_ready(slug) else (False,):
            try:
                return await attempt(kept_ok=kept_ok, one_statement=True)
            except _Unconfirmed:
                pass  # nothing was written; read the event afresh and decide again
    return await attempt(kept_ok=False, one_statement=False)


class _Unconfirmed(Exception):
    """An order decided from a kept catalog found a problem, or an order's one statement was
    refused (no room, the event changed since it was read, …): nothing was written, and it is
    decided again from a fresh read."""


async def _place_order(slug: str, order: OrderIn, *, hold_minutes: int, base_url: str,
                       complimentary: bool, at_the_desk: bool, kept_ok: bool, one_statement: bool) -> PlacedOrder:
    catalog = await load_catalog(slug, kept_ok=kept_ok)
    key = scoped_key(catalog.event["id"], order.idempotency_key.strip())
    try:
        priced, code_row = await _priced(catalog, order, at_the_desk=at_the_desk)
        if catalog.sold_out and not order.offer_token:
            # Read-time shortcut only; the conditional UPDATE below is what prevents overselling.
            raise Conflict("This event is sold out.", code="sold_out")
    except DomainError as problem:
        if catalog.kept:
            raise _Unconfirmed from problem
        if isinstance(problem, Conflict) and order.idempotency_key.strip() and (
                first := await _existing(key, order.request_hash)):
            return first
        raise
    event_id = catalog.event["id"]
    total = 0 if complimentary else priced.total_cents
    now = clock.now()
    free = total == 0
    method = order.pay_by or terms.default_method(CONFIG.cards)
    status = OrderStatus.confirmed if free else OrderStatus.awaiting_payment
    token = order_token(key)
    cats = {c["code"]: c for c in catalog.categories}
    adds = {a["code"]: a for a in catalog.addons}
    columns = dict(
        event=event_id, buyer_name=order.buyer_name, buyer_email=order.buyer_email,
        status=status.value, total_cents=total, currency=catalog.event["currency"],
        code=code_row["id"] if code_row else None,
        expires_at=None if free else terms.hold_until(
            method, now=now, starts_at=catalog.event["starts_at"], ends_at=catalog.event["ends_at"],
            term_days=catalog.sales["payment_term_days"], card_minutes=hold_minutes),
        payment_method="" if free else method,
        idempotency_key=key, request_hash=order.request_hash, pricing_snapshot=priced.snapshot(),
        token_hash=hash_token(token), complimentary=complimentary,
        confirmed_at=now if free else None, created_at=now,  # the project's clock, as every other step
    )
    people = _new_attendees(order, priced, cats, adds, catalog.questions, complimentary)
    claims = _claims(order, priced, cats, adds, code_row, now)
    early = priced.phase == pricing.PhaseKind.early.value and catalog.sales["early_bird_first_n"] is not None
    try:
        if one_statement and not early:
            order_id, expires_at = await _in_one_statement(order, catalog, columns, people, claims, token, free, now)
            if order_id is None:
                raise _Unconfirmed
        else:
            async with hot_rows("orders", ORDER_WRITERS):
                order_id, expires_at = await _in_a_transaction(order, catalog, columns, people, claims, token=token,
                                                               free=free, early=early, base_url=base_url)
    except (DomainError, _Unconfirmed):
        raise
    except Exception:
        # A concurrent duplicate submission lost the race on the unique idempotency key.
        if first := await _existing(key, order.request_hash):
            return first
        raise
    return PlacedOrder(order_id, status.value, total, catalog.event["currency"], expires_at, token, True)


async def _in_a_transaction(order: OrderIn, catalog: Catalog, columns: dict, people: list, claims: dict, *,
                            token: str, free: bool, early: bool, base_url: str) -> tuple[int, datetime | None]:
    """(order id, expires_at): the order written the long way, claims last; raises what is full."""
    event_id = catalog.event["id"]
    async with atomic():  # a savepoint when the caller's transaction is already open
        inserted = await Order.insert(Order(**columns)).returning(Order.id, Order.expires_at)
        order_id, expires_at = inserted[0]["id"], inserted[0]["expires_at"]
        ids = await _insert_attendees(order_id, event_id, people)
        if free:
            from confops.registration.emails import confirmation_recipients, queue_confirmation

            recipients = [{"id": i, "email": a.fields["email"]} for i, a in zip(ids, people, strict=True)]
            await queue_confirmation(order_id, token=token, base_url=base_url, title=catalog.event["title"],
                                     recipients=confirmation_recipients(order.buyer_email, recipients))
        else:
            from confops.registration.payment_mail import queue_acknowledgement

            await queue_acknowledgement(order_id, token=token, buyer_email=order.buyer_email,
                                        title=catalog.event["title"])
        await link_accounts.ensure(_accounts(order))
        # Claims last: the counter rows stay locked only from here to the commit, so
        # concurrent orders queue on them as briefly as possible.
        if early:
            await capacity.claim_early_bird(event_id, len(order.attendees))
        if order.offer_token:
            await _use_offer(event_id, order.offer_token)
            claims["places"] -= 1  # the offer already holds one place
        await capacity.claim_together(event_id=event_id, **claims)
    return order_id, expires_at


def _alone(order: OrderIn) -> bool:
    """PostgreSQL, outside a caller's transaction, and no waitlist offer (which takes the
    transaction path): the order may be placed in one statement."""
    engine = current_engine()
    return not is_sqlite(engine) and engine.current_transaction.get() is None and not order.offer_token


async def _in_one_statement(order: OrderIn, catalog: Catalog, columns: dict, people: list, claims: dict, token: str,
                            free: bool, now: datetime) -> tuple[int | None, datetime | None]:
    """(order id, expires_at), or (None, None) when the database refused it (some claim found
    no room, the event changed since it was read, …; nothing written: the order is decided
    again)."""
    from confops.registration.emails import (
        CONFIRMATION_DEDUPE,
        CONFIRMATION_RENDERER,
        confirmation_recipients,
        confirmation_subject,
    )
    from confops.registration.payment_mail import ACK_DEDUPE, ACK_RENDERER, acknowledgement_subject

    # Free: the confirmation, for the buyer and each attendee. Unpaid: the acknowledgement (how
    # to pay, by when) for the buyer; the worker renders either when it sends it.
    mail = order_statement.Confirmation(
        renderer=ACK_RENDERER, subject=acknowledgement_subject(catalog.event["title"]), dedupe=ACK_DEDUPE,
        token=token, recipients=[(order.buyer_email, None)]) if not free else order_statement.Confirmation(
        renderer=CONFIRMATION_RENDERER, subject=confirmation_subject(catalog.event["title"]),
        dedupe=CONFIRMATION_DEDUPE, token=token, recipients=confirmation_recipients(
            order.buyer_email, [{"id": a.checkin_code, "email": a.fields["email"]} for a in people]))
    rows = order_statement.NewOrder(order_statement.order_columns(**columns), people, _accounts(order), mail)
    placed = await order_batches.place(rows, event_id=catalog.event["id"], fingerprint=catalog.sales["fingerprint"],
                                       claims=claims, writers=ORDER_WRITERS, now=now)
    return placed or (None, None)


def _new_attendees(order: OrderIn, priced: pricing.Quote, cats: dict, adds: dict, questions: list[dict],
                   complimentary: bool) -> list[order_statement.NewAttendee]:
    question_ids = {q["key"]: q["id"] for q in questions}
    return [order_statement.NewAttendee(
        checkin_code=new_checkin_code(), category_id=cats[person.category]["id"],
        fields=dict(first_name=person.first_name, last_name=person.last_name,
                    badge_name=person.badge_name or person.first_name, credentials=person.credentials,
                    pronouns=person.pronouns, institution=person.institution, city_region=person.city_region,
                    profession=person.profession, dietary=person.dietary, accessibility=person.accessibility,
                    email=person.email, price_cents=0 if complimentary else line.total_cents,
                    **name_columns(person.first_name, person.last_name, person.badge_name or person.first_name,
                                   person.email, person.institution)),
        addons=[(adds[code]["id"], qty, 0 if complimentary else adds[code]["price_cents"] * qty)
                for code, qty in sorted(person.addons.items())],
        answers=[(question_ids[key], str(value).strip()) for key, value in person.answers.items()
                 if str(value).strip()],
    ) for person, line in zip(order.attendees, priced.lines, strict=True)]


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


def _accounts(order: OrderIn) -> list[tuple[str, str]]:
    """(e-mail, name) of the buyer and the attendees, once each: each gets a link-only account
    (accounts.link_accounts), inside the order's transaction or statement, so an account exists
    only if the order does."""
    people = {order.buyer_email: order.buyer_name}
    for person in order.attendees:
        people.setdefault(person.email, f"{person.first_name} {person.last_name}".strip())
    return sorted(people.items())


def _claims(order: OrderIn, priced: pricing.Quote, cats: dict, adds: dict, code_row: dict | None,
            now: datetime) -> dict:
    """What the order claims, as capacity.claim_together's keyword arguments."""
    per_category: dict[str, int] = {}
    per_addon: dict[str, int] = {}
    for person in order.attendees:
        per_category[person.category] = per_category.get(person.category, 0) + 1
        for code, qty in person.addons.items():
            per_addon[code] = per_addon.get(code, 0) + qty
    return dict(
        places=len(order.attendees),
        categories=[(cats[c]["id"], k, cats[c]["label"]) for c, k in per_category.items()],
        addons=[(adds[c]["id"], k, adds[c]["label"]) for c, k in per_addon.items()],
        code=(code_row["id"], priced.code_uses, now) if code_row and priced.code_uses else None)


async def _use_offer(event_id: int, token: str) -> None:
    """A waitlist offer already holds one event place: use it instead of claiming a new one."""
    used = await WaitlistOffer.update({WaitlistOffer.status: "used"}).where(
        (WaitlistOffer.token_hash == hash_token(token)) & (WaitlistOffer.status == "open")
        & (WaitlistOffer.event == event_id) & (WaitlistOffer.expires_at > clock.now())
    ).returning(WaitlistOffer.entry)
    if not used:
        raise Conflict("This waitlist offer has expired or was already used.", code="offer_invalid")
    from confops.registration.tables import WaitlistEntry

    await WaitlistEntry.update({WaitlistEntry.status: "used"}).where(WaitlistEntry.id == used[0]["entry"])


async def order_by_token(order_id: int, token: str) -> dict:
    """The order for its self-service token; a wrong token looks exactly like a missing order."""
    from confops.registration.holds import release_expired

    await release_expired()
    row = await Order.select().where((Order.id == order_id) & (Order.token_hash == hash_token(token or ""))).first()
    if row is None:
        raise NotFound("There is no such order.")
    return row


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
