"""Issued certificates: immutable records. The content (everything printed) is frozen as
canonical JSON with its SHA-256; a re-issue inserts a new record and marks the old one
superseded; a revocation records who, when and why. Nothing printed is ever updated."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace

from piccolo.columns.combination import WhereRaw

from confops.accounts import brands
from confops.accounts.tables import Organizer
from confops.cme import credentials
from confops.cme.access import staff_event
from confops.cme.credit_types import CREDIT_TYPES
from confops.cme.designation import accreditation_of, activity_of, maximum_of, statement_of
from confops.cme.learners import blockers, full_name, standings
from confops.cme.rules import format_credit
from confops.cme.serials import new_serial, normalize
from confops.cme.tables import Certificate, CertificateStatus, CmeClaim
from confops.core import clock, outbox
from confops.core.auth import Principal
from confops.core.errors import Conflict, FieldError, NotFound, collect
from confops.core.extension import emit
from confops.core.mail import Brand, Message
from confops.core.paging import Page, paged
from confops.core.rendering import render_mail
from confops.db import current_engine, is_sqlite, transaction
from confops.events.tables import Event, Session
from confops.registration.tables import Attendee


def dates_text(event: dict) -> str:
    start = clock.local(event["starts_at"], event["timezone"]).date()
    end = clock.local(event["ends_at"], event["timezone"]).date()
    if start == end:
        return start.strftime("%B %-d, %Y")
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.strftime('%B %-d')}–{end.day}, {end.year}"
    return f"{start.strftime('%B %-d, %Y')} – {end.strftime('%B %-d, %Y')}"


def completed_on(event: dict, last_session_end=None) -> str:
    """A live activity is completed on its last day, whenever the learner claims: boards and
    PARS date the credit by the activity, not by the claim. A certificate issued while the
    activity still runs (for the sessions already over) is dated by the last of those, never
    by a day still to come."""
    end = event["ends_at"]
    if last_session_end is not None and end > clock.now():
        end = last_session_end
    return clock.local(end, event["timezone"]).date().isoformat()


def canonical(content: dict) -> str:
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


async def learner_content(attendee: dict, event: dict, claim: dict, activity: dict, last_session_end=None) -> dict:
    org = await Organizer.select(Organizer.name).where(Organizer.id == event["organizer"]).first()
    credit_type = claim["credit_type"]
    participation = credit_type == "participation"
    designated = maximum_of(activity, credit_type)
    return {
        "kind": "learner",
        "title": "Certificate of participation" if participation else "Certificate of credit",
        "learner": full_name(attendee), "credentials": attendee.get("credentials") or "",
        "provider": activity["provider"] or org["name"], "issuer": org["name"],
        "activity": event["title"], "dates": dates_text(event), "format": activity["learning_format"],
        "location": activity["location"],
        "credit_type": credit_type, "credit_label": CREDIT_TYPES[credit_type].label,
        "quarters": claim["quarters"], "credit": format_credit(claim["quarters"]),
        "designated": format_credit(designated),
        "designation_statement": statement_of(activity, credit_type),
        "accreditation_statement": accreditation_of(activity, credit_type),
        "completed_on": completed_on(event, last_session_end),
    }


async def _store(content: dict, *, event_id: int, attendee_id: int | None, email: str, kind: str) -> dict:
    """Insert the new record and supersede the previous valid one of the same person and kind."""
    text = canonical(content)
    now = clock.now()
    async with transaction():
        where = ((Certificate.event == event_id) & (Certificate.email == email) & (Certificate.kind == kind)
                 & (Certificate.status == CertificateStatus.valid.value))
        previous = await Certificate.select(Certificate.id, Certificate.content_hash).where(where)
        if previous and previous[-1]["content_hash"] == content_hash(text) and len(previous) == 1:
            return await Certificate.select().where(Certificate.id == previous[0]["id"]).first()
        row = Certificate(serial=new_serial(), kind=kind, event=event_id, attendee=attendee_id, email=email,
                          content=text, content_hash=content_hash(text), issued_at=now)
        await row.save()
        if previous:
            await Certificate.update({Certificate.status: CertificateStatus.superseded.value,
                                      Certificate.superseded_by: row.id, Certificate.status_changed_at: now}).where(
                Certificate.id.is_in([p["id"] for p in previous]))
    return await Certificate.select().where(Certificate.id == row.id).first()


async def issue_for_claim(attendee_id: int) -> dict:
    """Freeze the learner's claim into a certificate (a changed claim supersedes the last one)."""
    attendee = await Attendee.select().where(Attendee.id == attendee_id).first()
    claim = await CmeClaim.select().where(CmeClaim.attendee == attendee_id).first()
    if not attendee or not claim:
        raise Conflict("Claim credit before asking for the certificate.", code="no_claim")
    event = await Event.select().where(Event.id == attendee["event"]).first()
    activity = await activity_of(event)
    stops = await blockers(attendee, event, activity)
    if stops:
        raise Conflict(" ".join(stops), code="cannot_issue")
    covered = json.loads(claim["sessions"]) if isinstance(claim["sessions"], str) else claim["sessions"]
    last_end = await Session.select(Session.ends_at).where(Session.id.is_in(covered or [0])).order_by(
        Session.ends_at, ascending=False).first()
    if not covered or not last_end or last_end["ends_at"] > clock.now():
        # an issue date is never before the end of the last session the certificate covers
        raise Conflict("A certificate is issued once the sessions it covers have ended.", code="cannot_issue")
    content = await learner_content(attendee, event, claim, activity, last_end["ends_at"])
    row = await _store(content, event_id=event["id"], attendee_id=attendee_id, email=attendee["email"],
                       kind="learner")
    await credentials.ensure(row)
    return row


