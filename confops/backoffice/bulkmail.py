"""Bulk e-mail to an event's registrants (or the mailing list), through the outbox.

Staff narrow the audience by category, registration status, session (people with it on their
personal agenda) and any filter another area offers through `collect("mail_filters")` (e.g.
small group). They preview, send themselves a test, then send. Addresses that unsubscribed
are skipped and counted; every message carries one-click unsubscribe headers.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from confops.accounts import brands
from confops.accounts.tables import User
from confops.backoffice import mailing_list
from confops.backoffice.tables import BulkMailing
from confops.core import extension
from confops.core.errors import Invalid
from confops.core.extension import MailFilter
from confops.core.mail import Brand, Message
from confops.core.outbox import enqueue
from confops.db import transaction
from confops.events.tables import AgendaItem, Session
from confops.registration.tables import HOLDING, Attendee, AttendeeStatus, Category, OrderStatus

STATUSES = {"confirmed": "Confirmed", "awaiting_payment": "Awaiting payment", "cancelled": "Cancelled"}


@dataclass
class Audience:
    audience: str = "registrants"          # or "mailing_list"
    category: int | None = None
    status: str = "confirmed"
    session: int | None = None
    extra: dict[str, str] = field(default_factory=dict)   # MailFilter key -> chosen value

    def as_dict(self) -> dict:
        return {"audience": self.audience, "category": self.category, "status": self.status,
                "session": self.session, **self.extra}


@dataclass(frozen=True)
class Recipient:
    email: str
    first_name: str
    name: str


async def filter_options(event_id: int) -> dict:
    cats = await Category.select(Category.id, Category.label).where(Category.event == event_id).order_by(
        Category.position)
    sessions = await Session.select(Session.id, Session.code, Session.title).where(
        (Session.event == event_id) & Session.kind.not_in(["break", "meal"])).order_by(Session.starts_at)
    extra: list[MailFilter] = [f for answer in await extension.collect("mail_filters", event_id=event_id)
                               for f in (answer or [])]
    return {"categories": cats, "sessions": sessions, "statuses": STATUSES, "extra": extra}


def _status_where(status: str):
    if status == "confirmed":
        return (Attendee.order.status == OrderStatus.confirmed.value) & (Attendee.status == AttendeeStatus.active.value)
    if status == "awaiting_payment":
        return Attendee.order.status.is_in(list(HOLDING)) & (Attendee.status == AttendeeStatus.active.value)
    if status == "cancelled":
        return (Attendee.order.status == OrderStatus.cancelled.value) | (
            Attendee.status == AttendeeStatus.cancelled.value)
    raise Invalid("Choose a registration status.", field="status")


async def recipients(event: dict, audience: Audience) -> list[Recipient]:
    if audience.audience == "mailing_list":
        return [Recipient(r["email"], (r["name"] or "").split(" ")[0], r["name"])
                for r in await mailing_list.subscribers(event["organizer"])]
    where = (Attendee.event == event["id"]) & _status_where(audience.status)
    if audience.category:
        where &= Attendee.category == audience.category
    rows = await Attendee.select(Attendee.id, Attendee.email, Attendee.first_name, Attendee.last_name).where(
        where).order_by(Attendee.last_name, Attendee.first_name)
    if audience.session:
        users = [r["user"] for r in await AgendaItem.select(AgendaItem.user).where(
            AgendaItem.session == audience.session)]
        emails = {u["email"].lower() for u in await User.select(User.email).where(User.id.is_in(users))} if users \
            else set()
        rows = [r for r in rows if r["email"].lower() in emails]
    if audience.extra:
        filters = {f.key: f for f in (await filter_options(event["id"]))["extra"]}
        for key, value in audience.extra.items():
            if value and key in filters:
                wanted = await filters[key].attendee_ids(value)
                rows = [r for r in rows if r["id"] in wanted]
    seen, out = set(), []
    for r in rows:
        email = (r["email"] or "").strip().lower()
        if email and email not in seen:
            seen.add(email)
            out.append(Recipient(email, r["first_name"], f"{r['first_name']} {r['last_name']}".strip()))
    return out


def personalise(text: str, person: Recipient) -> str:
    """Only {first_name} and {name} are replaced; anything else in braces stays as written."""
    return text.replace("{first_name}", person.first_name or "").replace("{name}", person.name or "")


def _check(subject: str, body: str) -> None:
    errors = []
    if not subject.strip():
        errors.append(("subject", "Write a subject."))
    if not body.strip():
        errors.append(("body", "Write the message."))
    if errors:
        from confops.core.errors import FieldError
        raise Invalid("The message is incomplete.", errors=[FieldError(f, m) for f, m in errors])


def _message(event: dict, brand: Brand, person: Recipient, subject: str, body: str, *, test: bool = False) -> Message:
    footer = ("\n\n--\nYou receive this because you registered for " + event["title"]
              + " or joined our mailing list.\nUnsubscribe: "
              + dict(mailing_list.unsubscribe_headers(event["organizer"], person.email))["List-Unsubscribe"][1:-1])
    return Message(to=person.email, subject=("[TEST] " if test else "") + personalise(subject, person)[:280],
                   text=personalise(body, person) + footer,
                   headers=mailing_list.unsubscribe_headers(event["organizer"], person.email), brand=brand)


async def history(event_id: int) -> list[dict]:
    return await BulkMailing.select(BulkMailing.subject, BulkMailing.recipients, BulkMailing.skipped_unsubscribed,
                                    BulkMailing.sent_at).where(BulkMailing.event == event_id).order_by(
        BulkMailing.sent_at, ascending=False).limit(50)


async def preview(event: dict, audience: Audience, subject: str, body: str) -> dict:
    people = await recipients(event, audience)
    blocked = await mailing_list.unsubscribed(event["organizer"], [p.email for p in people])
    sample = next((p for p in people if p.email not in blocked), Recipient("someone@example.org", "Alex", "Alex Doe"))
    message = _message(event, await brands.of_event(event), sample, subject or "(no subject)", body or "")
    return {"recipients": [p for p in people if p.email not in blocked], "skipped": sorted(blocked),
            "sample": message}


async def send_test(event: dict, to_email: str, display_name: str, subject: str, body: str) -> None:
    _check(subject, body)
    person = Recipient(to_email.lower(), display_name.split(" ")[0], display_name)
    async with transaction():
        await enqueue(_message(event, await brands.of_event(event), person, subject, body, test=True))


async def send(event: dict, audience: Audience, subject: str, body: str, actor_id: int | None) -> BulkMailing:
    _check(subject, body)
    people = await recipients(event, audience)
    blocked = await mailing_list.unsubscribed(event["organizer"], [p.email for p in people])
    batch = secrets.token_hex(8)
    brand = await brands.of_event(event)
    async with transaction():
        mailing = BulkMailing(event=event["id"], subject=subject[:300], body=body, filters=audience.as_dict(),
                              recipients=len(people) - len(blocked), skipped_unsubscribed=len(blocked),
                              sent_by=actor_id)
        await mailing.save()
        for person in people:
            if person.email not in blocked:
                await enqueue(_message(event, brand, person, subject, body), dedupe_key=f"bulk-{batch}-{person.email}")
        await extension.emit("staff_change", actor_id=actor_id, action="bulk_mail_sent", entity="event",
                             entity_id=event["id"], before=None,
                             after={"subject": subject, "recipients": mailing.recipients,
                                    "filters": audience.as_dict()})
    return mailing
