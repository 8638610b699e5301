"""What an attendee (or the buyer of a group) can do with their order: edit answers until the
edit deadline, cancel (refund shown first), transfer a place to a colleague."""

from __future__ import annotations

from dataclasses import dataclass

from confops.core import clock, extension
from confops.core.errors import Conflict, FieldError, NotFound, collect
from confops.db import transaction
from confops.events.tables import Event
from confops.registration import name_keys, paid_waiting, refunds
from confops.registration.capacity import claim_category, lock_event, release_category
from confops.registration.catalog import category_price
from confops.registration.holds import give_back, with_snapshot
from confops.registration.intake import MULTILINE, TEXT_FIELDS, text_problem
from confops.registration.order_decision import new_checkin_code
from confops.registration.tables import (
    HOLDING,
    Answer,
    Attendee,
    AttendeeStatus,
    Category,
    EventSales,
    Order,
    OrderStatus,
    Question,
)


@dataclass(frozen=True)
class RefundPreview:
    paid_cents: int
    refund_cents: int
    policy: str
    currency: str


async def refund_preview(order: dict) -> RefundPreview:
    if order["status"] in (OrderStatus.cancelled.value, OrderStatus.expired.value):
        raise Conflict("This order is already closed.", code="order_closed")
    event = await Event.select(Event.starts_at).where(Event.id == order["event"]).first()
    sales = await EventSales.select().where(EventSales.event == order["event"]).first()
    paid = order["total_cents"] if order["status"] == OrderStatus.confirmed.value else 0
    amount = refunds.refund_cents(paid, policy=sales["cancellation_policy"], tiers=sales["refund_tiers"],
                                  fee_cents=sales["cancellation_fee_cents"], now=clock.now(),
                                  event_starts_at=event["starts_at"])
    return RefundPreview(paid, amount, sales["cancellation_policy"], order["currency"])


async def cancel_order(order: dict) -> RefundPreview:
    """Cancel the whole order; its places go back on sale (waitlist first)."""
    from confops.registration.emails import queue_cancellation

    preview = await refund_preview(order)
    async with transaction():
        flipped = await Order.update({
            Order.status: OrderStatus.cancelled.value, Order.cancelled_at: clock.now(),
            Order.refund_cents: preview.refund_cents,
        }).where((Order.id == order["id"]) & Order.status.is_in([*HOLDING, OrderStatus.confirmed.value])
                 ).returning(*Order.all_columns())
        if not flipped:
            raise Conflict("This order is already closed.", code="order_closed")
        row = with_snapshot(flipped[0])
        await give_back(row, return_code_uses=False)
        cancelled = await Attendee.update({Attendee.status: AttendeeStatus.cancelled.value,
                                           Attendee.token_version: Attendee.token_version + 1}).where(
            (Attendee.order == order["id"]) & (Attendee.status == AttendeeStatus.active.value)).returning(Attendee.id)
        await queue_cancellation(row, preview.refund_cents)
        await extension.emit("registration_cancelled", event_id=row["event"],
                             attendee_ids=[a["id"] for a in cancelled], reason="The registration was cancelled.")
    await extension.emit("refund_owed", order_id=order["id"], amount_cents=preview.refund_cents,
                         reason="Cancellation (refund policy)", kind="policy")
    return preview


async def _attendee_of(order: dict, attendee_id: int) -> dict:
    row = await Attendee.select().where((Attendee.id == attendee_id) & (Attendee.order == order["id"])).first()
    if row is None or row["status"] != AttendeeStatus.active.value:
        raise NotFound("There is no such attendee on this order.")
    return row


async def edit_answers(order: dict, attendee_id: int, fields: dict[str, str], answers: dict[str, str],
                       *, staff: bool = False) -> None:
    """Change the attendee's details and answers; attendees only until the edit deadline."""
    person = await _attendee_of(order, attendee_id)
    event = await Event.select(Event.edit_deadline).where(Event.id == order["event"]).first()
    if not staff and event["edit_deadline"] and clock.now() >= event["edit_deadline"]:
        raise Conflict("Answers can no longer be changed online; please contact the organizers.",
                       code="edit_closed")
    problems = []
    changes = {}
    for name, value in fields.items():
        if name not in TEXT_FIELDS:
            problems.append(FieldError(name, "This field cannot be changed here."))
            continue
        value = (value or "").strip()
        max_len, required = TEXT_FIELDS[name]
        if msg := text_problem(value, max_len, required, name in MULTILINE):
            problems.append(FieldError(name, msg))
        changes[getattr(Attendee, name)] = value
    questions = {q["key"]: q for q in await Question.select().where(Question.event == order["event"])}
    for key, value in answers.items():
        if key not in questions:
            problems.append(FieldError(f"answers.{key}", "No such question."))
        elif msg := text_problem(value or "", 2000, questions[key]["required"], True):
            problems.append(FieldError(f"answers.{key}", msg))
        elif (value or "").strip() and (choices := [c.strip() for c in (questions[key]["choices"] or "").splitlines()
                                                     if c.strip()]) and value.strip() not in choices:
            problems.append(FieldError(f"answers.{key}", "Choose one of the options."))
    collect(problems)
    async with transaction():
        if changes:
            await Attendee.update(changes).where(Attendee.id == person["id"])
            await name_keys.refresh(Attendee.id == person["id"])
        for key, value in answers.items():
            qid = questions[key]["id"]
            await Answer.delete().where((Answer.attendee == person["id"]) & (Answer.question == qid))
            if value.strip():
                await Answer(attendee=person["id"], question=qid, value=value.strip()).save()


