"""Attendance evidence: scans (in/out), entry scans, small-group roll calls, staff corrections
with a reason, attestations; and from them, the sessions a learner attended."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from confops.accounts.tables import User
from confops.cme.access import staff_event
from confops.cme.kinds import Evidence
from confops.cme.presence import close_open, pair_scans, presence_share
from confops.cme.rules import SCAN_EARLY_MINUTES, in_window
from confops.cme.tables import AttendanceMark
from confops.core import clock
from confops.core.auth import Principal
from confops.core.errors import FieldError, NotFound, collect
from confops.core.extension import emit
from confops.db import transaction
from confops.events.tables import Event, Session
from confops.registration.tables import Attendee
from confops.speakers.tables import SessionSpeaker, Speaker


async def _cme_session(session_id: int) -> dict | None:
    row = await Session.select(Session.id, Session.event, Session.starts_at, Session.ends_at,
                               Session.event.cme_enabled).where(Session.id == session_id).first()
    return row if row and row["event.cme_enabled"] else None


def _placement(at: datetime, session: dict, early: int) -> int:
    """-1 before the session's window, 0 inside it, 1 after it."""
    if in_window(at, session["starts_at"], session["ends_at"], early):
        return 0
    return -1 if at < session["starts_at"] else 1


async def record_session_scan(attendee_id: int, session_id: int, direction: str, scanned_at: datetime) -> None:
    """One mark per person, session, direction and placement (before, inside or after the
    session's window), at the earliest time: check-in sends a scan again when an earlier
    offline scan takes its place. A scan outside the window is kept (the coordinator sees it
    as "outside the session") but never hides the scan taken during the session."""
    session = await _cme_session(session_id)
    if not session or direction not in ("in", "out"):
        return
    early = await scan_early_minutes(session["event"])
    where = ((AttendanceMark.attendee == attendee_id) & (AttendanceMark.session == session_id)
             & (AttendanceMark.kind == direction))
    place = _placement(scanned_at, session, early)
    same = [m for m in await AttendanceMark.select(AttendanceMark.id, AttendanceMark.at).where(where).order_by(
        AttendanceMark.at) if _placement(m["at"], session, early) == place]
    if not same:
        await AttendanceMark(attendee=attendee_id, event=session["event"], session=session_id, kind=direction,
                             at=scanned_at, reason="").save()
    elif scanned_at < same[0]["at"]:
        await AttendanceMark.update({AttendanceMark.at: scanned_at}).where(AttendanceMark.id == same[0]["id"])


async def scan_early_minutes(event_id: int) -> int:
    """The event's setting (minutes before a session's start a scan into it still counts)."""
    from confops.cme.tables import CmeActivity

    row = await CmeActivity.select().where(CmeActivity.event == event_id).first()
    return early_minutes(row or {})


async def _entry_marks_on_day(attendee_id: int, event_id: int, at: datetime) -> list[dict]:
    event = await Event.select(Event.timezone).where(Event.id == event_id).first()
    start, end = clock.local_day_bounds(at, event["timezone"])
    return await AttendanceMark.select(AttendanceMark.id, AttendanceMark.at).where(
        _entry_marks_between(attendee_id, event_id, start, end)).order_by(AttendanceMark.at)


def _entry_marks_between(attendee_id: int, event_id: int, start: datetime, end: datetime):
    return ((AttendanceMark.attendee == attendee_id) & (AttendanceMark.event == event_id)
            & (AttendanceMark.kind == "entry") & (AttendanceMark.at >= start) & (AttendanceMark.at < end))


_EVENT_SQL = "SELECT cme_enabled, timezone FROM event WHERE id = {}"
_FIRST_ENTRY_SQL = (
    f"INSERT INTO {AttendanceMark._meta.tablename} (attendee, event, session, kind, present, at, reason, recorded_by) "
    f"SELECT {{}}, {{}}, NULL, 'entry', {{}}, {{}}, '', NULL WHERE NOT EXISTS (SELECT 1 FROM "
    f"{AttendanceMark._meta.tablename} m WHERE m.attendee = {{}} AND m.event = {{}} AND m.kind = 'entry' "
    f"AND m.at >= {{}} AND m.at < {{}}) RETURNING id"
)


