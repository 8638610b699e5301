"""A person's data: download everything held about them, ask for deletion, and the purge of
old attendees' personal data.

The purge blanks the personal fields of attendees (and order buyers) of events that ended more
than CONFOPS_PURGE_AFTER_DAYS ago, unless some area gives a reason to keep that person's
records (`collect("privacy_keep")`): a registration for an event still to come keeps the whole
record; CME participation (6 years) keeps only the name, credentials and e-mail its records
need. Counts, categories, professions and money stay, so reports still add up; names,
addresses and answers go.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from confops.accounts.tables import RoleGrant, User
from confops.backoffice.tables import PrivacyRequest, PrivacyRequestStatus
from confops.core import clock, csv_export, extension
from confops.core.errors import Conflict, Invalid, NotFound
from confops.core.extension import Keep
from confops.db import transaction
from confops.events.tables import AgendaItem, Event
from confops.payments.tables import Payment
from confops.registration import name_keys
from confops.registration.tables import Answer, Attendee, Order

PURGED = "(removed)"
ATTENDEE_BLANKS = {Attendee.first_name: PURGED, Attendee.last_name: "", Attendee.badge_name: "",
                   Attendee.credentials: "", Attendee.pronouns: "", Attendee.institution: "",
                   Attendee.city_region: "", Attendee.dietary: "", Attendee.accessibility: "", Attendee.email: ""}


# In words, for staff's list (tables.PrivacyRequest's kind and status values).
PRIVACY_KIND = {"deletion": "Deletion of personal data"}
PRIVACY_STATUS = {"open": "Open", "done": "Done", "declined": "Declined"}


async def personal_data(user_id: int) -> dict[str, list[dict]]:
    user = await User.select(User.id, User.email, User.display_name, User.created_at, User.last_login_at).where(
        User.id == user_id).first()
    if user is None:
        raise NotFound("There is no such account.")
    email = user["email"].lower()
    # Registrations and orders themselves come from registration's "personal_data" answer
    # ("Registrations", "Orders you placed"); here only what hangs off them.
    attendees = await Attendee.select(Attendee.id).where(Attendee.email == email)
    answers = await Answer.select(Answer.attendee, Answer.question.label.as_alias("question"), Answer.value).where(
        Answer.attendee.is_in([a["id"] for a in attendees])) if attendees else []
    orders = await Order.select(Order.id).where(Order.buyer_email == email)
    payments = await Payment.select(Payment.order, Payment.method, Payment.amount_cents, Payment.currency,
                                    Payment.status, Payment.created_at).where(
        Payment.order.is_in([o["id"] for o in orders])) if orders else []
    data = {
        "Account": [user],
        "Roles": await RoleGrant.select(RoleGrant.organizer.name.as_alias("organizer"), RoleGrant.role).where(
            RoleGrant.user == user_id),
        "Answers": answers, "Payments": payments,
        "Personal agenda": await AgendaItem.select(AgendaItem.session.title.as_alias("session")).where(
            AgendaItem.user == user_id),
    }
    for answer in await extension.collect("personal_data", user_id=user_id, email=email):
        for title, rows in (answer or {}).items():
            data.setdefault(title, []).extend(rows)
    return data


def _text(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


def as_json(data: dict[str, list[dict]]) -> bytes:
    return json.dumps(data, default=_text, indent=2, ensure_ascii=False).encode()


def as_zip(data: dict[str, list[dict]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("my-data.json", as_json(data))
        for title, rows in data.items():
            if not rows:
                continue
            out = io.StringIO()
            headers = sorted({k for r in rows for k in r})
            writer = csv_export.SafeDictWriter(out, fieldnames=headers)
            writer.writeheader()
            writer.writerows({k: _text(v) for k, v in r.items()} for r in rows)
            z.writestr(f"{title.lower().replace(' ', '-').replace('(', '').replace(')', '')}.csv", out.getvalue())
    return buf.getvalue()


async def ask_deletion(user_id: int, message: str) -> int:
    user = await User.select(User.email).where(User.id == user_id).first()
    if user is None:
        raise NotFound("There is no such account.")
    if await PrivacyRequest.exists().where((PrivacyRequest.user_id == user_id)
                                           & (PrivacyRequest.status == PrivacyRequestStatus.open.value)):
        raise Conflict("You already asked; staff will answer by e-mail.")
    row = PrivacyRequest(user_id=user_id, email=user["email"].lower(), kind="deletion", message=message[:2000],
                         outcome="")
    await row.save()
    return row.id


async def requests(status: str = "") -> list[dict]:
    where = PrivacyRequest.id > 0
    if status:
        where &= PrivacyRequest.status == status
    return await PrivacyRequest.select().where(where).order_by(PrivacyRequest.created_at, ascending=False)


async def keep_reasons(user_id: int | None, email: str) -> list[Keep]:
    """Why some area must keep this person's records (people without an account too)."""
    return [keep for answer in await extension.collect("privacy_keep", user_id=user_id, email=email.lower())
            for keep in answer or []]


def kept_whole(keeps: list[Keep]) -> bool:
    return any(k.attendee_fields is None for k in keeps)


