"""The registration e-mails, queued through the outbox inside the change's transaction.

HTML templates are autoescaped (a name like `<script>` arrives as text); the plain-text part
needs no escaping. The confirmation carries each attendee's check-in QR inline and an .ics.
"""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import qrcode
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from confops.core import clock, outbox
from confops.core.mail import Attachment, Message
from confops.events.tables import Event
from confops.registration import ics
from confops.registration.config import CONFIG
from confops.registration.tables import Order
from confops.web.templating import TEMPLATES, make_environment

_html = make_environment()
_text = Environment(loader=FileSystemLoader(str(Path(TEMPLATES))), autoescape=False,
                    undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
_text.filters.update(_html.filters)


def _render(name: str, **context) -> tuple[str, str]:
    return (_text.get_template(f"email/{name}.txt").render(**context),
            _html.get_template(f"email/{name}.html").render(**context))


def qr_png(data: str) -> bytes:
    """A fixed mask pattern skips qrcode's mask search, most of the cost (STACK.md: ~25 ms -> ~1 ms);
    any mask is valid for scanners."""
    code = qrcode.QRCode(box_size=8, border=4, mask_pattern=0)
    code.add_data(data)
    image = code.make_image()
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


async def _event(event_id: int) -> dict:
    return await Event.select().where(Event.id == event_id).first()


def self_service_url(order_id: int, token: str) -> str:
    return f"{CONFIG.base_url}/orders/{order_id}?token={token}"


async def queue_confirmation(order_id: int, *, token: str | None, base_url: str | None = None,
                             dedupe: str = "confirmation") -> None:
    from confops.registration.orders import attendees_of

    order = await Order.select().where(Order.id == order_id).first()
    event = await _event(order["event"])
    people = [a for a in await attendees_of(order_id) if a["status"] == "active"]
    link = self_service_url(order_id, token) if token else f"{CONFIG.base_url}/account"
    location = ", ".join(p for p in (event["venue_name"], event["venue_address"]) if p) or "Online"
    calendar = ics.event_ics(uid=f"event-{event['id']}-order-{order_id}@confops", title=event["title"],
                             starts_at=event["starts_at"], ends_at=event["ends_at"], location=location,
                             description=event["summary"], url=f"{CONFIG.base_url}/events/{event['slug']}",
                             now=clock.now())
    calendar_file = Attachment("event.ics", calendar, "text/calendar")
    codes = {p["id"]: Attachment(f"checkin-{p['id']}.png", qr_png(p["checkin_code"]), "image/png",
                                 inline_cid=f"qr-{p['id']}@confops") for p in people}
    # The buyer gets every attendee's code and the order's management link; an attendee whom
    # someone else registered gets only their own code and a sign-in link, never the buyer's
    # link (which could cancel the whole order) nor colleagues' codes.
    letters = [(order["buyer_email"], order["buyer_name"], True, people, link)]
    for person in people:
        if person["email"].lower() != order["buyer_email"].lower():
            letters.append((person["email"], f"{person['first_name']} {person['last_name']}", False, [person],
                            f"{CONFIG.base_url}/account"))
    for to, greeting, buyer, shown, url in letters:
        text, html = _render("confirmation", order=order, event=event, people=shown, link=url,
                             greeting=greeting, buyer=buyer)
        await outbox.enqueue(
            Message(to=to, subject=f"Registration confirmed: {event['title']}", text=text, html=html,
                    attachments=(calendar_file, *(codes[p["id"]] for p in shown))),
            dedupe_key=f"{dedupe}:{order_id}:{to.lower()}",
        )


async def queue_cancellation(order: dict, refund_cents: int) -> None:
    event = await _event(order["event"])
    text, html = _render("cancellation", order=order, event=event, refund_cents=refund_cents)
    await outbox.enqueue(Message(to=order["buyer_email"], subject=f"Registration cancelled: {event['title']}",
                                 text=text, html=html), dedupe_key=f"cancellation:{order['id']}")


async def queue_transfer(order: dict, old: dict, new: dict, difference_cents: int) -> None:
    event = await _event(order["event"])
    text, html = _render("transfer", order=order, event=event, old=old, new=new, difference_cents=difference_cents)
    for to in sorted({order["buyer_email"], old["email"], new["email"]}):
        await outbox.enqueue(Message(to=to, subject=f"Registration transferred: {event['title']}",
                                     text=text, html=html),
                             dedupe_key=f"transfer:{new['id']}:{new['token_version']}:{to}")


async def queue_waitlist_offer(entry: dict, offer_id: int, token: str, expires_at: datetime) -> None:
    event = await _event(entry["event"])
    link = f"{CONFIG.base_url}/events/{event['slug']}/register?offer={token}"
    text, html = _render("waitlist_offer", entry=entry, event=event, link=link, expires_at=expires_at,
                         hours=CONFIG.offer_hours)
    await outbox.enqueue(Message(to=entry["email"], subject=f"A place is free for you: {event['title']}",
                                 text=text, html=html), dedupe_key=f"waitlist-offer:{offer_id}")