async def record_entry_scan(attendee_id: int, event_id: int, scanned_at: datetime, *, event: dict | None = None) -> None:
    """One entry mark per person and day of the event (its own timezone), at the earliest time.

    It runs inside every accepted door scan's transaction, so it is two prepared statements in
    the usual case (the event, then insert-unless-marked-that-day) rather than four built by
    the ORM, which cost a large part of a scan's CPU (bench/checkin_scan.py).
    `event` (cme_enabled, timezone) is what the scan's own statement read, saving the first."""
    if event is None:
        rows = await Event.raw(_EVENT_SQL, event_id)
        if not rows:
            return
        event = rows[0]
    if not event["cme_enabled"]:
        return
    start, end = clock.local_day_bounds(scanned_at, event["timezone"])
    if await AttendanceMark.raw(_FIRST_ENTRY_SQL, attendee_id, event_id, True, scanned_at, attendee_id, event_id,
                                start, end):
        return
    await _keep_earliest_entry(attendee_id, event_id, start, end, scanned_at)


async def _keep_earliest_entry(attendee_id: int, event_id: int, start: datetime, end: datetime,
                               at: datetime) -> None:
    """Already marked that day (an earlier offline scan arriving late, say): keep the earliest."""
    await AttendanceMark.update({AttendanceMark.at: at}).where(
        _entry_marks_between(attendee_id, event_id, start, end) & (AttendanceMark.at > at))


_FIRST_ENTRIES_SQL = (
    f"INSERT INTO {AttendanceMark._meta.tablename} (attendee, event, session, kind, present, at, reason, recorded_by) "
    "SELECT s.attendee, s.event, NULL, 'entry', true, s.at, '', NULL FROM unnest({}::int[], {}::int[],"
    " {}::timestamptz[], {}::timestamptz[], {}::timestamptz[]) AS s(attendee, event, at, day_start, day_end)"
    f" WHERE NOT EXISTS (SELECT 1 FROM {AttendanceMark._meta.tablename} m WHERE m.attendee = s.attendee"
    " AND m.event = s.event AND m.kind = 'entry' AND m.at >= s.day_start AND m.at < s.day_end)"
    " RETURNING attendee, event, at"
)


async def record_entry_scans(scans: list[dict]) -> None:
    """record_entry_scan for many door scans at once (attendee_id, event_id, scanned_at, event
    as it takes them): one statement for the first marks of their days, so the scans a door
    writes together record their evidence together too (checkin/fast_scan.py; PostgreSQL only,
    as that is: the statement takes arrays)."""
    first: dict[tuple, tuple] = {}
    for scan in scans:
        event = scan.get("event")
        if event is None:  # the event not read with the scan: the usual way
            await record_entry_scan(scan["attendee_id"], scan["event_id"], scan["scanned_at"])
            continue
        if not event["cme_enabled"]:
            continue
        start, end = clock.local_day_bounds(scan["scanned_at"], event["timezone"])
        key = (scan["attendee_id"], scan["event_id"], start)
        if key not in first or scan["scanned_at"] < first[key][2]:
            first[key] = (scan["attendee_id"], scan["event_id"], scan["scanned_at"], start, end)
    if not first:
        return
    columns = list(zip(*first.values(), strict=True))
    made = {(r["attendee"], r["event"], r["at"]) for r in await AttendanceMark.raw(_FIRST_ENTRIES_SQL, *columns)}
    for attendee_id, event_id, at, start, end in first.values():
        if (attendee_id, event_id, at) not in made:
            await _keep_earliest_entry(attendee_id, event_id, start, end, at)


async def withdraw_scan(attendee_id: int, event_id: int, session_id: int | None, direction: str,
                        scanned_at: datetime) -> int:
    """A door undid a scan: drop the mark it made (session scans: that direction; entry: that day)."""
    if session_id is not None:
        where = ((AttendanceMark.attendee == attendee_id) & (AttendanceMark.session == session_id)
                 & (AttendanceMark.kind == direction))
        gone = await AttendanceMark.count().where(where)
        await AttendanceMark.delete().where(where)
        return gone
    if direction != "in" or not await Event.exists().where(Event.id == event_id):
        return 0
    ids = [m["id"] for m in await _entry_marks_on_day(attendee_id, event_id, scanned_at)]
    if ids:
        await AttendanceMark.delete().where(AttendanceMark.id.is_in(ids))
    return len(ids)


async def record_group_meeting(attendee_id: int, session_id: int, present: bool, attended_at: datetime,
                               marked_by: int | None) -> None:
    """The leader's roll call; marking the roster again replaces the earlier mark."""
    session = await _cme_session(session_id) if session_id else None
    if not session:
        return
    where = ((AttendanceMark.attendee == attendee_id) & (AttendanceMark.session == session_id)
             & (AttendanceMark.kind == "group"))
    if await AttendanceMark.exists().where(where):
        await AttendanceMark.update({AttendanceMark.present: bool(present), AttendanceMark.at: attended_at,
                                     AttendanceMark.recorded_by: marked_by}).where(where)
        return
    await AttendanceMark(attendee=attendee_id, event=session["event"], session=session_id, kind="group",
                         present=bool(present), at=attended_at, reason="", recorded_by=marked_by).save()


