"""Paying for an order: start a card payment, record a manual one, settle a succeeded intent.

Settling is written to be repeated: it looks at the state (payment row, order status) rather
than at which event arrived, so the same event twice, late or out of order ends the same way.
Money for an order that expired meanwhile, by card or recorded by staff, follows one rule
(late.py): the order is reinstated if its places can be had, otherwise the money stays on it as
"paid, no place" for staff to refund or place. Only a card payment for a cancelled order is
refunded automatically (the buyer or the society called it off).
"""

from __future__ import annotations

import hashlib
import logging
import unicodedata
from datetime import date, datetime, time

from confops.accounts.tables import Organizer
from confops.core import clock, extension
from confops.core.errors import Conflict, FieldError, Invalid, collect
from confops.core.money import money
from confops.db import insert_or_ignore, transaction
from confops.events.tables import Event
from confops.payments import gateway as gateways
from confops.payments.gateway import Intent
from confops.payments.invoices import number_order
from confops.payments.late import NO_PLACE, REINSTATED, money_for_expired_order
from confops.payments.ledger import order_row
from confops.payments.manual import METHODS
from confops.payments.tables import ManualMethod, Payment, PaymentStatus, Provider
from confops.registration.orders import confirm_order
from confops.registration.tables import HOLDING, Order, OrderStatus

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
    await insert_or_ignore(Payment(order=order_id, provider=Provider.stripe.value, provider_id=intent.id,
                                   method="card", amount_cents=intent.amount_cents, currency=intent.currency,
                                   message="", reference="", status=PaymentStatus.pending.value))
    return intent


async def record_manual_payment(order_id: int, *, method: str, amount_cents: int, reference: str,
                                recorded_by: int | None, received_on: date | None = None,
                                several_orders: bool = False) -> dict:
    """Staff record money that arrived by invoice, cheque or at the door; the payment row, with
    `outcome`: confirmed (or paid, on an order already confirmed), reinstated (it had expired
    and its places were still free) or no_place (it had expired and the places are gone: the
    money is kept on the order, shown as "paid, no place" for staff to refund or place).

    Money in the society's hands is always recorded: an expired order is never a refusal. The
    order row is locked first, so two staff recording at once see each other's payment (the
    same reference twice is one payment; two references never exceed what is owed).

    A cheque or transfer reference already recorded on another order of the same organizer is
    refused unless staff say it pays several orders (`several_orders`): one department cheque
    may pay for several people, but the same cheque typed on a second order by mistake would
    count the money twice. The audit entry names the orders that share it."""
    order = await order_row(order_id)
    reference = " ".join(reference.split())
    problems = []
    if method not in METHODS:
        problems.append(FieldError("method", "Choose invoice, cheque or door."))
    if amount_cents <= 0:
        problems.append(FieldError("amount", "Enter an amount above zero."))
    if not reference or len(reference) > 200 or any(unicodedata.category(c) == "Cc" for c in reference):
        problems.append(FieldError("reference", "Enter the cheque number or payment reference (up to 200 characters)."))
    zone, organizer = await _event_zone_and_organizer(order)
    today = clock.local(clock.now(), zone).date()
    if received_on is not None and received_on > today:
        problems.append(FieldError("received_on", "The date received cannot be in the future."))
    collect(problems)
    if order["status"] == OrderStatus.cancelled.value:
        raise Conflict("This order was cancelled. Return the payment to the sender, or place a new order "
                       "and record it there.", code="order_closed")
    async with transaction():
        locked = await Order.raw("UPDATE registration_order SET id = id WHERE id = {} RETURNING status", order_id)
        order = await order_row(order_id)
        paid = sum(p["amount_cents"] for p in await Payment.select(Payment.amount_cents).where(
            (Payment.order == order_id) & (Payment.status == PaymentStatus.succeeded.value)))
        owed = max(0, order["total_cents"] - paid)
        if amount_cents > owed:
            raise Invalid("That is more than is owed.", errors=[FieldError(
                "amount", f"That is more than the {money(owed, order['currency'])} due." if owed else
                "Nothing is due on this order.")])
        provider_id = manual_payment_id(order_id, method, reference)
        if await Payment.exists().where(Payment.provider_id == provider_id):
            raise Invalid("Already recorded.", errors=[FieldError(
                "reference", "A payment with this method and reference is already recorded on this order.")])
        if method in SHARED_METHODS:
            # The organizer's row next (after the order's, as every manual payment takes them): the
            # same cheque typed on two orders at once is seen by the second, not recorded twice.
            await Organizer.raw(f"UPDATE {Organizer._meta.tablename} SET id = id WHERE id = {{}}", organizer)
        shared = await orders_sharing_reference(organizer, order_id, method, reference)
        if shared and not several_orders:
            raise Invalid("Reference recorded on another order.", errors=[FieldError(
                "reference", f"{'Cheque' if method == ManualMethod.cheque.value else 'Reference'} {reference} is "
                f"already recorded on {_listed(shared)}. If it pays several orders, tick “This cheque pays "
                "several orders” and record it again.")])
        # Received today: now. An earlier day has no time of its own: midday there, not an hour made up in UTC.
        when = clock.now() if received_on in (None, today) else datetime.combine(received_on, time(12),
                                                                                 tzinfo=clock.zone(zone))
        payment = Payment(order=order_id, provider=Provider.manual.value, provider_id=provider_id, method=method,
                          amount_cents=amount_cents, currency=order["currency"], message="",
                          reference=reference, status=PaymentStatus.succeeded.value,
                          recorded_by=recorded_by, succeeded_at=min(when, clock.now()))
        await payment.save()
        status = locked[0]["status"]
        outcome = "paid"
        if status in HOLDING:
            await confirm_order(order_id)
            outcome = "confirmed"
        elif status == OrderStatus.expired.value:
            outcome = await money_for_expired_order(order, amount_cents=amount_cents, reference=reference,
                                                    dedupe=provider_id)
        await number_order(order_id)  # the confirmation and its invoice number commit together
        await extension.emit("staff_change", actor_id=recorded_by, action="manual_payment", entity="order",
                             entity_id=order_id, before={"status": status},
                             after={"method": method, "amount_cents": amount_cents, "reference": reference,
                                    "outcome": outcome, **({"shared_with": shared} if shared else {})})
    row = await Payment.select().where(Payment.id == payment.id).first()
    return {**row, "outcome": outcome}


