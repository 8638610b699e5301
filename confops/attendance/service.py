"""Attendance and certificates of attendance, for events without CME credit or for people the
credit type does not cover.

Attendance comes from the leader's roll call (listeners.py) or, for online sessions, the meeting
service's attendance list staff upload, matched to registrants by e-mail; rows no registrant
matched wait for staff to match by hand. A session counts when the person was there for at
least half of it. The event's threshold ("6 of 8") decides who gets a certificate; staff choose
per event whether it offers them. A certificate is frozen when issued (one per attendee).
"""

from __future__ import annotations

import json

from confops.accounts import brands
from confops.attendance.rules import (
    meets_threshold,
    new_serial,
    normalize_serial,
    parse_attendance_csv,
)
from confops.attendance.tables import (
    AttendanceCertificate,
    AttendanceCredential,
    AttendanceRule,
    AttendanceUpload,
    SessionAttendance,
)
from confops.core import clock, extension, outbox
from confops.core.auth import Principal, Role
from confops.core.errors import Conflict, Invalid, NotFound
from confops.core.mail import Message
from confops.core.rendering import render_mail
from confops.db import transaction
from confops.events.access import event_for_roles
from confops.events.event_form import text_problem
from confops.events.kinds import SessionKind
from confops.events.tables import Event, Session
from confops.registration.tables import Attendee, AttendeeStatus, OrderStatus

ATTENDANCE_ROLES = (Role.registrar,)
NOT_COUNTED = (SessionKind.break_.value, SessionKind.meal.value)


async def _event(principal: Principal | None, slug: str) -> dict:
    return await event_for_roles(slug, principal, ATTENDANCE_ROLES)


