"""The coordinator's reports: learners with their evidence and claims, claims per session and
credit type, who attended but has not claimed (with a reminder), the PARS learner export (only
consenting learners with the fields collected, cme/pars.py), and the activity summary for PARS."""

from __future__ import annotations

from collections.abc import AsyncIterator

from confops.accounts import brands
from confops.cme import certificates, learners, pars
from confops.cme.access import staff_event
from confops.cme.credit_types import CREDIT_TYPES
from confops.cme.designation import activity_of, session_credits
from confops.cme.evidence import marks_by_attendee, outside_marks, presenters_of
from confops.cme.rules import format_credit
from confops.cme.tables import Certificate, CmeClaim, EvaluationDone
from confops.core import clock, outbox
from confops.core.auth import Principal
from confops.core.mail import Message
from confops.core.paging import chunks, within
from confops.core.rendering import render_mail
from confops.db import transaction
from confops.registration.tables import Attendee, AttendeeStatus


async def learner_rows(event: dict, people: list[dict] | None = None) -> list[dict]:
    """Each learner's row: every active registration, or only `people` (one page of the staff
    list, cme/learner_list.py), whose evidence, claims and evaluations are then read for them alone."""
    activity = await activity_of(event)
    credits = await session_credits(event["id"])
    sessions = await learners.sessions_of(event["id"])
    if people is None:
        marks = await marks_by_attendee(event["id"])
        people = await Attendee.select().where((Attendee.event == event["id"])
                                               & (Attendee.status == AttendeeStatus.active.value)).order_by(
            Attendee.last_name)
        claims = {c["attendee"]: c for c in await CmeClaim.select().where(CmeClaim.event == event["id"])}
        evaluated = {d["attendee"] for d in await EvaluationDone.select(EvaluationDone.attendee).where(
            EvaluationDone.event == event["id"])}
    else:
        ids = [a["id"] for a in people] or [0]
        marks = await marks_by_attendee(event["id"], ids)
        claims = {c["attendee"]: c for c in await CmeClaim.select().where(CmeClaim.attendee.is_in(ids))}
        evaluated = {d["attendee"] for d in await EvaluationDone.select(EvaluationDone.attendee).where(
            EvaluationDone.attendee.is_in(ids))}
    presenters = await presenters_of(event["id"])
    standing = await learners.standings(people)
    revoked = await learners.revoked_certificates(event["id"], [a["email"] for a in people])
    rows = []
    for a in people:
        own = marks.get(a["id"], [])
        st = await learners.state(a, event, activity=activity, credits=credits, sessions=sessions,
                                  marks=own, presented=presenters.get(a["email"].lower(), set()),
                                  claim=claims.get(a["id"]), evaluated=a["id"] in evaluated, standing=standing[a["id"]],
                                  revoked=revoked.get((a["email"] or "").lower()))
        primary = st["types"][0]
        rows.append({"attendee": a, "name": st["name"], "attended": len(st["attended"]), "type": primary,
                     "eligible": st["eligible"][primary], "claim": st["claim"], "evaluated": st["evaluated"],
                     "standing": standing[a["id"]],
                     "outside": len(outside_marks(own, sessions, activity, event["timezone"]))})
    return rows


def activity_facts(event: dict, activity: dict, reporting: dict) -> dict:
    """The PARS activity summary's facts about the activity itself, with what the coordinator
    reported for PARS (cme/pars.py); cme/staff_overview.py adds the learners."""
    return {"title": event["title"], "format": activity["learning_format"], "dates": certificates.dates_text(event),
            "location": activity["location"], "provider": activity["provider"],
            "activity_id": reporting["activity_id"], "providership": pars.providership_text(reporting),
            "commercial_support": pars.support_text(reporting),
            "moc": {pars.BOARDS[b]: format_credit(q) for b, q in reporting["moc"].items()},
            "credits": {CREDIT_TYPES[t["type"]].name: format_credit(t["quarters"]) for t in activity["credit_types"]}}


async def remind_unclaimed(principal: Principal, slug: str, base_url: str) -> int:
    """E-mail each learner who attended but has not claimed; once per learner and day."""
    event = await staff_event(principal, slug)
    rows = [r for r in await learner_rows(event) if r["eligible"] > 0 and not r["claim"] and not r["standing"]]
    activity = await activity_of(event)
    day = clock.now().date().isoformat()
    sent = 0
    async with transaction():
        for r in rows:
            a = r["attendee"]
            brand = await brands.of_event(event)
            text, html = render_mail("cme_claim_reminder", brand=brand, attendee=a, event=event, credits=format_credit(r["eligible"]),
                                     deadline=activity["claim_deadline"], link=f"{base_url}/account/cme/{a['id']}")
            done = await outbox.enqueue(Message(to=a["email"], subject=f"Claim your CME credit: {event['title']}",
                                                text=text, html=html, brand=brand),
                                        dedupe_key=f"cme-remind:{a['id']}:{day}")
            sent += done is not None
    return sent


CLAIMS_HEADERS = ["Last name", "First name", "E-mail", "Credit type", "Credits claimed", "Eligible", "Claimed on",
                  "Certificate", "Status"]


async def claims_rows(event_id: int) -> AsyncIterator[list[list]]:
    """The event's claims by learner name, a chunk at a time, each with its learner (joined) and
    the chunk's valid certificates in one query: never a query per claim."""
    where = CmeClaim.event == event_id

    def select(after):
        return CmeClaim.select(
            CmeClaim.id, CmeClaim.attendee, CmeClaim.credit_type, CmeClaim.quarters, CmeClaim.eligible_quarters,
            CmeClaim.attested_at, CmeClaim.attendee.last_name.as_alias("last_name"),
            CmeClaim.attendee.first_name.as_alias("first_name"), CmeClaim.attendee.email.as_alias("email"),
        ).where(where if after is None else where & after).order_by(
            CmeClaim.attendee.last_name, CmeClaim.attendee.first_name, CmeClaim.id)

    async for claims in chunks(select, (('"cme_claim$attendee"."last_name"', "last_name"),
                                        ('"cme_claim$attendee"."first_name"', "first_name"),
                                        ('"cme_claim"."id"', "id"))):
        # the chunk's learners by their name range, joined (not an IN list of 2,000 ids)
        names = ('"cme_certificate$attendee"."last_name"', '"cme_certificate$attendee"."first_name"')
        certs = {c["attendee"]: c for c in await Certificate.select(
            Certificate.attendee, Certificate.serial, Certificate.status).where(
            (Certificate.event == event_id) & (Certificate.attendee.event == event_id)  # the second makes the join
            & (Certificate.kind == "learner") & (Certificate.status == "valid")
            & within(names, [claims[0]["last_name"], claims[0]["first_name"]],
                     [claims[-1]["last_name"], claims[-1]["first_name"]]))}
        rows = []
        for c in claims:
            cert = certs.get(c["attendee"])
            rows.append([c["last_name"], c["first_name"], c["email"], CREDIT_TYPES[c["credit_type"]].name,
                         format_credit(c["quarters"]), format_credit(c["eligible_quarters"]),
                         c["attested_at"].date().isoformat(), cert["serial"] if cert else "",
                         cert["status"] if cert else "not issued"])
        yield rows
