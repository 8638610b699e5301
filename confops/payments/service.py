"""Paying for an order: start a card payment, record a manual one, settle a succeeded intent.

Settling is written to be repeated: it looks at the state (payment row, order status) rather
than at which event arrived, so the same event twice, late or out of order ends the same way.
A payment that succeeds after the hold expired re-claims the places if they are still free,
otherwise it is refunded automatically and staff and the payer are told.
"""

from __future__ import annotations

import logging

from confops.core import clock, extension, outbox
from confops.core.errors import Conflict, FieldError, collect
from confops.core.mail import Message
from confops.core.money import money
from confops.db import transaction
from confops.events.tables import Event, Organizer
from confops.payments import gateway as gateways
from confops.payments.gateway import Intent
from confops.payments.invoices import number_order
from confops.payments.ledger import order_row
from confops.payments.manual import METHODS, manual_id
from confops.payments.tables import Payment, PaymentStatus, Provider
from confops.registration import capacity
from confops.registration.orders import confirm_order
from confops.registration.tables import (
    HOLDING,
    Attendee,
    AttendeeAddOn,
    AttendeeStatus,
    Order,
    OrderStatus,
)

log = logging.getLogger("confops.payments")


async def start_checkout(order_id: int) -> Intent:
    """The intent the checkout page confirms; an open one is reused, a failed one replaced."""
    stripe = gateways.require_stripe()
    order = await order_row(order_id)
    if order["status"] not in HOLDING:
        raise Conflict("This order is not waiting for payment.", code="not_payable")
    if order["expires_at"] is not None and order["expires_at"] <= clock.now():
        raise Conflict("The hold on these places has expired; please register again.", code="hold_expired")
    attempts = await Payment.select(Payment.provider_id, Payment.status).where(
        (Payment.order == order_id) & (Payment.provider == Provider.stripe.value)).order_by(Payment.id)
    if attempts and attempts[-1]["status"] == PaymentStatus.pending.value:
        intent = await stripe.read_intent(attempts[-1]["provider_id"])
        if intent.status not in ("canceled", "succeeded") and intent.amount_cents == order["total_cents"]:
            return intent
    intent = await stripe.create_intent(order_id=order_id, amount_cents=order["total_cents"],
                                        currency=order["currency"],
                                        idempotency_key=f"order-{order_id}-attempt-{len(attempts) + 1}")
    existing = await Payment.exists().where(Payment.provider_id == intent.id)
    if not existing:
        await Payment(order=order_id, provider=Provider.stripe.value, provider_id=intent.id, method="card",
                      amount_cents=intent.amount_cents, currency=intent.currency, message="", reference="",
                      status=PaymentStatus.pending.value).save()
    return intent


async def record_manual_payment(order_id: int, *, method: str, amount_cents: int, reference: str,
                                recorded_by: int | None) -> dict:
    """Staff record money that arrived by invoice, cheque or at the door."""
    order = await order_row(order_id)
    problems = []
    if method not in METHODS:
        problems.append(FieldError("method", "Choose invoice, cheque or door."))
    if amount_cents <= 0:
        problems.append(FieldError("amount", "Enter an amount above zero."))
    if amount_cents > 0 and order["status"] in (*HOLDING, OrderStatus.confirmed.value):
        from confops.payments.ledger import balance_of

        due = (await balance_of(order)).due_cents
        if amount_cents > due:
            problems.append(FieldError("amount", f"That is more than the {money(due, order['currency'])} due."))
    if not reference.strip() or len(reference) > 200:
        problems.append(FieldError("reference", "Enter the cheque number or payment reference (up to 200 characters)."))
    collect(problems)
    if order["status"] in (OrderStatus.cancelled.value, OrderStatus.expired.value):
        raise Conflict("This order is closed; no payment can be recorded on it.", code="order_closed")
    async with transaction():
        payment = Payment(order=order_id, provider=Provider.manual.value, provider_id=manual_id(), method=method,
                          amount_cents=amount_cents, currency=order["currency"], message="",
                          reference=reference.strip(), status=PaymentStatus.succeeded.value,
                          recorded_by=recorded_by, succeeded_at=clock.now())
        await payment.save()
        if order["status"] in HOLDING:
            await confirm_order(order_id)
        await number_order(order_id)  # the confirmation and its invoice number commit together
        await extension.emit("staff_change", actor_id=recorded_by, action="manual_payment", entity="order",
                             entity_id=order_id, before={"status": order["status"]},
                             after={"method": method, "amount_cents": amount_cents, "reference": reference.strip()})
    return await Payment.select().where(Payment.id == payment.id).first()


