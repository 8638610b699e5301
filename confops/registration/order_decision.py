"""What an order is, decided from the event's catalog before anything is written: every problem
found at once (field errors, the window, a code that does not apply), the price, the places it
claims, and the rows it will write. Nothing here writes; order_writers.py writes a Decision."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from confops.core import clock
from confops.core.errors import Conflict, FieldError, collect
from confops.registration import order_statement, pricing, terms
from confops.registration.catalog import Catalog, addon_price, category_price
from confops.registration.config import CONFIG
from confops.registration.intake import OrderIn, check_order
from confops.registration.name_keys import name_columns
from confops.registration.tables import CodeKind, DiscountCode, OrderStatus


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


@dataclass(frozen=True)
class Decision:
    """An order ready to write: its row (`columns`), attendees, accounts, the claims
    (capacity.claim_together's keyword arguments) and what its confirmation mail needs."""
    catalog: Catalog
    order: OrderIn
    token: str
    columns: dict
    people: list[order_statement.NewAttendee]
    claims: dict
    early: bool  # priced early by "the first N" (claimed by counting, in a transaction)
    now: datetime

    @property
    def free(self) -> bool:
        return self.columns["total_cents"] == 0

    @property
    def key(self) -> str:
        return self.columns["idempotency_key"]

    def accounts(self) -> list[tuple[str, str]]:
        """(e-mail, name) of the buyer and the attendees, once each: each gets a link-only
        account (accounts.link_accounts) with the order, so an account exists only if it does."""
        people = {self.order.buyer_email: self.order.buyer_name}
        for person in self.order.attendees:
            people.setdefault(person.email, f"{person.first_name} {person.last_name}".strip())
        return sorted(people.items())


async def quote(catalog: Catalog, order: OrderIn, *, at_the_desk: bool) -> tuple[pricing.Quote, dict | None]:
    """Check the order against the event and price it; raise with every problem at once.

    `at_the_desk`: staff registering a walk-in during the event, after online registration
    closed; the window is not checked (capacity still is)."""
    problems = check_order(order) + _catalog_problems(catalog, order)
    code_row, code_problems = await _code_terms(catalog, order.code, [p.category for p in order.attendees])
    problems.extend(code_problems)
    if order.pay_by and (problem := terms.method_problem(order.pay_by, CONFIG.cards)):
        problems.append(FieldError("pay_by", problem))
    collect(problems)
    if not at_the_desk and (problem := catalog.window_problem()):
        raise Conflict(problem, code="registration_closed")
    cats = {c["code"]: c for c in catalog.categories}
    adds = {a["code"]: a for a in catalog.addons}
    lines = [(category_price(cats[p.category]), [(addon_price(adds[c]), q) for c, q in sorted(p.addons.items())])
             for p in order.attendees]
    priced = pricing.price_order(lines, phase=catalog.phase, code=terms_of(code_row), currency=catalog.event["currency"])
    return priced, code_row


async def decide(catalog: Catalog, order: OrderIn, key: str, *, hold_minutes: int, complimentary: bool,
                 at_the_desk: bool) -> Decision:
    """The order under the stored idempotency `key`, priced and checked (raises what is wrong)."""
    priced, code_row = await quote(catalog, order, at_the_desk=at_the_desk)
    if catalog.sold_out and not order.offer_token:
        # Read-time shortcut only; the claims when it is written are what prevent overselling.
        raise Conflict("This event is sold out.", code="sold_out")
    event = catalog.event
    total = 0 if complimentary else priced.total_cents
    now = clock.now()
    free = total == 0
    method = order.pay_by or terms.default_method(CONFIG.cards)
    token = order_token(key)
    cats = {c["code"]: c for c in catalog.categories}
    adds = {a["code"]: a for a in catalog.addons}
    columns = dict(
        event=event["id"], buyer_name=order.buyer_name, buyer_email=order.buyer_email,
        status=(OrderStatus.confirmed if free else OrderStatus.awaiting_payment).value, total_cents=total,
        currency=event["currency"], code=code_row["id"] if code_row else None,
        expires_at=None if free else terms.hold_until(
            method, now=now, starts_at=event["starts_at"], ends_at=event["ends_at"],
            term_days=catalog.sales["payment_term_days"], card_minutes=hold_minutes),
        payment_method="" if free else method,
        idempotency_key=key, request_hash=order.request_hash, pricing_snapshot=priced.snapshot(),
        token_hash=hash_token(token), complimentary=complimentary,
        confirmed_at=now if free else None, created_at=now,  # the project's clock, as every other step
    )
    early = priced.phase == pricing.PhaseKind.early.value and catalog.sales["early_bird_first_n"] is not None
    return Decision(catalog, order, token, columns,
                    _new_attendees(order, priced, cats, adds, catalog.questions, complimentary),
                    _claims(order, priced, cats, adds, code_row, now), early, now)


def _catalog_problems(catalog: Catalog, order: OrderIn) -> list[FieldError]:
    problems = []
    cats = {c["code"] for c in catalog.categories}
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
    return problems


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
