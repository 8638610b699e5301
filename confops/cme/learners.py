"""What one learner may claim at one event: sessions attended (by the evidence rule), their own
talks excluded, eligible credit per type, whether the evaluation is done, the claim so far."""

from __future__ import annotations

from confops.cme.credit_types import types_for
from confops.cme.designation import activity_of, maximum_of, session_credits
from confops.cme.evidence import attended_from, marks_of, presented_sessions
from confops.cme.rules import eligible_quarters
from confops.cme.tables import CmeClaim, EvaluationDone
from confops.core.auth import Principal
from confops.core.errors import NotFound
from confops.events.tables import Event, Session
from confops.registration.tables import Attendee, AttendeeStatus


async def sessions_of(event_id: int) -> list[dict]:
    return await Session.select(Session.id, Session.code, Session.title, Session.starts_at, Session.ends_at,
                                Session.kind).where(Session.event == event_id).order_by(Session.starts_at)


def full_name(attendee: dict) -> str:
    return f"{attendee['first_name']} {attendee['last_name']}".strip()


_UNSET = object()


async def state(attendee: dict, event: dict, *, activity: dict | None = None, credits=None, sessions=None,
                marks=None, presented=None, claim=_UNSET, evaluated: bool | None = None) -> dict:
    """Everything below may be passed in preloaded (reports do, for a whole event at once)."""
    activity = activity or await activity_of(event)
    credits = credits if credits is not None else await session_credits(event["id"])
    sessions = sessions if sessions is not None else await sessions_of(event["id"])
    marks = marks if marks is not None else await marks_of(attendee["id"], event["id"])
    presented = presented if presented is not None else await presented_sessions(attendee["email"], event["id"])
    attended = attended_from(marks, sessions, activity, event["timezone"])
    types = types_for(attendee.get("credentials") or "", attendee.get("profession") or "", activity["offered"])
    eligible = {t: eligible_quarters(credits, attended, presented, maximum_of(activity, t), t) for t in types}
    by_id = {c.id: c for c in credits}
    rows = [{**s, "quarters": by_id[s["id"]].quarters, "attended": s["id"] in attended,
             "presented": s["id"] in presented} for s in sessions if by_id[s["id"]].quarters > 0]
    if claim is _UNSET:
        claim = await CmeClaim.select().where(CmeClaim.attendee == attendee["id"]).first()
    if evaluated is None:
        evaluated = await EvaluationDone.exists().where(EvaluationDone.attendee == attendee["id"])
    return {"attendee": attendee, "event": event, "activity": activity, "sessions": rows, "types": types,
            "eligible": eligible, "attended": attended - presented, "presented": presented, "claim": claim,
            "evaluated": evaluated, "name": full_name(attendee)}


async def own_attendee(principal: Principal, attendee_id: int) -> tuple[dict, dict]:
    """The learner's own registration at a CME event; anyone else's id is simply not found."""
    attendee = await Attendee.select().where(
        (Attendee.id == attendee_id) & (Attendee.email == principal.email.lower())
        & (Attendee.status == AttendeeStatus.active.value)).first()
    if not attendee:
        raise NotFound("There is no such registration in your account.")
    event = await Event.select().where(Event.id == attendee["event"]).first()
    if not event["cme_enabled"]:
        raise NotFound("This event offers no CME credit.")
    return attendee, event


async def my_events(email: str) -> list[dict]:
    rows = await Attendee.select(Attendee.id, Attendee.event.title, Attendee.event.slug, Attendee.event.starts_at,
                                 Attendee.event.timezone).where(
        (Attendee.email == (email or "").lower()) & (Attendee.status == AttendeeStatus.active.value)
        & (Attendee.event.cme_enabled == True)).order_by(Attendee.event.starts_at, ascending=False)  # noqa: E712
    return [{"attendee_id": r["id"], "title": r["event.title"], "slug": r["event.slug"],
             "starts_at": r["event.starts_at"], "timezone": r["event.timezone"]} for r in rows]