async def correct(principal: Principal, slug: str, attendee_id: int, session_id: int, present: bool,
                  reason: str) -> None:
    """A staff correction always names a reason, and goes to the audit log."""
    event = await staff_event(principal, slug)
    reason = (reason or "").strip()
    problems = []
    if not reason:
        problems.append(FieldError("reason", "Say why attendance is corrected."))
    collect(problems)
    attendee = await Attendee.select(Attendee.id).where(
        (Attendee.id == attendee_id) & (Attendee.event == event["id"])).first()
    session = await Session.select(Session.id).where(
        (Session.id == session_id) & (Session.event == event["id"])).first()
    if not attendee or not session:
        raise NotFound("No such attendee or session at this event.")
    async with transaction():
        mark = AttendanceMark(attendee=attendee_id, event=event["id"], session=session_id, kind="staff",
                              present=present, at=clock.now(), reason=reason[:1000], recorded_by=principal.user_id)
        await mark.save()
        await emit("staff_change", actor_id=principal.user_id, action="cme_attendance_correction",
                   entity="attendee", entity_id=attendee_id, before=None,
                   after={"session_id": session_id, "present": present, "reason": reason})


async def attest(attendee_id: int, event_id: int, session_ids: list[int]) -> None:
    """The learner's own statement of attendance (events evidenced by attestation only): only
    for sessions that have started (they count once they have ended, like any evidence)."""
    chosen = await Session.select(Session.id, Session.code, Session.starts_at).where(
        (Session.event == event_id) & Session.id.is_in(session_ids or [0])).order_by(Session.starts_at)
    now = clock.now()
    future = [s["code"] or str(s["id"]) for s in chosen if s["starts_at"] > now]
    if future:
        collect([FieldError("sessions", "You can only state that you attended sessions that have taken place: "
                                        f"{', '.join(future)} {'has' if len(future) == 1 else 'have'} not started yet.")])
    async with transaction():
        await AttendanceMark.delete().where((AttendanceMark.attendee == attendee_id)
                                            & (AttendanceMark.kind == "attested"))
        for s in chosen:
            await AttendanceMark(attendee=attendee_id, event=event_id, session=s["id"], kind="attested", at=now,
                                 reason="").save()


TRANSFERRED = "transferred"  # the kind of a mark taken by a registration's previous holder


async def part_from_registration(attendee_id: int, previous_email: str) -> None:
    """The registration went to another person. Its evidence so far stays on record (kept six
    years like any, the previous holder's e-mail in its reason) but counts for no one: kind
    "transferred", not present. The previous holder's claim and evaluation record go (the claim
    is frozen in their revoked certificate and in the audit log), so the new holder claims on
    their own evidence and evaluates for themselves."""
    from confops.cme.tables import CmeClaim, EvaluationDone

    marks = await AttendanceMark.select().where((AttendanceMark.attendee == attendee_id)
                                                & (AttendanceMark.kind != TRANSFERRED))
    claim = await CmeClaim.select().where(CmeClaim.attendee == attendee_id).first()
    async with transaction():
        for m in marks:
            note = f"{m['kind']} by {previous_email}, before the registration was transferred. {m['reason']}"
            await AttendanceMark.update({AttendanceMark.kind: TRANSFERRED, AttendanceMark.present: False,
                                         AttendanceMark.reason: note.strip()[:1000]}).where(
                AttendanceMark.id == m["id"])
        await CmeClaim.delete().where(CmeClaim.attendee == attendee_id)
        await EvaluationDone.delete().where(EvaluationDone.attendee == attendee_id)
        if marks or claim:
            await emit("staff_change", actor_id=None, action="cme_registration_transferred", entity="attendee",
                       entity_id=attendee_id, before={"holder": previous_email, "marks": len(marks), "claim": claim and {
                           "credit_type": claim["credit_type"], "quarters": claim["quarters"],
                           "attested_at": claim["attested_at"].isoformat()}}, after=None)


async def presented_sessions(email: str, event_id: int) -> set[int]:
    """Sessions this person teaches in (any faculty role): no learner credit for them."""
    email = (email or "").strip().lower()
    users = [u["id"] for u in await User.select(User.id).where(User.email == email)]
    where = Speaker.email == email
    if users:
        where |= Speaker.user.is_in(users)
    speakers = [s["id"] for s in await Speaker.select(Speaker.id).where(where)]
    if not speakers:
        return set()
    rows = await SessionSpeaker.select(SessionSpeaker.session).where(
        SessionSpeaker.speaker.is_in(speakers) & (SessionSpeaker.session.event == event_id))
    return {r["session"] for r in rows}