def manual_payment_id(order_id: int, method: str, reference: str) -> str:
    """The same cheque recorded twice on an order (a double click, two staff at once) is the
    same provider id, which is unique: one payment."""
    digest = hashlib.sha256(" ".join(reference.casefold().split()).encode()).hexdigest()[:32]
    return f"manual-{order_id}-{method}-{digest}"


# Methods whose reference names one piece of money (a cheque, a transfer); a door receipt
# book line is the desk's own numbering and is not compared across orders.
SHARED_METHODS = frozenset({ManualMethod.cheque.value, ManualMethod.invoice.value})


async def orders_sharing_reference(organizer: int, order_id: int, method: str, reference: str) -> list[dict]:
    """Other orders of this organizer with a payment of this method and reference, compared as
    the provider id compares them (trimmed, spaces collapsed, case folded); only the
    organizer's own orders, so no one learns of another society's orders."""
    if method not in SHARED_METHODS:
        return []
    suffix = manual_payment_id(0, method, reference).removeprefix("manual-0")
    rows = await Payment.select(Payment.order.id, Payment.order.buyer_name).where(
        Payment.provider_id.like(f"manual-%{suffix}") & (Payment.order != order_id)
        & (Payment.status == PaymentStatus.succeeded.value)
        & (Payment.order.event.organizer == organizer)).order_by(Payment.order.id)
    seen: dict[int, dict] = {}
    for row in rows:
        seen.setdefault(row["order.id"], {"order": row["order.id"], "buyer": row["order.buyer_name"]})
    return list(seen.values())


def _listed(orders: list[dict]) -> str:
    names = [f"order {o['order']} ({o['buyer']})" for o in orders]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


async def _event_zone_and_organizer(order: dict) -> tuple[str, int]:
    event = await Event.select(Event.timezone, Event.organizer).where(Event.id == order["event"]).first()
    return event["timezone"], event["organizer"]


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
    async with transaction():
        # The order row first, as record_manual_payment does: a late card payment and a cheque
        # recorded at the same moment see each other, and the late rule runs once per payment.
        await Order.raw("UPDATE registration_order SET id = id WHERE id = {}", order_id)
        newly = await Payment.update({Payment.status: PaymentStatus.succeeded.value, Payment.succeeded_at: clock.now(),
                                      Payment.amount_cents: intent.amount_cents, Payment.message: ""}).where(
            (Payment.provider_id == intent.id) & (Payment.status != PaymentStatus.succeeded.value)
        ).returning(Payment.id)
        order = await order_row(order_id)
        if order["status"] in HOLDING:
            await confirm_order(order_id)
        if order["status"] == OrderStatus.expired.value:
            if not newly:
                return NO_PLACE  # settled before (a replay): the money is already on the order
            outcome = await money_for_expired_order(order, amount_cents=intent.amount_cents, reference="card payment",
                                                    dedupe=f"card-{order_id}-{intent.id}")
            return "confirmed_late" if outcome == REINSTATED else NO_PLACE
        if order["status"] != OrderStatus.cancelled.value:
            await number_order(order_id)  # idempotent: numbers an order confirmed before a crash
            return "confirmed"
    from confops.payments.refunds import refund_automatically

    await refund_automatically(order, intent)  # a cancelled order: nothing to keep the money for
    return "refunded"
