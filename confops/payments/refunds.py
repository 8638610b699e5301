"""Giving money back: by staff (full or partial, with a reason), by the cancellation policy,
and automatically when a card payment completes for an order that was cancelled meanwhile.

The amount is first reserved on the payment with a conditional UPDATE (refunded + x <= paid),
then sent to the provider, then recorded under the provider's refund id (unique). So two
refunds at once never exceed what was paid, and a refund that also arrives as a webhook is
recorded once.
"""

from __future__ import annotations

import logging

from confops.accounts import brands
from confops.core import extension
from confops.core.errors import Conflict, FieldError, collect
from confops.db import insert_or_ignore, transaction
from confops.payments import gateway as gateways
from confops.payments.gateway import GatewayError, Intent
from confops.payments.manual import manual_id
from confops.payments.tables import Payment, PaymentStatus, Provider, Refund
from confops.registration import paid_waiting
from confops.registration.tables import Order, OrderStatus

log = logging.getLogger("confops.payments")


async def _reserve(payment_id: int, amount: int) -> bool:
    rows = await Payment.raw(
        "UPDATE payment SET refunded_cents = refunded_cents + {} WHERE id = {} "
        "AND refunded_cents + {} <= amount_cents RETURNING id", amount, payment_id, amount)
    return bool(rows)


async def _release(payment_id: int, amount: int) -> None:
    await Payment.update({Payment.refunded_cents: Payment.refunded_cents - amount}).where(Payment.id == payment_id)


async def _refund_payment(payment: dict, amount: int, *, reason: str, kind: str, recorded_by: int | None,
                          key: str) -> dict:
    """Reserve, send to the provider, record once. Raises Conflict when it would exceed the payment."""
    if not await _reserve(payment["id"], amount):
        raise Conflict("That is more than is left to refund on this payment.", code="refund_too_large")
    try:
        if payment["provider"] == Provider.stripe.value:
            done = await gateways.require_stripe().refund(intent_id=payment["provider_id"], amount_cents=amount,
                                                          idempotency_key=key)
            provider_id = done.id
        else:
            provider_id = manual_id()
    except (GatewayError, Conflict):
        await _release(payment["id"], amount)
        raise
    async with transaction():
        if await insert_or_ignore(Refund(payment=payment["id"], order=payment["order"], amount_cents=amount,
                                         currency=payment["currency"], reason=reason[:300], kind=kind,
                                         provider_id=provider_id, recorded_by=recorded_by)) is None:
            await _release(payment["id"], amount)  # the webhook recorded it first
    return await Refund.select().where(Refund.provider_id == provider_id).first()


async def refund_order(order_id: int, amount_cents: int, *, reason: str, kind: str = "staff",
                       recorded_by: int | None = None, no_place: bool = False) -> list[dict]:
    """Refund up to what the order has left paid, newest payment first; never more.

    An expired order ("paid, no place") leaves the waiting list first, so no freed place goes
    to money on its way back; `no_place` (the one-click refund of such an order) refuses when
    it got its place meanwhile."""
    problems = []
    if amount_cents <= 0:
        problems.append(FieldError("amount", "Enter an amount above zero."))
    if kind == "staff" and not reason.strip():
        problems.append(FieldError("reason", "Say why the money is given back."))
    collect(problems)
    expired, left_line = await _leave_waiting_list(order_id, no_place=no_place)
    try:
        done = await _refund_order(order_id, amount_cents, reason=reason, kind=kind, recorded_by=recorded_by)
    except BaseException:
        if left_line is not None:  # nothing was given back: it waits again, where it was
            async with transaction():
                await Order.raw("UPDATE registration_order SET id = id WHERE id = {}", order_id)
                await paid_waiting.join(left_line, keep_place_in_line=True)
        raise
    if expired is not None and kind == "staff":
        await _tell_payer_no_place_refund(expired, done, waited=left_line is not None)
    return done


