"""A signed-in person's own receipts: the orders billed to their (link-verified) e-mail.

The receipt belongs to whoever was billed: an attendee whose place someone else paid for
(a group, an employer) gets it from the payer, since it lists every attendee of the order. An
order id that is not one's own is answered exactly like a missing one (404), so ids cannot be
probed.
"""

from __future__ import annotations

from dataclasses import dataclass

from confops.core.errors import NotFound
from confops.events.tables import Event
from confops.payments.invoices import credit_notes_of, number_of
from confops.payments.ledger import Balance, balance_of
from confops.registration.tables import Order


@dataclass(frozen=True)
class MyReceipt:
    order: dict
    event_title: str
    number: str | None
    balance: Balance
    credit_notes: list[dict]


def _email(email: str) -> str:
    return (email or "").strip().lower()


async def my_receipts(email: str) -> list[MyReceipt]:
    orders = await Order.select().where(Order.buyer_email == _email(email)).order_by(Order.id, ascending=False)
    titles = {e["id"]: e["title"] for e in await Event.select(Event.id, Event.title).where(
        Event.id.is_in(sorted({o["event"] for o in orders}) or [0]))}
    return [MyReceipt(o, titles.get(o["event"], ""), await number_of(o["id"]), await balance_of(o),
                      await credit_notes_of(o["id"])) for o in orders]


async def my_order(email: str, order_id: int) -> dict:
    row = await Order.select().where((Order.id == order_id) & (Order.buyer_email == _email(email))).first()
    if row is None:
        raise NotFound("There is no such order.")
    return row
