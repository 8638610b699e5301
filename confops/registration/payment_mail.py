"""The e-mails about an unpaid order: acknowledged when placed (how to pay, by when), reminded
before the due date, told when it expired, told when money came for it after all.

All go through the outbox inside the change's transaction and are rendered by the worker when
sent (outbox.Deferred), so each shows the order as it is then: a reminder for an order paid
meanwhile is never sent (the renderer returns None). Dedupe keys make every one of them go
once, however often a job or a request repeats.
"""

from __future__ import annotations

from confops.accounts import brands
from confops.core import clock, outbox
from confops.core.mail import Message
from confops.core.rendering import render_mail
from confops.registration.config import CONFIG
from confops.registration.tables import HOLDING, Order, OrderStatus

EXPIRY_RENDERER = "confops.registration.payment_mail:render_expiry"
ACK_RENDERER = "confops.registration.payment_mail:render_acknowledgement"
ACK_DEDUPE = "acknowledgement"
REMINDER_RENDERER = "confops.registration.payment_mail:render_reminder"


def acknowledgement_subject(title: str) -> str:
    return f"Registration received, payment due: {title}"


async def queue_acknowledgement(order_id: int, *, token: str, buyer_email: str, title: str) -> None:
    """Inside the order's transaction (one INSERT); the statement path writes the same row."""
    await outbox.enqueue_deferred([outbox.Deferred(
        to=buyer_email, subject=acknowledgement_subject(title), renderer=ACK_RENDERER,
        params={"order_id": order_id, "token": token, "attendee_id": None},
        dedupe_key=f"{ACK_DEDUPE}:{order_id}:{buyer_email.lower()}")])


async def render_acknowledgement(*, to: str, order_id: int, token: str | None, attendee_id: int | None = None
                                 ) -> Message | None:
    """What was ordered, the amount, how to pay, by when, and the links; None once the order is
    no longer waiting for payment (paid at once, e.g. at the desk: the confirmation says it all)."""
    return await _payment_due(to, order_id, token, "received")


async def render_reminder(*, to: str, order_id: int, days: int) -> Message | None:
    from confops.registration.order_decision import order_token

    order = await Order.select(Order.idempotency_key).where(Order.id == order_id).first()
    return await _payment_due(to, order_id, order_token(order["idempotency_key"]) if order else None, "reminder")


async def _payment_due(to: str, order_id: int, token: str | None, kind: str) -> Message | None:
    from confops.registration.emails import _event, self_service_url
    from confops.registration.orders import attendees_of

    order = await Order.select().where(Order.id == order_id).first()
    if order is None or not token or not is_holding(order):
        return None
    event = await _event(order["event"])
    people = [a for a in await attendees_of(order_id) if a["status"] == "active"]
    # An order still held has received nothing (any payment confirms it): all of it is due.
    due = order["total_cents"]
    if not due:
        return None
    how = await how_to_pay(order)
    brand = await brands.of_event(event)
    text, html = render_mail("payment_due", brand=brand, kind=kind, order=order, event=event, people=people, due_cents=due, how=how,
                         pay_link=f"{CONFIG.base_url}/orders/{order_id}/pay?token={token}",
                         link=self_service_url(order_id, token))
    subject = (f"Reminder: payment due by {order['expires_at'].date().isoformat()}: {event['title']}"
               if kind == "reminder" else acknowledgement_subject(event["title"]))
    return Message(to=to, subject=subject, text=text, html=html, brand=brand)


async def queue_expiry(order: dict) -> None:
    """The buyer is told the order expired, with a link to order again (inside the expiry's transaction)."""
    await outbox.enqueue_deferred([outbox.Deferred(
        to=order["buyer_email"], subject="Your unpaid registration has expired", renderer=EXPIRY_RENDERER,
        params={"order_id": order["id"]}, dedupe_key=f"order-expired:{order['id']}:{order['expires_at'].isoformat()}"
        if order.get("expires_at") else f"order-expired:{order['id']}")])


async def render_expiry(*, to: str, order_id: int) -> Message | None:
    from confops.registration.emails import _event

    order = await Order.select().where(Order.id == order_id).first()
    if order is None or order["status"] != OrderStatus.expired.value:
        return None  # paid (reinstated) before the mail went out
    event = await _event(order["event"])
    link = f"{CONFIG.base_url}/events/{event['slug']}/register"
    brand = await brands.of_event(event)
    text, html = render_mail("order_expired", brand=brand, order=order, event=event, link=link)
    return Message(to=to, subject=f"Your unpaid registration has expired: {event['title']}", text=text, html=html,
                   brand=brand)


def is_holding(order: dict) -> bool:
    return order["status"] in HOLDING and order["expires_at"] is not None and order["expires_at"] > clock.now()


async def how_to_pay(order: dict) -> dict:
    """What the buyer must do for the method they chose: the pay page and the acknowledgement
    say the same thing (one place writes it)."""
    from confops.accounts.tables import Organizer
    from confops.events.tables import Event
    from confops.registration.tables import EventSales
    from confops.registration.terms import CARD, MANUAL

    event = await Event.select(Event.organizer, Event.title).where(Event.id == order["event"]).first()
    organizer = await Organizer.select().where(Organizer.id == event["organizer"]).first()
    sales = await EventSales.select(EventSales.payment_instructions).where(
        EventSales.event == order["event"]).first()
    own = (sales or {}).get("payment_instructions") or ""
    postal = ", ".join(p for p in (organizer["name"], organizer["address"], organizer["city"], organizer["region"]) if p)
    method = order.get("payment_method") or (CARD if CONFIG.cards else "invoice")
    quote = f"order {order['id']}"
    steps = {
        CARD: ["Pay by card on the order's payment page."],
        "invoice": [f"Pay by bank transfer, quoting {quote}.", *(own.splitlines() if own else
                    [f"Payee: {organizer['name']}. Ask us for bank details if you do not have them."]),
                    "Your department can download the invoice (PDF) from the order's payment page."],
        "cheque": [f"Make your cheque payable to {organizer['name']} and write {quote} on the back.",
                   *(own.splitlines() if own else [f"Post it to: {postal}."])],
        "door": ["Pay at the registration desk when you arrive (card or cheque)."],
    }[method if method in (CARD, *MANUAL) else CARD]
    return {"method": method, "label": "Card" if method == CARD else MANUAL[method], "steps": steps,
            "due": order.get("expires_at")}