async def issue_faculty(content: dict, event_id: int, email: str) -> dict:
    row = await _store(content, event_id=event_id, attendee_id=None, email=email, kind="faculty")
    await credentials.ensure(row)
    return row


def contents(row: dict) -> dict:
    return json.loads(row["content"])


async def brand_of(row: dict) -> Brand:
    """The organizer a certificate's mail speaks for: its event's."""
    return await brands.of_event(await Event.select(Event.organizer).where(Event.id == row["event"]).first())


async def by_serial(raw: str) -> dict:
    serial = normalize(raw)
    row = await Certificate.select(*Certificate.all_columns(), Certificate.event.organizer.slug.as_alias("organizer")).where(
        Certificate.serial == serial).first() if serial else None
    if not row:
        raise NotFound("No certificate has this serial. Check it against the printed certificate.",
                       code="unknown_serial")
    return row


async def public_view(raw: str) -> dict:
    """Only what verification needs: status, name, activity, date, credit, issuer (a revocation's
    reason stays with staff: it may say something about the person)."""
    row = await by_serial(raw)
    c = contents(row)
    replacement = None
    if row["superseded_by"]:
        newer = await Certificate.select(Certificate.serial).where(Certificate.id == row["superseded_by"]).first()
        replacement = newer["serial"] if newer else None
    credit = f"{c['credit']} {c['credit_label']}" if c.get("credit") else c.get("summary", "")
    return {"serial": row["serial"], "status": row["status"], "name": credentials.printed_name(c),
            "activity": c["activity"],
            "dates": c["dates"], "credit": credit, "issuer": c["provider"], "kind": row["kind"],
            "completed_on": c.get("completed_on", ""), "organizer": row["organizer"],
            "issued_on": row["issued_at"].date().isoformat(), "superseded_by": replacement,
            "revoked_on": (row["status_changed_at"].date().isoformat()
                           if row["status"] == CertificateStatus.revoked.value else ""),
            "content_hash": row["content_hash"],
            "intact": content_hash(row["content"]) == row["content_hash"]}


async def mine(email: str) -> list[dict]:
    rows = await Certificate.select().where(Certificate.email == (email or "").lower()).order_by(
        Certificate.issued_at, ascending=False)
    return [{**r, "c": contents(r)} for r in rows]


async def own(email: str, serial: str) -> dict:
    row = await Certificate.select().where((Certificate.serial == (normalize(serial) or ""))
                                           & (Certificate.email == (email or "").lower())).first()
    if not row:
        raise NotFound("There is no such certificate in your account.")
    return row


async def revoke(principal: Principal, slug: str, certificate_id: int, reason: str) -> None:
    event = await staff_event(principal, slug)
    reason = (reason or "").strip()
    collect([FieldError("reason", "Say why the certificate is revoked.")] if not reason else [])
    row = await Certificate.select().where((Certificate.id == certificate_id) & (Certificate.event == event["id"])).first()
    if not row:
        raise NotFound("No such certificate at this event.")
    if row["status"] == CertificateStatus.revoked.value:
        raise Conflict("This certificate is already revoked.")
    await revoke_record(row, reason, actor_id=principal.user_id)


