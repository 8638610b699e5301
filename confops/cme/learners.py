"""What one learner may claim at one event: sessions attended (by the evidence rule), their own
talks excluded, eligible credit per type, whether the evaluation is done, the claim so far."""

from __future__ import annotations

from collections import defaultdict

from confops.cme.credit_types import types_for
from confops.cme.designation import activity_of, maximum_of, session_credits, statement_problems
from confops.cme.evidence import attended_from, marks_of, presented_sessions
from confops.cme.rules import eligible_quarters
from confops.cme.tables import Certificate, CertificateStatus, CmeClaim, EvaluationDone
from confops.core import clock
from confops.core.auth import Principal
from confops.core.errors import NotFound
from confops.events.kinds import EventStatus
from confops.events.tables import Event, Session
from confops.payments.tables import Payment, PaymentStatus
from confops.registration.tables import Attendee, AttendeeStatus, Order, OrderStatus


async def sessions_of(event_id: int) -> list[dict]:
    return await Session.select(Session.id, Session.code, Session.title, Session.starts_at, Session.ends_at,
                                Session.kind).where(Session.event == event_id).order_by(Session.starts_at, Session.code)


def full_name(attendee: dict) -> str:
    return f"{attendee['first_name']} {attendee['last_name']}".strip()


_UNSET = object()

_ORDER_PROBLEMS = {
    OrderStatus.pending.value: "Your registration is not paid yet: credit can be claimed once it is paid.",
    OrderStatus.awaiting_payment.value: "Your registration is not paid yet: credit can be claimed once it is paid.",
    OrderStatus.expired.value: "Your registration expired unpaid: it cannot claim credit.",
    OrderStatus.cancelled.value: "Your registration was cancelled: it cannot claim credit.",
}


async def standings(attendees: list[dict]) -> dict[int, str | None]:
    """Why each registration cannot claim credit (None: it can). Only a registration whose order
    is settled claims: paid, free or complimentary (confirmed), not cancelled, expired, still
    awaiting payment, or refunded in full."""
    order_ids = sorted({a["order"] for a in attendees}) or [0]
    orders = {o["id"]: o for o in await Order.select(Order.id, Order.status).where(Order.id.is_in(order_ids))}
    paid: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for p in await Payment.select(Payment.order, Payment.amount_cents, Payment.refunded_cents).where(
            Payment.order.is_in(order_ids) & (Payment.status == PaymentStatus.succeeded.value)):
        paid[p["order"]][0] += p["amount_cents"]
        paid[p["order"]][1] += p["refunded_cents"]
    out: dict[int, str | None] = {}
    for a in attendees:
        order = orders.get(a["order"])
        if order is not None and order["status"] == OrderStatus.expired.value:
            out[a["id"]] = _ORDER_PROBLEMS[OrderStatus.expired.value]
        elif a["status"] != AttendeeStatus.active.value:
            out[a["id"]] = "Your registration was cancelled: it cannot claim credit."
        elif order is None or order["status"] != OrderStatus.confirmed.value:
            out[a["id"]] = _ORDER_PROBLEMS.get(order["status"] if order else "", _ORDER_PROBLEMS["cancelled"])
        elif paid[a["order"]][0] > 0 and paid[a["order"]][1] >= paid[a["order"]][0]:
            out[a["id"]] = "Your registration was refunded: it cannot claim credit."
        else:
            out[a["id"]] = None
    return out


async def revoked_certificate(event_id: int, email: str) -> dict | None:
    """The learner's latest certificate of this activity when it is revoked (and not reinstated):
    claiming again must not give them a new one; only a coordinator reinstates."""
    latest = await Certificate.select().where(
        (Certificate.event == event_id) & (Certificate.email == (email or "").lower())
        & (Certificate.kind == "learner")).order_by(Certificate.id, ascending=False).first()
    return latest if latest and latest["status"] == CertificateStatus.revoked.value else None