async def _leave_waiting_list(order_id: int, *, no_place: bool) -> tuple[dict | None, dict | None]:
    """(the order if it is expired, the order if it left the waiting list now)."""
    from confops.payments.ledger import order_row

    async with transaction():
        locked = await Order.raw("UPDATE registration_order SET id = id WHERE id = {} RETURNING status", order_id)
        expired = bool(locked) and locked[0]["status"] == OrderStatus.expired.value
        if no_place and not expired:
            raise Conflict("This order has got its place meanwhile; it is confirmed, so nothing was refunded.",
                           code="placed_meanwhile")
        if not expired:
            return None, None
        order = await order_row(order_id)
        return order, (order if await paid_waiting.leave(order) else None)


async def _tell_payer_no_place_refund(order: dict, done: list[dict], *, waited: bool) -> None:
    """The buyer of a "paid, no place" order was told staff would refund it or find a place:
    now they are told which, and how much is on its way back."""
    from confops.core import outbox
    from confops.core.mail import Message
    from confops.core.rendering import render_mail
    from confops.events.tables import Event

    if not done:
        return
    event = await Event.select(Event.title, Event.organizer).where(Event.id == order["event"]).first()
    brand = await brands.of_event(event)
    amount = sum(r["amount_cents"] for r in done)
    text, html = render_mail("payment_refunded_no_place", brand=brand, order=order, event=event, amount_cents=amount,
                             by_card=any(not r["provider_id"].startswith("manual-") for r in done),
                             waited=waited)
    await outbox.enqueue(Message(to=order["buyer_email"], subject=f"Your payment was refunded: {event['title']}",
                                 text=text, html=html, brand=brand), dedupe_key=f"no-place-refund:{order['id']}:"
                                                                               f"{done[-1]['id']}")


async def _refund_order(order_id: int, amount_cents: int, *, reason: str, kind: str,
                        recorded_by: int | None) -> list[dict]:
    payments = await Payment.select().where(
        (Payment.order == order_id) & (Payment.status == PaymentStatus.succeeded.value)).order_by(
        Payment.id, ascending=False)
    left = sum(p["amount_cents"] - p["refunded_cents"] for p in payments)
    if amount_cents > left:
        raise Conflict(f"At most {left / 100:.2f} can be refunded on this order.", code="refund_too_large")
    done = []
    remaining = amount_cents
    count = await Refund.count().where(Refund.order == order_id)
    for payment in payments:
        part = min(remaining, payment["amount_cents"] - payment["refunded_cents"])
        if part <= 0:
            continue
        count += 1
        done.append(await _refund_payment(payment, part, reason=reason, kind=kind, recorded_by=recorded_by,
                                          key=f"refund-order-{order_id}-{count}-{part}"))
        remaining -= part
        if remaining == 0:
            break
    # every refund is announced; listeners judge what it leaves (CME: still paid, or not)
    await extension.emit("order_refunded", order_id=order_id, reason=reason or "The registration was refunded.")
    if kind == "staff":
        await extension.emit("staff_change", actor_id=recorded_by, action="refund", entity="order", entity_id=order_id,
                             before={"refundable_cents": left},
                             after={"refundable_cents": left - amount_cents, "refunded_cents": amount_cents,
                                    "reason": reason})
    return done


async def refund_by_card(order_id: int, amount_cents: int, *, reason: str, kind: str) -> int:
    """Refund part of an order (one attendee cancelled, a cheaper substitute) when it was paid by
    card; returns what was refunded now. Money paid by hand stays on the ledger as a credit that
    staff refund from the order's payments page; a failed card refund too (logged)."""
    if amount_cents <= 0:
        return 0
    if not await Payment.exists().where((Payment.order == order_id) & (Payment.provider == Provider.stripe.value)
                                        & (Payment.status == PaymentStatus.succeeded.value)):
        return 0
    try:
        done = await refund_order(order_id, amount_cents, reason=reason[:300], kind=kind)
    except (Conflict, GatewayError) as exc:
        log.warning("refund of %s on order %s failed: %s", amount_cents, order_id, exc)
        return 0
    return sum(r["amount_cents"] for r in done)