async def revoke_record(row: dict, reason: str, *, actor_id: int | None) -> bool:
    """Revoke one certificate (valid ones only: a superseded record is already out of use): the
    status, who and why, the audit log and the learner's e-mail in one transaction. Its
    credential's bit is set in the published status list from then on."""
    now = clock.now()
    async with transaction():
        done = await Certificate.update({
            Certificate.status: CertificateStatus.revoked.value, Certificate.revoked_reason: reason[:1000],
            Certificate.revoked_by: actor_id, Certificate.status_changed_at: now,
        }).where((Certificate.id == row["id"]) & (Certificate.status == CertificateStatus.valid.value)).returning(
            Certificate.id)
        if not done:
            return False
        await emit("staff_change", actor_id=actor_id, action="cme_certificate_revoked", entity="certificate",
                   entity_id=row["id"], before={"status": row["status"]}, after={"status": "revoked", "reason": reason})
        c = contents(row)
        brand = await brand_of(row)
        text, html = render_mail("cme_certificate_revoked", brand=brand, learner=c["learner"], serial=row["serial"],
                                 activity=c["activity"], dates=c["dates"], revoked_on=now.date().isoformat(),
                                 reason=reason)
        await outbox.enqueue(Message(to=row["email"], subject=f"Your CME certificate was revoked: {c['activity']}",
                                     text=text, html=html, brand=brand), dedupe_key=f"cme-revoked:{row['id']}")
    return True


async def reinstate(principal: Principal, slug: str, certificate_id: int, reason: str) -> dict:
    """Only a coordinator undoes a revocation, with a reason: a new record (new serial, the same
    content) supersedes the revoked one, which stays revoked in the record and the status list."""
    event = await staff_event(principal, slug)
    reason = (reason or "").strip()
    collect([FieldError("reason", "Say why the certificate is reinstated.")] if not reason else [])
    row = await Certificate.select().where((Certificate.id == certificate_id) & (Certificate.event == event["id"])).first()
    if not row:
        raise NotFound("No such certificate at this event.")
    if row["status"] != CertificateStatus.revoked.value or row["superseded_by"]:
        raise Conflict("Only a revoked certificate that was not reinstated yet can be reinstated.",
                       code="not_revoked")
    if row["kind"] == "learner" and row["attendee"]:
        attendee = await Attendee.select().where(Attendee.id == row["attendee"]).first()
        standing = (await standings([attendee]))[attendee["id"]]
        if standing:
            raise Conflict(standing.replace("Your registration", "The registration"), code="cannot_issue")
    now = clock.now()
    async with transaction():
        new = Certificate(serial=new_serial(), kind=row["kind"], event=row["event"], attendee=row["attendee"],
                          email=row["email"], content=row["content"], content_hash=row["content_hash"], issued_at=now)
        await new.save()
        await Certificate.update({Certificate.superseded_by: new.id}).where(Certificate.id == row["id"])
        await emit("staff_change", actor_id=principal.user_id, action="cme_certificate_reinstated",
                   entity="certificate", entity_id=row["id"], before={"status": "revoked", "serial": row["serial"]},
                   after={"status": "valid", "serial": new.serial, "reason": reason})
    made = await Certificate.select().where(Certificate.id == new.id).first()
    await credentials.ensure(made)
    return made


def _learner_sql() -> str:
    """The learner's name inside the frozen content (canonical JSON), read by the database."""
    if is_sqlite(current_engine()):
        return "json_extract(cme_certificate.content, '$.learner')"
    return "(cme_certificate.content::json ->> 'learner')"


async def of_event(event_id: int, query: str = "", page: int = 1) -> Page:
    """One page of the event's certificates, newest first, found by part of the learner's name,
    the e-mail or the serial; filtered and paged in the database."""
    where = Certificate.event == event_id
    q = (query or "").strip()[:100]
    if q:
        like = f"%{q.lower().replace('%', '').replace('_', '').replace(chr(92), '')}%"
        where &= WhereRaw(f"(lower({_learner_sql()}) LIKE {{}} OR lower(cme_certificate.email) LIKE {{}} "
                          "OR lower(cme_certificate.serial) LIKE {})", like, like, like)
    found = await paged(Certificate.select().where(where).order_by(Certificate.issued_at, Certificate.id,
                                                                   ascending=False),
                        Certificate.select(Certificate.id).where(where), page, params={"q": q})
    return replace(found, rows=[{**r, "c": contents(r)} for r in found.rows])