async def settle_intent(intent: Intent) -> str:
    """Apply what Stripe says about an intent; returns what happened (for logs and tests)."""
    payment = await Payment.select().where(Payment.provider_id == intent.id).first()
    if payment is None:
        # Every intent of ours gets its payment row before the payer can confirm it; anything
        # else (another system on the same account) is listed by reconciliation, not applied.
        log.warning("intent %s is not one of ours", intent.id)
        return "unmatched"
    order_id = payment["order"]
    if intent.status != "succeeded":
        status = PaymentStatus.canceled if intent.status == "canceled" else PaymentStatus.failed
        message = intent.last_error or ("The payment was cancelled." if status == PaymentStatus.canceled
                                        else "The card was declined; please try another card.")
        if intent.status in ("processing", "requires_action", "requires_confirmation"):
            return "waiting"
        await Payment.update({Payment.status: status.value, Payment.message: message}).where(
            (Payment.provider_id == intent.id) & (Payment.status != PaymentStatus.succeeded.value))
        return status.value
    await Payment.update({Payment.status: PaymentStatus.succeeded.value, Payment.succeeded_at: clock.now(),
                          Payment.amount_cents: intent.amount_cents, Payment.message: ""}).where(
        (Payment.provider_id == intent.id) & (Payment.status != PaymentStatus.succeeded.value))
    order = await order_row(order_id)
    if order["status"] == OrderStatus.confirmed.value:
        await number_order(order_id)  # idempotent: numbers an order confirmed before a crash
        return "confirmed"
    if order["status"] in HOLDING and await _confirm_and_number(order_id):
        return "confirmed"
    order = await order_row(order_id)
    if order["status"] == OrderStatus.expired.value and await _reclaim(order):
        return "confirmed_late"
    order = await order_row(order_id)
    if order["status"] == OrderStatus.confirmed.value:
        await number_order(order_id)
        return "confirmed"
    from confops.payments.refunds import refund_automatically

    await refund_automatically(order, intent)
    return "refunded"


async def _confirm_and_number(order_id: int) -> bool:
    async with transaction():
        if not await confirm_order(order_id):
            return False
        await number_order(order_id)
    return True


async def _reclaim(order: dict) -> bool:
    """Claim the expired order's places again; all or nothing (a Conflict rolls back)."""
    from confops.registration.emails import queue_confirmation
    from confops.registration.orders import order_token

    try:
        async with transaction():
            flipped = await Order.update({Order.status: OrderStatus.confirmed.value,
                                          Order.confirmed_at: clock.now(), Order.expires_at: None}).where(
                (Order.id == order["id"]) & (Order.status == OrderStatus.expired.value)).returning(Order.id)
            if not flipped:
                return False
            people = await Attendee.select(Attendee.id, Attendee.category, Attendee.category.label.as_alias("label")
                                           ).where((Attendee.order == order["id"])
                                                   & (Attendee.status == AttendeeStatus.active.value))
            await capacity.claim_event(order["event"], len(people))
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
            await queue_confirmation(order["id"], token=order_token(order["idempotency_key"]))
            await number_order(order["id"])
    except Conflict:
        return False
    return True


async def tell_staff_and_payer(order: dict, subject: str, text: str, dedupe: str) -> None:
    """Queue the same notice to the payer and the organizer's address (inside the caller's change)."""
    event = await Event.select(Event.title, Event.organizer).where(Event.id == order["event"]).first()
    organizer = await Organizer.select(Organizer.email).where(Organizer.id == event["organizer"]).first()
    body = f"{text}\n\nEvent: {event['title']}\nOrder: {order['id']}\n"
    await outbox.enqueue(Message(to=order["buyer_email"], subject=subject, text=body), dedupe_key=f"{dedupe}:payer")
    if organizer and organizer["email"]:
        await outbox.enqueue(Message(to=organizer["email"], subject=f"[staff] {subject}", text=body),
                             dedupe_key=f"{dedupe}:staff")


def describe(amount_cents: int, currency: str) -> str:
    return money(amount_cents, currency)