async def presenters_of(event_id: int) -> dict[str, set[int]]:
    """E-mail (speaker's and their account's) -> sessions they teach at this event, in one query."""
    rows = await SessionSpeaker.select(SessionSpeaker.session, SessionSpeaker.speaker.email.as_alias("email"),
                                       SessionSpeaker.speaker.user.email.as_alias("user_email")).where(
        SessionSpeaker.session.event == event_id)
    out: dict[str, set[int]] = defaultdict(set)
    for r in rows:
        for email in {(r["email"] or "").lower(), (r["user_email"] or "").lower()} - {""}:
            out[email].add(r["session"])
    return out


def early_minutes(activity: dict) -> int:
    """The activity's scan window setting (0 is a setting: only from the session's start)."""
    minutes = activity.get("scan_early_minutes")
    return SCAN_EARLY_MINUTES if minutes is None else minutes


def attended_from(marks: list[dict], sessions: list[dict], activity: dict, tz: str) -> set[int]:
    """Which sessions the marks show attended, by the event's evidence rule; staff corrections
    (the latest one) override everything else for their session.

    Scans and entries count only inside a session's window (a scan months early proves
    nothing); an attestation only for a session that had started when it was made."""
    by_session: dict[int, list[dict]] = defaultdict(list)
    entries: dict = {}
    scans_in: list[tuple[int, datetime]] = []
    for m in marks:
        if not m["present"] and m["kind"] not in ("staff", "group"):
            continue  # a scan or statement taken back (a transferred registration's) shows nothing
        if m["kind"] == "entry":
            day = clock.local(m["at"], tz).date()
            entries[day] = min(entries.get(day, m["at"]), m["at"])
        elif m["session"]:
            by_session[m["session"]].append(m)
            if m["kind"] == "in":
                scans_in.append((m["session"], m["at"]))
    evidence = activity["evidence"]
    share = activity["min_presence_percent"] / 100
    early = early_minutes(activity)
    attended = set()
    for s in sessions:
        start, end = s["starts_at"], s["ends_at"]
        own = sorted(by_session.get(s["id"], []), key=lambda m: (m["at"], m["id"]))
        staff = [m for m in own if m["kind"] == "staff"]
        if staff:
            if staff[-1]["present"]:
                attended.add(s["id"])
            continue
        if evidence == Evidence.attestation.value:
            if any(m["kind"] == "attested" and m["at"] >= start for m in own):
                attended.add(s["id"])
            continue
        groups = [m for m in own if m["kind"] == "group"]
        if groups:
            if groups[-1]["present"]:
                attended.add(s["id"])
            continue
        scans = [(m["kind"], m["at"]) for m in own if m["kind"] in ("in", "out") and in_window(m["at"], start, end, early)]
        elsewhere = [at for sid, at in scans_in if sid != s["id"]]
        if scans and presence_share(close_open(pair_scans(scans), end, elsewhere), start, end) >= share - 1e-9:
            attended.add(s["id"])
        elif evidence == Evidence.entry_scans.value:
            entered = entries.get(clock.local(start, tz).date())
            # The day's first entry is an "in" without "out": from its time, if inside the day's sessions.
            if entered is not None and entered <= end and presence_share([(entered, end)], start, end) >= share - 1e-9:
                attended.add(s["id"])
    return attended


def outside_marks(marks: list[dict], sessions: list[dict], activity: dict, tz: str) -> list[dict]:
    """Scans that fall outside every window they could count for (kept, shown to the
    coordinator as "outside the session", worth nothing)."""
    early = early_minutes(activity)
    by_id = {s["id"]: s for s in sessions}
    out = []
    for m in marks:
        if m["kind"] in ("in", "out") and m["session"] in by_id:
            s = by_id[m["session"]]
            if not in_window(m["at"], s["starts_at"], s["ends_at"], early):
                out.append(m)
        elif m["kind"] == "entry":
            day = clock.local(m["at"], tz).date()
            if not any(clock.local(s["starts_at"], tz).date() == day and m["at"] <= s["ends_at"] for s in sessions):
                out.append(m)
    return out


async def marks_of(attendee_id: int, event_id: int) -> list[dict]:
    return await AttendanceMark.select().where(
        (AttendanceMark.attendee == attendee_id) & (AttendanceMark.event == event_id))


async def marks_by_attendee(event_id: int, attendee_ids: list[int] | None = None) -> dict[int, list[dict]]:
    out: dict[int, list[dict]] = defaultdict(list)
    where = AttendanceMark.event == event_id
    if attendee_ids is not None:
        where &= AttendanceMark.attendee.is_in(attendee_ids or [0])
    for m in await AttendanceMark.select().where(where):
        out[m["attendee"]].append(m)
    return out
