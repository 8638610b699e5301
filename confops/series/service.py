"""Online group series as the society runs them.

Meeting links: set by staff per session (https only), shown only to confirmed, paid-up
registrants (their order page, /account/registrations, and the reminder e-mail) and only from
`reminder_hours` before the session until it ends; never on public pages or in the public API
(those read events.service, which knows nothing of this table). While a series with a minimum
enrolment waits for its go/no-go decision, nobody sees a link: it may not run.

Go/no-go: at `go_no_go_at` the worker decides once. Enough confirmed registrants: it goes ahead
and they are told. Too few: the event is cancelled with full refunds
(payments.event_cancellation), which DOMAIN.md's "refund only if the society cancels" promises.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from confops.accounts import brands
from confops.core import clock, extension, outbox
from confops.core.auth import Principal, Role
from confops.core.errors import FieldError, NotFound, collect
from confops.core.mail import Message
from confops.core.rendering import render_mail
from confops.db import transaction
from confops.events.access import event_for_roles
from confops.events.event_form import local_text, parse_local, text_problem, whole_number
from confops.events.kinds import EventStatus
from confops.events.tables import Event, Session
from confops.registration.tables import Attendee, AttendeeStatus, Order, OrderStatus
from confops.series.tables import MeetingReminder, SeriesPlan, SessionMeeting

log = logging.getLogger("confops.series")
SERIES_ROLES = (Role.registrar,)
_SPACE = re.compile(r"\s")


def meeting_url_problem(url: str) -> str | None:
    if not url:
        return None
    if len(url) > 500 or _SPACE.search(url) or any(ord(c) < 32 for c in url):
        return "Paste the meeting link as one address without spaces (at most 500 characters)."
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname or "." not in parts.hostname:
        return "The meeting link must be an https:// address (e.g. https://zoom.us/j/…)."
    return None


async def _event(principal: Principal | None, slug: str) -> dict:
    return await event_for_roles(slug, principal, SERIES_ROLES)


async def _audit(principal: Principal, action: str, entity: str, entity_id, before, after) -> None:
    await extension.emit("staff_change", actor_id=principal.user_id, action=action, entity=entity,
                         entity_id=entity_id, before=before, after=after)


async def setup(principal: Principal | None, slug: str) -> dict:
    """What the staff series page shows: the plan, each session with its link, the count."""
    event = await _event(principal, slug)
    plan = await SeriesPlan.select().where(SeriesPlan.event == event["id"]).first()
    sessions = await Session.select().where(Session.event == event["id"]).order_by(Session.starts_at)
    meetings = {m["session"]: m for m in await SessionMeeting.select().where(
        SessionMeeting.session.is_in([s["id"] for s in sessions] or [0]))}
    tz = event["timezone"]
    return {"event": event, "plan": plan, "confirmed": await confirmed_count(event["id"]),
            "sessions": [{**s, "meeting": meetings.get(s["id"])} for s in sessions],
            "plan_values": {"min_enrolment": str(plan["min_enrolment"] or "") if plan else "",
                            "go_no_go_at": local_text(plan["go_no_go_at"], tz) if plan else "",
                            "reminder_hours": str(plan["reminder_hours"]) if plan else "24"}}


async def save_meeting(principal: Principal | None, slug: str, session_id: int, url: str, passcode: str) -> None:
    event = await _event(principal, slug)
    if not await Session.exists().where((Session.id == session_id) & (Session.event == event["id"])):
        raise NotFound("There is no such session in this event.")
    url, passcode = (url or "").strip(), (passcode or "").strip()
    problems = []
    if msg := meeting_url_problem(url):
        problems.append(FieldError(f"url_{session_id}", msg))
    if msg := text_problem(passcode, 60):
        problems.append(FieldError(f"passcode_{session_id}", msg))
    collect(problems)
    before = await SessionMeeting.select(SessionMeeting.url, SessionMeeting.passcode).where(
        SessionMeeting.session == session_id).first()
    async with transaction():
        if before is None:
            await SessionMeeting.insert(SessionMeeting(session=session_id, url=url, passcode=passcode))
        else:
            await SessionMeeting.update({SessionMeeting.url: url, SessionMeeting.passcode: passcode,
                                         SessionMeeting.updated_at: clock.now()}).where(
                SessionMeeting.session == session_id)
        # the passcode is a secret of the meeting: the audit log says it changed, not what it is
        await _audit(principal, "meeting_link_set", "session", session_id,
                     before and {"url": before["url"], "passcode": "(set)" if before["passcode"] else ""},
                     {"url": url, "passcode": "(set)" if passcode else ""})


async def save_plan(principal: Principal | None, slug: str, form: dict[str, str]) -> None:
    event = await _event(principal, slug)
    problems: list[FieldError] = []
    minimum = whole_number(form.get("min_enrolment", ""), "min_enrolment", problems, minimum=1, maximum=10_000)
    decide_at = parse_local(form.get("go_no_go_at", ""), event["timezone"], "go_no_go_at", problems)
    hours = whole_number(form.get("reminder_hours", ""), "reminder_hours", problems, minimum=1, maximum=24 * 14)
    if minimum is not None and decide_at is None and not any(p.field == "go_no_go_at" for p in problems):
        problems.append(FieldError("go_no_go_at", "Say when the minimum enrolment is checked."))
    if decide_at and decide_at >= event["starts_at"]:
        problems.append(FieldError("go_no_go_at", "Decide before the first session starts."))
    if event["capacity"] is not None and minimum is not None and minimum > event["capacity"]:
        problems.append(FieldError("min_enrolment", f"The minimum is above the capacity ({event['capacity']})."))
    plan = await SeriesPlan.select().where(SeriesPlan.event == event["id"]).first()
    if plan and plan["decision"] and (minimum != plan["min_enrolment"] or decide_at != plan["go_no_go_at"]):
        problems.append(FieldError("min_enrolment", "The go/no-go decision was made; it cannot be changed now."))
    collect(problems)
    values = {"min_enrolment": minimum, "go_no_go_at": decide_at, "reminder_hours": hours or 24}
    async with transaction():
        if plan is None:
            await SeriesPlan.insert(SeriesPlan(event=event["id"], **values))
        else:
            await SeriesPlan.update({getattr(SeriesPlan, k): v for k, v in values.items()}).where(
                SeriesPlan.id == plan["id"])
        await _audit(principal, "series_plan_set", "event", event["id"],
                     plan and {k: plan[k] for k in values}, values)


def _confirmed_active(event_id: int):
    return ((Attendee.event == event_id) & (Attendee.status == AttendeeStatus.active.value)
            & (Attendee.order.status == OrderStatus.confirmed.value))


async def confirmed_count(event_id: int) -> int:
    return await Attendee.count().where(_confirmed_active(event_id))


async def _waiting_for_decision(plan: dict | None) -> bool:
    return bool(plan and plan["min_enrolment"] and plan["decision"] != "go")


async def links_visible(order: dict, now: datetime | None = None) -> list[dict]:
    """The sessions of the order's event with meeting links, as this order may see them: each
    with `url`/`passcode` only when the order is confirmed and paid up, the series will run, and
    the session is within its link window; otherwise with `shown_from` or a `note`."""
    from confops.payments.ledger import balance_of

    now = now or clock.now()
    event = await Event.select(Event.id, Event.status, Event.kind, Event.timezone).where(
        Event.id == order["event"]).first()
    rows = await SessionMeeting.select(
        SessionMeeting.url, SessionMeeting.passcode, SessionMeeting.session.id.as_alias("session_id"),
        SessionMeeting.session.title.as_alias("title"), SessionMeeting.session.starts_at.as_alias("starts_at"),
        SessionMeeting.session.ends_at.as_alias("ends_at"),
    ).where((SessionMeeting.session.event == order["event"]) & (SessionMeeting.url != "")).order_by(
        SessionMeeting.session.starts_at)
    if not rows:
        return []
    plan = await SeriesPlan.select().where(SeriesPlan.event == order["event"]).first()
    hours = plan["reminder_hours"] if plan else 24
    note = ""
    if order["status"] != OrderStatus.confirmed.value:
        note = "Meeting links are shown once your registration is confirmed."
    elif event["status"] == EventStatus.cancelled.value:
        note = "This series was cancelled."
    elif await _waiting_for_decision(plan):
        note = "Meeting links are shown once the series is confirmed to run (after the minimum enrolment is reached)."
    elif not order.get("complimentary") and (await balance_of(order)).due_cents > 0:
        note = "Meeting links are shown once the registration is paid."
    out = []
    for r in rows:
        shown_from = r["starts_at"] - timedelta(hours=hours)
        item = {"session_id": r["session_id"], "title": r["title"], "starts_at": r["starts_at"],
                "ends_at": r["ends_at"], "timezone": event["timezone"], "shown_from": shown_from,
                "url": "", "passcode": "", "note": note}
        if not note and shown_from <= now <= r["ends_at"]:
            item["url"], item["passcode"] = r["url"], r["passcode"]
        out.append(item)
    return out


async def decide_due() -> int:
    """The go/no-go decisions that are due, each taken once (the worker runs this)."""
    from confops.payments.event_cancellation import cancel_event

    now = clock.now()
    due = await SeriesPlan.select().where(
        SeriesPlan.decision.is_in(["", "deciding"]) & (SeriesPlan.go_no_go_at <= now)
        & SeriesPlan.min_enrolment.is_not_null())
    for plan in due:
        # "deciding" first: a crash midway leaves it to be finished, never decided twice the other way
        claimed = await SeriesPlan.update({SeriesPlan.decision: "deciding"}).where(
            (SeriesPlan.id == plan["id"]) & SeriesPlan.decision.is_in(["", "deciding"])).returning(SeriesPlan.id)
        if not claimed:
            continue
        event = await Event.select().where(Event.id == plan["event"]).first()
        count = await confirmed_count(plan["event"])
        if event["status"] == EventStatus.cancelled.value:
            decision, note = "no_go", "The event was cancelled before the decision."
        elif count >= plan["min_enrolment"]:
            decision, note = "go", f"{count} confirmed (minimum {plan['min_enrolment']})."
        else:
            decision, note = "no_go", f"{count} confirmed; the minimum was {plan['min_enrolment']}."
        if decision == "go":
            async with transaction():
                await _tell_it_goes_ahead(event)
                await _decided(plan["id"], decision, note)
        else:
            if event["status"] != EventStatus.cancelled.value:
                await cancel_event(event["id"], actor_id=None, reason=(
                    f"Fewer than {plan['min_enrolment']} people enrolled by the go/no-go date, so the series "
                    "cannot run as planned."))
            await _decided(plan["id"], decision, note)
        log.info("series %s: %s (%s)", event["slug"], decision, note)
    return len(due)


async def _decided(plan_id: int, decision: str, note: str) -> None:
    await SeriesPlan.update({SeriesPlan.decision: decision, SeriesPlan.decided_at: clock.now(),
                             SeriesPlan.decision_note: note}).where(SeriesPlan.id == plan_id)


async def _tell_it_goes_ahead(event: dict) -> None:
    orders = await Order.select(Order.id, Order.buyer_name, Order.buyer_email).where(
        (Order.event == event["id"]) & (Order.status == OrderStatus.confirmed.value))
    for order in orders:
        brand = await brands.of_event(event)
        text, html = render_mail("series_goes_ahead", brand=brand, order=order, event=event)
        await outbox.enqueue(Message(to=order["buyer_email"], subject=f"It goes ahead: {event['title']}",
                                     text=text, html=html, brand=brand), dedupe_key=f"series-go:{order['id']}")


async def send_reminders() -> int:
    """Each confirmed, paid-up attendee gets one e-mail per session with its meeting link,
    `reminder_hours` before it starts (the worker runs this)."""
    from confops.payments.ledger import balance_of

    now = clock.now()
    sessions = await SessionMeeting.select(
        SessionMeeting.url, SessionMeeting.passcode, SessionMeeting.session.id.as_alias("session_id"),
        SessionMeeting.session.title.as_alias("title"), SessionMeeting.session.starts_at.as_alias("starts_at"),
        SessionMeeting.session.event.as_alias("event_id"),
    ).where((SessionMeeting.url != "") & (SessionMeeting.session.starts_at > now)
            & (SessionMeeting.session.starts_at <= now + timedelta(hours=24 * 14)))
    sent = 0
    for s in sessions:
        event = await Event.select().where(Event.id == s["event_id"]).first()
        if event["status"] not in (EventStatus.published.value, EventStatus.closed.value):
            continue
        plan = await SeriesPlan.select().where(SeriesPlan.event == event["id"]).first()
        if await _waiting_for_decision(plan) or s["starts_at"] - timedelta(hours=plan["reminder_hours"] if plan else 24) > now:
            continue
        people = await Attendee.select(Attendee.id, Attendee.email, Attendee.first_name, Attendee.order.id,
                                       Attendee.order.status, Attendee.order.total_cents,
                                       Attendee.order.currency, Attendee.order.complimentary).where(
            _confirmed_active(event["id"]))
        for p in people:
            order = {"id": p["order.id"], "status": p["order.status"], "total_cents": p["order.total_cents"],
                     "currency": p["order.currency"]}
            if not p["order.complimentary"] and (await balance_of(order)).due_cents > 0:
                continue
            async with transaction():
                new = await MeetingReminder.insert(MeetingReminder(session=s["session_id"], attendee=p["id"])).on_conflict(
                    action="DO NOTHING").returning(MeetingReminder.id)
                if not new:
                    continue
                when = clock.local(s["starts_at"], event["timezone"]).strftime("%A, %B %-d at %-I:%M %p %Z")
                brand = await brands.of_event(event)
                text, html = render_mail("series_meeting_link", brand=brand, person=p, session=s, event=event,
                                         when=when)
                await outbox.enqueue(Message(
                    to=p["email"], subject=f"Today's link: {s['title']} ({event['title']})"
                    if s["starts_at"] - now <= timedelta(hours=12) else f"Meeting link: {s['title']} ({event['title']})",
                    text=text, html=html, brand=brand), dedupe_key=f"meeting-reminder:{s['session_id']}:{p['id']}")
                sent += 1
    return sent