async def refund_for_cancellation(order_id: int, amount_cents: int) -> None:
    """The policy refund of a cancelled order (registration computed the amount).

    Card payments are refunded through Stripe at once. Money that came by cheque, invoice or at
    the door goes back the same way, by hand: staff are told the amount and record the refund
    when they send it (recording it here would claim money moved that did not)."""
    if amount_cents <= 0:
        return
    if await Refund.exists().where((Refund.order == order_id) & (Refund.kind == "policy")):
        return
    by_card = await Payment.exists().where((Payment.order == order_id) & (Payment.provider == Provider.stripe.value)
                                           & (Payment.status == PaymentStatus.succeeded.value))
    if not by_card:
        await _tell_staff_to_refund(order_id, amount_cents)
        return
    try:
        await refund_order(order_id, amount_cents, reason="Cancellation (refund policy)", kind="policy")
    except (Conflict, GatewayError) as exc:
        # The cancellation stands; staff refund the rest by hand from the order's page.
        log.warning("policy refund of order %s failed: %s", order_id, exc)
        await _tell_staff_to_refund(order_id, amount_cents)


async def _tell_staff_to_refund(order_id: int, amount_cents: int) -> None:
    from confops.accounts.tables import Organizer
    from confops.core import outbox
    from confops.core.mail import Message
    from confops.core.rendering import render_mail
    from confops.events.tables import Event
    from confops.payments.ledger import order_row

    order = await order_row(order_id)
    if not await Payment.exists().where((Payment.order == order_id) & (Payment.status == PaymentStatus.succeeded.value)):
        return  # nothing was paid, nothing to give back
    event = await Event.select(Event.title, Event.organizer).where(Event.id == order["event"]).first()
    org = await Organizer.select(Organizer.email).where(Organizer.id == event["organizer"]).first()
    if org and org["email"]:
        brand = await brands.of_event(event)
        text, html = render_mail("refund_due_staff", brand=brand, order=order, event=event, amount_cents=amount_cents)
        await outbox.enqueue(Message(to=org["email"], subject=f"[staff] Refund due: order {order_id}",
                                     text=text, html=html, brand=brand), dedupe_key=f"refund-due:{order_id}")


async def refund_automatically(order: dict, intent: Intent) -> None:
    """A card payment that completed after its order was cancelled: give it all back and tell both
    sides, once. (An expired order keeps late money for staff to decide: payments.late.)"""
    from confops.payments.notices import tell_staff_and_payer

    payment = await Payment.select().where(Payment.provider_id == intent.id).first()
    left = payment["amount_cents"] - payment["refunded_cents"]
    if left > 0:
        await _refund_payment(payment, left, reason="Paid after the order was cancelled",
                              kind="automatic", recorded_by=None, key=f"auto-refund-{intent.id}")
    async with transaction():
        await tell_staff_and_payer(order, "Your payment was refunded", "payment_refunded_late",
                                   {"amount_cents": intent.amount_cents, "currency": intent.currency},
                                   dedupe=f"auto-refund:{order['id']}-{intent.id}")


async def record_provider_refund(intent_id: str, refund_id: str, amount_cents: int) -> bool:
    """A refund Stripe reports (charge.refunded), recorded once and never beyond what was paid."""
    payment = await Payment.select().where(Payment.provider_id == intent_id).first()
    if payment is None or await Refund.exists().where(Refund.provider_id == refund_id):
        return False
    try:
        async with transaction():
            # The reservation locks the payment row first, so a concurrent delivery that got
            # here earlier has committed (and is seen) by the time this checks.
            if not await _reserve(payment["id"], amount_cents):
                log.warning("refund %s exceeds what is left on %s; not recorded", refund_id, intent_id)
                return False
            if await insert_or_ignore(Refund(payment=payment["id"], order=payment["order"], amount_cents=amount_cents,
                                             currency=payment["currency"], reason="Refunded in Stripe",
                                             kind="provider", provider_id=refund_id, recorded_by=None)) is None:
                raise _AlreadyRecorded  # by a concurrent delivery
            await extension.emit("order_refunded", order_id=payment["order"], reason="Refunded in Stripe")
    except _AlreadyRecorded:
        return False  # rolled back, reservation included
    await _leave_waiting_list(payment["order"], no_place=False)  # as a refund staff record: off the list
    return True


class _AlreadyRecorded(Exception):
    pass