async def transfer(order: dict, attendee_id: int, new: dict[str, str], category_code: str | None = None) -> int:
    """Give the place to someone else: same order, new person, new check-in code (the old one
    stops working: token_version goes up). Returns the price difference (+ to pay, - to refund)."""
    from confops.accounts.service import email_problem, normalize_email
    from confops.registration.emails import queue_transfer

    if order["status"] not in (OrderStatus.confirmed.value, *HOLDING):
        raise Conflict("This order is closed.", code="order_closed")
    person = await _attendee_of(order, attendee_id)
    problems = []
    values = {}
    for name in ("first_name", "last_name", "badge_name", "credentials", "pronouns", "institution",
                 "city_region", "profession", "dietary", "accessibility"):
        value = (new.get(name) or "").strip()
        max_len, required = TEXT_FIELDS[name]
        if msg := text_problem(value, max_len, required, name in MULTILINE):
            problems.append(FieldError(name, msg))
        values[name] = value
    email = normalize_email(new.get("email", ""))
    if msg := email_problem(email):
        problems.append(FieldError("email", msg))
    category = await Category.select().where(Category.id == person["category"]).first()
    if category_code and category_code != category["code"]:
        category = await Category.select().where(
            (Category.event == order["event"]) & (Category.code == category_code)).first()
        if category is None:
            problems.append(FieldError("category", "Choose one of the listed categories."))
    collect(problems)
    phase = _priced_phase(order)
    old_fee = await Category.select().where(Category.id == person["category"]).first()
    difference = 0 if order["complimentary"] else (
        category_price(category).in_phase(phase) - category_price(old_fee).in_phase(phase))
    async with transaction():
        if category["id"] != person["category"]:
            await lock_event(order["event"])  # the event before the categories, as orders and frees take them
            await claim_category(category["id"], 1, category["label"])
            await release_category(person["category"], 1)
            # the old category's freed place may be what a paid order waiting for one lacks
            await paid_waiting.serve(order["event"], 0)
        values["badge_name"] = values["badge_name"] or values["first_name"]
        updated = await Attendee.update({
            **{getattr(Attendee, k): v for k, v in values.items()},
            Attendee.email: email, Attendee.category: category["id"],
            Attendee.price_cents: Attendee.price_cents + difference,
            Attendee.checkin_code: new_checkin_code(), Attendee.token_version: Attendee.token_version + 1,
        }).where((Attendee.id == person["id"]) & (Attendee.token_version == person["token_version"])
                 ).returning(*Attendee.all_columns())
        if not updated:
            raise Conflict("This registration was changed meanwhile; reload and try again.", code="stale")
        await name_keys.refresh(Attendee.id == person["id"])
        if difference:
            # The total is what the active attendees cost: dearer -> the ledger shows a balance
            # due; cheaper -> the difference is refunded below ("refund_owed").
            await Order.update({Order.total_cents: Order.total_cents + difference}).where(Order.id == order["id"])
        await Answer.delete().where(Answer.attendee == person["id"])
        await extension.emit("registration_transferred", event_id=order["event"], attendee_id=person["id"],
                             previous_email=person["email"], email=email)
        await queue_transfer(order, person, updated[0], difference)
        if order["status"] == OrderStatus.confirmed.value:
            from confops.registration.emails import queue_confirmation

            # The newcomer's own confirmation, with the QR of their new signed check-in token.
            await queue_confirmation(order["id"], token=None, recipients=[(email, person["id"])],
                                     dedupe=f"substitute-v{updated[0]['token_version']}")
    if difference < 0 and order["status"] == OrderStatus.confirmed.value:
        await extension.emit("refund_owed", order_id=order["id"], amount_cents=-difference,
                             reason="Substitution into a cheaper category", kind="substitution")
    return difference


def _priced_phase(order: dict):
    """The phase the order was priced at: a substitute pays the same phase's price."""
    from confops.registration.holds import with_snapshot
    from confops.registration.tables import PhaseKind

    phase = with_snapshot(dict(order))["pricing_snapshot_dict"].get("phase")
    return PhaseKind(phase) if phase in {p.value for p in PhaseKind} else PhaseKind.regular