def _blanks(keeps: list[Keep]) -> dict:
    """The personal fields to blank: all of them but those some reason needs."""
    needed = {f for k in keeps for f in k.attendee_fields or ()}
    return {column: value for column, value in ATTENDEE_BLANKS.items() if column._meta.name not in needed}


async def _erase_email(email: str, keeps: list[Keep], events: list[int] | None = None) -> int:
    """Blank one person's registrations (of `events`, or all) and buyer details, except the
    fields `keeps` need; the event's questions are always answered anew. Returns how many
    attendee rows."""
    where = Attendee.email == email
    if events is not None:
        where &= Attendee.event.is_in(events)
    ids = [r["id"] for r in await Attendee.select(Attendee.id).where(where)]
    if ids:
        await Answer.delete().where(Answer.attendee.is_in(ids))
        await Attendee.update(_blanks(keeps)).where(Attendee.id.is_in(ids))
        await name_keys.refresh(Attendee.id.is_in(ids))  # the search copies must not keep what was erased
    orders = Order.buyer_email == email
    if events is not None:
        orders &= Order.event.is_in(events)
    await Order.update({Order.buyer_name: PURGED, Order.buyer_email: ""}).where(orders)
    return len(ids)


async def handle(request_id: int, actor_id: int | None, decision: str, outcome: str = "") -> dict:
    """Staff decide a deletion request: "erase" (unless records must be kept) or "decline"."""
    req = await PrivacyRequest.select().where(PrivacyRequest.id == request_id).first()
    if req is None:
        raise NotFound("There is no such request.")
    if req["status"] != PrivacyRequestStatus.open.value:
        raise Conflict("This request was already handled.")
    if decision not in ("erase", "decline"):
        raise Invalid("Choose erase or decline.", field="decision")
    keeps = await keep_reasons(req["user_id"], req["email"]) if decision == "erase" else []
    reasons = [k.reason for k in keeps]
    async with transaction():
        erased = 0
        if decision == "erase" and not kept_whole(keeps):
            erased = await _erase_email(req["email"], keeps)
            if req["user_id"] is not None:
                await User.update({User.display_name: PURGED, User.active: False}).where(User.id == req["user_id"])
        status = PrivacyRequestStatus.done if decision == "erase" else PrivacyRequestStatus.declined
        if kept_whole(keeps):
            text = "Kept: " + "; ".join(reasons)
        elif keeps:
            text = f"Erased {erased} registration(s), except what must be kept: " + "; ".join(reasons)
        else:
            text = f"Erased {erased} registration(s)."
        text = outcome or text
        await PrivacyRequest.update({PrivacyRequest.status: status.value, PrivacyRequest.handled_at: clock.now(),
                                     PrivacyRequest.handled_by: actor_id, PrivacyRequest.outcome: text}).where(
            PrivacyRequest.id == request_id)
        await extension.emit("staff_change", actor_id=actor_id, action=f"privacy_{decision}", entity="privacy_request",
                             entity_id=request_id, before={"status": req["status"]},
                             after={"status": status.value, "outcome": text})
    return {"status": status.value, "outcome": text, "erased": erased, "kept": reasons}


@dataclass(frozen=True)
class PurgeResult:
    attendees: int
    people: int
    kept: dict[str, list[str]]  # kept whole: email -> reasons
    kept_in_part: dict[str, list[str]] = field(default_factory=dict)  # erased but for what a reason needs


async def purge(after_days: int, *, dry_run: bool = False) -> PurgeResult:
    cutoff = clock.now() - timedelta(days=after_days)
    old = [e["id"] for e in await Event.select(Event.id).where(Event.ends_at < cutoff)]
    if not old:
        return PurgeResult(0, 0, {})
    emails = sorted({r["email"] for r in await Attendee.select(Attendee.email).where(
        Attendee.event.is_in(old) & (Attendee.email != ""))} | {r["buyer_email"] for r in await Order.select(
            Order.buyer_email).where(Order.event.is_in(old) & (Order.buyer_email != ""))})
    users = {u["email"].lower(): u["id"] for u in await User.select(User.id, User.email).where(
        User.email.is_in(emails))} if emails else {}
    kept: dict[str, list[str]] = {}
    in_part: dict[str, list[str]] = {}
    erased_people = erased = 0
    for email in emails:
        keeps = await keep_reasons(users.get(email.lower()), email)
        if kept_whole(keeps):
            kept[email] = [k.reason for k in keeps]
            continue
        if keeps:
            in_part[email] = [k.reason for k in keeps]
        erased_people += 1
        if dry_run:
            erased += await Attendee.count().where(Attendee.event.is_in(old) & (Attendee.email == email))
            continue
        async with transaction():
            erased += await _erase_email(email, keeps, old)
    return PurgeResult(erased, erased_people, kept, in_part)


async def purge_job(after_days: int) -> int:
    """The daily purge, with an audit entry when it erased anything (by the system, no actor)."""
    result = await purge(after_days)
    if result.attendees:
        await extension.emit("staff_change", actor_id=None, action="purge_personal_data", entity="attendee",
                             entity_id="", before=None,
                             after={"registrations": result.attendees, "people": result.people,
                                    "kept": len(result.kept), "after_days": after_days})
    return result.attendees