async def revoked_certificates(event_id: int, emails: list[str]) -> dict[str, dict]:
    """`revoked_certificate` for many learners in one query: {email: the revoked certificate}."""
    latest: dict[str, dict] = {}
    for c in await Certificate.select().where(
            (Certificate.event == event_id) & Certificate.email.is_in(sorted({(e or "").lower() for e in emails}) or [""])
            & (Certificate.kind == "learner")).order_by(Certificate.id):
        latest[c["email"]] = c
    return {e: c for e, c in latest.items() if c["status"] == CertificateStatus.revoked.value}


async def blockers(attendee: dict, event: dict, activity: dict, *, standing=_UNSET, revoked=_UNSET) -> list[str]:
    """What stops this learner claiming (and a certificate being issued), in the learner's words."""
    if event.get("status") == EventStatus.cancelled.value:
        # its registrations are cancelled too: say why, once, rather than "your registration was cancelled"
        return ["This event was cancelled by the organizers: no CME credit can be claimed for it, and any "
                "certificate issued for it is revoked."]
    if standing is _UNSET:
        standing = (await standings([attendee]))[attendee["id"]]
    out = [standing] if standing else []
    if statement_problems(activity):
        out.append("Claims are not open yet: the activity's designation and accreditation statements are not "
                   "complete. The CME coordinator has been told.")
    if revoked is _UNSET:
        revoked = await revoked_certificate(event["id"], attendee["email"])
    if revoked:
        out.append(f"Your certificate for this activity was revoked on "
                   f"{revoked['status_changed_at'].date().isoformat()}: only the CME coordinator can reinstate it.")
    return out


async def state(attendee: dict, event: dict, *, activity: dict | None = None, credits=None, sessions=None,
                marks=None, presented=None, claim=_UNSET, evaluated: bool | None = None, standing=_UNSET,
                revoked=_UNSET) -> dict:
    """Everything below may be passed in preloaded (reports do, for a whole event at once).

    `attended` is every session the evidence shows (own talks excluded); credit comes only from
    those that have ended (`credited`), so nothing is claimed for a session still to happen."""
    activity = activity or await activity_of(event)
    credits = credits if credits is not None else await session_credits(event["id"])
    sessions = sessions if sessions is not None else await sessions_of(event["id"])
    marks = marks if marks is not None else await marks_of(attendee["id"], event["id"])
    presented = presented if presented is not None else await presented_sessions(attendee["email"], event["id"])
    now = clock.now()
    ended = {s["id"] for s in sessions if s["ends_at"] <= now}
    attended = attended_from(marks, sessions, activity, event["timezone"]) - presented
    credited = attended & ended
    types = types_for(attendee.get("credentials") or "", attendee.get("profession") or "", activity["offered"])
    eligible = {t: eligible_quarters(credits, credited, presented, maximum_of(activity, t), t) for t in types}
    by_id = {c.id: c for c in credits}
    rows = [{**s, "quarters": by_id[s["id"]].quarters, "attended": s["id"] in attended,
             "ended": s["id"] in ended, "started": s["starts_at"] <= now,
             "presented": s["id"] in presented} for s in sessions if by_id[s["id"]].quarters > 0]
    if claim is _UNSET:
        claim = await CmeClaim.select().where(CmeClaim.attendee == attendee["id"]).first()
    if evaluated is None:
        evaluated = await EvaluationDone.exists().where(EvaluationDone.attendee == attendee["id"])
    stops = await blockers(attendee, event, activity, standing=standing, revoked=revoked)
    if not credited and attended:
        stops.append("Credit can be claimed once the sessions you attended have ended.")
    return {"attendee": attendee, "event": event, "activity": activity, "sessions": rows, "types": types,
            "eligible": eligible, "attended": attended, "credited": credited, "presented": presented,
            "claim": claim, "evaluated": evaluated, "name": full_name(attendee), "blockers": stops}


async def own_attendee(principal: Principal, attendee_id: int) -> tuple[dict, dict]:
    """The learner's own registration at a CME event; anyone else's id is simply not found."""
    attendee = await Attendee.select().where(
        (Attendee.id == attendee_id) & (Attendee.email == principal.email.lower())
        & Attendee.status.is_in([AttendeeStatus.active.value, AttendeeStatus.expired.value,
                                 AttendeeStatus.cancelled.value])).first()
    if not attendee:  # an expired or cancelled one is shown, to say why it cannot claim
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