def _minutes(s: dict) -> int:
    return int((s["ends_at"] - s["starts_at"]).total_seconds() // 60)


async def counted_sessions(event_id: int) -> list[dict]:
    return await Session.select().where((Session.event == event_id) & Session.kind.not_in(list(NOT_COUNTED))
                                        ).order_by(Session.starts_at)


def _registrants(event_id: int):
    return ((Attendee.event == event_id) & (Attendee.status == AttendeeStatus.active.value)
            & (Attendee.order.status == OrderStatus.confirmed.value))


async def record(session: dict, attendee_id: int, minutes: int, source: str, by: int | None) -> None:
    """Upsert one person's attendance at a session (the longest time recorded stands)."""
    minutes = max(0, min(minutes, _minutes(session)))
    async with transaction():
        rows = await SessionAttendance.insert(SessionAttendance(
            session=session["id"], attendee=attendee_id, minutes=minutes, source=source, recorded_by=by,
            recorded_at=clock.now())).on_conflict(action="DO NOTHING").returning(SessionAttendance.id)
        if not rows:
            await SessionAttendance.update({SessionAttendance.minutes: minutes, SessionAttendance.source: source,
                                            SessionAttendance.recorded_by: by, SessionAttendance.recorded_at: clock.now()}
                                           ).where((SessionAttendance.session == session["id"])
                                                   & (SessionAttendance.attendee == attendee_id)
                                                   & (SessionAttendance.minutes < minutes))


async def save_rule(principal: Principal | None, slug: str, form: dict[str, str]) -> None:
    event = await _event(principal, slug)
    total = len(await counted_sessions(event["id"]))
    raw = (form.get("sessions_required") or "").strip()
    required = None
    if raw:
        if not raw.isdigit() or not 1 <= int(raw) <= max(total, 1):
            raise Invalid(f"Enter a number of sessions from 1 to {total} (empty: all of them).",
                          field="sessions_required")
        required = int(raw)
    offers = form.get("offers_certificate") == "1"
    board = (form.get("board_credit") or "").strip()
    if msg := text_problem(board, 200):
        raise Invalid(msg, field="board_credit")
    values = {"sessions_required": required, "offers_certificate": offers, "board_credit": board}
    before = await AttendanceRule.select().where(AttendanceRule.event == event["id"]).first()
    async with transaction():
        if before is None:
            await AttendanceRule.insert(AttendanceRule(event=event["id"], **values))
        else:
            await AttendanceRule.update({getattr(AttendanceRule, k): v for k, v in values.items()}).where(
                AttendanceRule.id == before["id"])
        await extension.emit("staff_change", actor_id=principal.user_id, action="attendance_rule_set", entity="event",
                             entity_id=event["id"], before=before and {k: before[k] for k in values}, after=values)


async def upload_list(principal: Principal | None, slug: str, session_id: int, data: bytes) -> dict:
    """Match an attendance export to the registrants; returns {matched, unmatched}."""
    event = await _event(principal, slug)
    session = await Session.select().where((Session.id == session_id) & (Session.event == event["id"])).first()
    if session is None:
        raise NotFound("There is no such session in this event.")
    rows = parse_attendance_csv(data)
    people = await Attendee.select(Attendee.id, Attendee.email).where(_registrants(event["id"]))
    by_email = {p["email"].lower(): p["id"] for p in people if p["email"]}
    matched, unmatched = 0, []
    for row in rows:
        attendee_id = by_email.get(row["email"])
        if attendee_id is None:
            unmatched.append(row)
            continue
        await record(session, attendee_id, row["minutes"], "upload", principal.user_id)
        matched += 1
    upload = AttendanceUpload(session=session_id, uploaded_by=principal.user_id, matched=matched,
                              unmatched=json.dumps(unmatched))
    await upload.save()
    await extension.emit("staff_change", actor_id=principal.user_id, action="attendance_uploaded", entity="session",
                         entity_id=session_id, before=None, after={"matched": matched, "unmatched": len(unmatched)})
    return {"matched": matched, "unmatched": len(unmatched)}


def row_key(row: dict) -> str:
    return f"{row['email']}|{row['name']}"


async def match_by_hand(principal: Principal | None, slug: str, upload_id: int, index: int, attendee_id: int,
                        key: str) -> None:
    """Staff say which registrant an unmatched row is (a personal e-mail, a typo). `key` names
    the row as the page showed it, so a page left open while someone else matched rows never
    matches the wrong one."""
    event = await _event(principal, slug)
    upload = await AttendanceUpload.select().where(AttendanceUpload.id == upload_id).first()
    session = upload and await Session.select().where(
        (Session.id == upload["session"]) & (Session.event == event["id"])).first()
    if not session:
        raise NotFound("There is no such upload for this event.")
    rows = json.loads(upload["unmatched"] or "[]")
    if not 0 <= index < len(rows) or row_key(rows[index]) != key:
        raise Conflict("That row was matched already; look again.", field="attendee")
    if not await Attendee.exists().where(_registrants(event["id"]) & (Attendee.id == attendee_id)):
        raise Invalid("Choose one of the event's confirmed registrants.", field="attendee")
    row = rows.pop(index)
    async with transaction():
        changed = await AttendanceUpload.update({AttendanceUpload.unmatched: json.dumps(rows),
                                                 AttendanceUpload.matched: AttendanceUpload.matched + 1}).where(
            (AttendanceUpload.id == upload_id) & (AttendanceUpload.unmatched == upload["unmatched"])
        ).returning(AttendanceUpload.id)
        if not changed:
            raise Conflict("Someone matched rows of this list meanwhile; look again.", field="attendee")
    await record(session, attendee_id, row["minutes"], "upload", principal.user_id)
    await extension.emit("staff_change", actor_id=principal.user_id, action="attendance_matched", entity="session",
                         entity_id=session["id"], before={"row": row}, after={"attendee": attendee_id})


async def progress(event_id: int) -> tuple[dict | None, list[dict], list[dict]]:
    """The rule, the counted sessions, and per registrant: sessions attended, minutes, met."""
    rule = await AttendanceRule.select().where(AttendanceRule.event == event_id).first()
    sessions = await counted_sessions(event_id)
    length = {s["id"]: _minutes(s) for s in sessions}
    people = await Attendee.select(Attendee.id, Attendee.first_name, Attendee.last_name, Attendee.email,
                                   Attendee.credentials).where(_registrants(event_id)).order_by(Attendee.last_name)
    marks = await SessionAttendance.select().where(SessionAttendance.session.is_in(list(length) or [0]))
    by_person: dict[int, list[dict]] = {}
    for m in marks:
        by_person.setdefault(m["attendee"], []).append(m)
    out = []
    for p in people:
        counted = [m for m in by_person.get(p["id"], []) if m["minutes"] * 2 >= length[m["session"]]]
        required = rule["sessions_required"] if rule else None
        out.append({**p, "attended": len(counted), "minutes": sum(m["minutes"] for m in counted),
                    "met": meets_threshold(len(counted), required, len(sessions))})
    return rule, sessions, out


async def staff_view(principal: Principal | None, slug: str) -> dict:
    event = await _event(principal, slug)
    rule, sessions, people = await progress(event["id"])
    uploads = await AttendanceUpload.select().where(
        AttendanceUpload.session.is_in([s["id"] for s in sessions] or [0])).order_by(AttendanceUpload.id)
    for u in uploads:
        u["rows"] = json.loads(u["unmatched"] or "[]")
    issued = {c["attendee"]: c for c in await AttendanceCertificate.select().where(
        AttendanceCertificate.event == event["id"])}
    return {"event": event, "rule": rule, "sessions": sessions, "people": people, "uploads": uploads,
            "issued": issued}


async def issue_certificates(principal: Principal | None, slug: str) -> int:
    """A certificate for every registrant who met the threshold, once the event has ended."""
    event = await _event(principal, slug)
    rule, sessions, people = await progress(event["id"])
    if not rule or not (rule["offers_certificate"] or rule["board_credit"]):
        raise Conflict("This event offers neither certificates of attendance nor board credit (set it above first).",
                       field="offers_certificate")
    if clock.now() < event["ends_at"]:
        raise Conflict("Certificates are issued once the event has ended.", field="form")
    made = 0
    for p in people:
        if not p["met"]:
            continue
        rows = await AttendanceCertificate.insert(AttendanceCertificate(
            serial=new_serial(), event=event["id"], attendee=p["id"],
            learner_name=f"{p['first_name']} {p['last_name']}".strip()
            + (f", {p['credentials']}" if p["credentials"] else ""),
            sessions_attended=p["attended"], sessions_total=len(sessions), minutes_attended=p["minutes"],
            board_credit=rule["board_credit"], issued_at=clock.now())).on_conflict(action="DO NOTHING").returning(
            AttendanceCertificate.serial)
        for row in rows:  # signed now, so the status list and /credentials/<serial> know it at once
            await credential_of(row["serial"])
        made += len(rows)
    await extension.emit("staff_change", actor_id=principal.user_id, action="attendance_certificates_issued",
                         entity="event", entity_id=event["id"], before=None, after={"issued": made})
    return made


def credential_content(c: dict) -> dict:
    """What the signed credential says, from the frozen certificate (cme.credentials.build)."""
    from confops.attendance.certificate_pdf import _dates, hours_text

    attended = f"Attended {c['sessions_attended']} of {c['sessions_total']} sessions ({hours_text(c['minutes_attended'])})"
    return {"learner": c["learner_name"], "title": "Certificate of attendance", "activity": c["event_title"],
            "dates": _dates(c), "location": "Online" if c["online"] else ", ".join(
                x for x in (c["city"], c["region"]) if x),
            "provider": c["provider"], "credit_label": "Certificate of attendance",
            "summary": attended + (f"; board credit granted: {c['board_credit']}" if c["board_credit"] else ""),
            "designation_statement": attended + ".",
            "accreditation_statement": f"Board credit granted: {c['board_credit']}." if c["board_credit"] else ""}


async def credential_of(serial: str) -> dict | None:
    """The certificate's signed Open Badges credential, made once by CME's signer; a revoked
    certificate that never had one gets none (there is nothing to revoke)."""
    from confops.cme import credentials

    c = await certificate_content(serial)
    existing = await AttendanceCredential.select().where(AttendanceCredential.certificate == c["id"]).first()
    if existing or c["revoked_at"]:
        return existing
    return await credentials.issue(AttendanceCredential, AttendanceCredential.certificate, c["id"],
                                   content=credential_content(c), kind="attendance", serial=c["serial"],
                                   issued_at=c["issued_at"], event_id=c["event"], email=c["email"])


async def revoke_certificate(principal: Principal | None, slug: str, certificate_id: int, reason: str) -> None:
    """Staff take back a certificate of attendance (given in error, attendance corrected): why,
    who and when, the audit log and the learner's e-mail in one transaction. /verify says
    revoked and its credential's bit is set in the published status list from then on."""
    event = await _event(principal, slug)
    reason = (reason or "").strip()
    if msg := text_problem(reason, 1000, required=True, multiline=True):
        raise Invalid("Say why the certificate is revoked. " + msg if not reason else msg, field="reason")
    row = await AttendanceCertificate.select().where((AttendanceCertificate.id == certificate_id)
                                                     & (AttendanceCertificate.event == event["id"])).first()
    if row is None:
        raise NotFound("There is no such certificate at this event.")
    now = clock.now()
    async with transaction():
        done = await AttendanceCertificate.update({
            AttendanceCertificate.revoked_at: now, AttendanceCertificate.revoked_reason: reason,
            AttendanceCertificate.revoked_by: principal.user_id}).where(
            (AttendanceCertificate.id == certificate_id) & AttendanceCertificate.revoked_at.is_null()).returning(
            AttendanceCertificate.id)
        if not done:
            raise Conflict("This certificate was revoked already.", field="reason", code="already_revoked")
        await extension.emit("staff_change", actor_id=principal.user_id, action="attendance_certificate_revoked",
                             entity="attendance_certificate", entity_id=certificate_id, before={"revoked": False},
                             after={"revoked": True, "reason": reason})
        email = (await Attendee.select(Attendee.email).where(Attendee.id == row["attendee"]).first())["email"]
        brand = await brands.of_event(event)
        text, html = render_mail("attendance_certificate_revoked", brand=brand, learner=row["learner_name"], serial=row["serial"],
                                 event=event, revoked_on=now.date().isoformat(), reason=reason)
        await outbox.enqueue(Message(to=email, subject=f"Your certificate of attendance was revoked: {event['title']}",
                                     text=text, html=html, brand=brand), dedupe_key=f"attendance-revoked:{certificate_id}")


async def certificate_content(serial: str) -> dict:
    serial = normalize_serial(serial) or ""
    row = await AttendanceCertificate.select(
        *AttendanceCertificate.all_columns(), AttendanceCertificate.event.title.as_alias("event_title"),
        AttendanceCertificate.event.starts_at.as_alias("starts_at"),
        AttendanceCertificate.event.ends_at.as_alias("ends_at"),
        AttendanceCertificate.event.timezone.as_alias("timezone"),
        AttendanceCertificate.event.online.as_alias("online"),
        AttendanceCertificate.event.city.as_alias("city"), AttendanceCertificate.event.region.as_alias("region"),
        AttendanceCertificate.event.organizer.name.as_alias("provider"),
        AttendanceCertificate.event.organizer.slug.as_alias("organizer"),
        AttendanceCertificate.attendee.email.as_alias("email"),
    ).where(AttendanceCertificate.serial == serial).first()
    if row is None:
        raise NotFound("There is no certificate with that serial.", code="unknown_serial")
    return row


async def mine(email: str) -> list[dict]:
    email = (email or "").strip().lower()
    return await AttendanceCertificate.select(
        AttendanceCertificate.serial, AttendanceCertificate.issued_at, AttendanceCertificate.board_credit,
        AttendanceCertificate.sessions_attended, AttendanceCertificate.sessions_total,
        AttendanceCertificate.event.title.as_alias("event_title")).where(
        (AttendanceCertificate.attendee.email == email) & AttendanceCertificate.revoked_at.is_null()).order_by(
        AttendanceCertificate.issued_at, ascending=False)


async def public_view(serial: str) -> dict:
    """What the public /verify page shows of a certificate of attendance (nothing more)."""
    from confops.attendance.certificate_pdf import _dates, hours_text

    c = await certificate_content(serial)
    credit = f"{c['sessions_attended']} of {c['sessions_total']} sessions, {hours_text(c['minutes_attended'])}"
    if c["board_credit"]:
        credit += f"; board credit: {c['board_credit']}"
    return {"serial": c["serial"], "status": "revoked" if c["revoked_at"] else "valid", "name": c["learner_name"],
            "revoked_on": c["revoked_at"].date().isoformat() if c["revoked_at"] else "",
            "activity": c["event_title"], "dates": _dates(c), "credit": credit,
            "issuer": c["provider"], "issued_on": c["issued_at"].date().isoformat(), "organizer": c["organizer"]}


async def my_progress(email: str) -> list[dict]:
    """Where this person stands in each event with an attendance threshold they are registered
    for: sessions counted of the total, what the threshold gives (certificate, board credit) and
    whether they met it."""
    email = (email or "").strip().lower()
    mine_ids = await Attendee.select(Attendee.id, Attendee.event).where(
        (Attendee.email == email) & (Attendee.status == AttendeeStatus.active.value)
        & (Attendee.order.status == OrderStatus.confirmed.value))
    out = []
    for event_id in sorted({a["event"] for a in mine_ids}):
        rule = await AttendanceRule.select().where(AttendanceRule.event == event_id).first()
        if not rule or not (rule["offers_certificate"] or rule["board_credit"]):
            continue
        _, sessions, people = await progress(event_id)
        me = next((p for p in people if p["email"].lower() == email), None)
        if me is None:
            continue
        event = await Event.select(Event.title).where(Event.id == event_id).first()
        needed = rule["sessions_required"] or len(sessions)
        out.append({"event_title": event["title"], "attended": me["attended"], "total": len(sessions),
                    "needed": needed, "met": me["met"], "board_credit": rule["board_credit"],
                    "offers_certificate": rule["offers_certificate"]})
    return out


def is_attendance_serial(raw: str) -> bool:
    return (raw or "").strip().upper().startswith("ATT")
