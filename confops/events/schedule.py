"""The staff schedule editor: place sessions in rooms, times and tracks without conflicts,
publish the program as a version, and log and announce every change made after publishing."""

from __future__ import annotations

import json
from datetime import datetime

from confops.accounts import brands
from confops.accounts.tables import User
from confops.core import clock, extension, outbox
from confops.core.auth import Principal, Role
from confops.core.errors import Conflict, FieldError, Invalid, NotFound, collect
from confops.core.mail import Message
from confops.core.rendering import render_mail
from confops.db import insert_or_ignore, transaction
from confops.events.access import event_for_roles
from confops.events.kinds import SessionKind
from confops.events.schedule_rules import Planned, conflicts
from confops.events.tables import Room, ScheduleChange, ScheduleVersion, Session, Track
from confops.speakers import disclosures
from confops.speakers.roles import SpeakerRole
from confops.speakers.tables import SessionSpeaker, Speaker, SpeakerInvitation

SCHEDULERS = (Role.registrar,)


async def _event(principal: Principal | None, slug: str) -> dict:
    return await event_for_roles(slug, principal, SCHEDULERS)


def parse_local(raw: str, tz: str, field: str, problems: list[FieldError]) -> datetime | None:
    try:
        naive = datetime.fromisoformat((raw or "").strip())
    except ValueError:
        problems.append(FieldError(field, "Enter a date and time like 2027-05-06T14:30."))
        return None
    if naive.tzinfo is not None:
        return naive
    return naive.replace(tzinfo=clock.zone(tz))


async def editor(principal: Principal | None, slug: str) -> dict:
    event = await _event(principal, slug)
    rooms = await Room.select().where(Room.event == event["id"]).order_by(Room.position).order_by(Room.id)
    tracks = await Track.select().where(Track.event == event["id"]).order_by(Track.position).order_by(Track.id)
    sessions = await Session.select().where(Session.event == event["id"]).order_by(Session.starts_at)
    people = await disclosures.session_people([s["id"] for s in sessions], withdrawn=True)
    answers = await SpeakerInvitation.select(
        SpeakerInvitation.status, SpeakerInvitation.session_speaker.session, SpeakerInvitation.session_speaker.speaker,
    ).where(SpeakerInvitation.session_speaker.session.is_in([s["id"] for s in sessions] or [0]))
    status = {(a["session_speaker.session"], a["session_speaker.speaker"]): a["status"] for a in answers}
    for sid, ps in people.items():  # staff see who has not confirmed or has withdrawn
        for p in ps:
            p["answer"] = status.get((sid, p["id"]), "")
    speakers = await Speaker.select(Speaker.id, Speaker.first_name, Speaker.last_name).where(
        Speaker.organizer == event["organizer"]).order_by(Speaker.last_name)
    versions = await ScheduleVersion.select(ScheduleVersion.number, ScheduleVersion.published_at).where(
        ScheduleVersion.event == event["id"]).order_by(ScheduleVersion.number, ascending=False)
    changes = await ScheduleChange.select().where(ScheduleChange.event == event["id"]).order_by(
        ScheduleChange.changed_at, ascending=False)
    return {"event": event, "rooms": rooms, "tracks": tracks, "sessions": sessions, "people": people,
            "speakers": speakers, "versions": versions, "changes": changes}


ROOM_TAKEN = "This event already has a room with that name."


async def add_room(principal: Principal | None, slug: str, name: str, capacity: str) -> int:
    event = await _event(principal, slug)
    problems = []
    name = (name or "").strip()
    if not name or len(name) > 120:
        problems.append(FieldError("name", "Enter the room's name (at most 120 characters)."))
    cap = _int_or_none(capacity, "capacity", problems)
    if name and await Room.exists().where((Room.event == event["id"]) & (Room.name == name)):
        problems.append(FieldError("name", ROOM_TAKEN))
    collect(problems)
    room_id = await insert_or_ignore(Room(event=event["id"], name=name, capacity=cap,
                                          position=await Room.count().where(Room.event == event["id"])))
    if room_id is None:  # added by someone else since the check above
        raise Invalid(ROOM_TAKEN, field="name")
    await _audit(principal, "room_added", "room", room_id, None, {"name": name, "capacity": cap})
    return room_id


async def _audit(principal: Principal | None, action: str, entity: str, entity_id, before, after) -> None:
    await extension.emit("staff_change", actor_id=principal.user_id if principal else None, action=action,
                         entity=entity, entity_id=entity_id, before=before, after=after)


async def add_track(principal: Principal | None, slug: str, name: str) -> int:
    event = await _event(principal, slug)
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise Invalid("Enter the track's name (at most 120 characters).", field="name")
    track_id = await insert_or_ignore(Track(event=event["id"], name=name,
                                            position=await Track.count().where(Track.event == event["id"])))
    if track_id is None:
        raise Invalid("This event already has a track with that name.", field="name")
    await _audit(principal, "track_added", "track", track_id, None, {"name": name})
    return track_id


def _int_or_none(raw, field: str, problems: list[FieldError]) -> int | None:
    raw = (str(raw) if raw is not None else "").strip()
    if not raw:
        return None
    if not raw.isdigit() or int(raw) > 100_000:
        problems.append(FieldError(field, "Enter a whole number."))
        return None
    return int(raw)


async def _planned_others(event_id: int) -> tuple[list[Planned], dict[int, str]]:
    rows = await Session.select().where(Session.event == event_id)
    people = await disclosures.session_people([r["id"] for r in rows])
    names = {p["id"]: p["name"] for ps in people.values() for p in ps}
    return [Planned(r["id"], r["title"], r["starts_at"], r["ends_at"], r["room"],
                    frozenset(p["id"] for p in people.get(r["id"], [])), r["capacity"]) for r in rows], names


async def save_session(principal: Principal | None, slug: str, session_id: int | None, values: dict) -> int:
    """Create or move a session; refuses conflicts with one message per field."""
    event = await _event(principal, slug)
    problems: list[FieldError] = []
    title = (values.get("title") or "").strip()
    if not title or len(title) > 250:
        problems.append(FieldError("title", "Enter a title (at most 250 characters)."))
    kind = values.get("kind") or ""
    if kind not in {k.value for k in SessionKind}:
        problems.append(FieldError("kind", "Choose the kind of session."))
    starts = parse_local(values.get("starts_at", ""), event["timezone"], "starts_at", problems)
    ends = parse_local(values.get("ends_at", ""), event["timezone"], "ends_at", problems)
    room_id = _int_or_none(values.get("room"), "room", problems)
    track_id = _int_or_none(values.get("track"), "track", problems)
    capacity = _int_or_none(values.get("capacity"), "capacity", problems)
    quarters = _int_or_none(values.get("credit_quarters"), "credit_quarters", problems) or 0
    room = None
    if room_id is not None:
        room = await Room.select().where((Room.id == room_id) & (Room.event == event["id"])).first()
        if room is None:
            problems.append(FieldError("room", "Choose one of this event's rooms."))
    if track_id is not None and not await Track.exists().where((Track.id == track_id) & (Track.event == event["id"])):
        problems.append(FieldError("track", "Choose one of this event's tracks."))
    existing = None
    if session_id is not None:
        existing = await Session.select().where((Session.id == session_id) & (Session.event == event["id"])).first()
        if existing is None:
            raise NotFound("There is no such session in this event.")
    collect(problems)
    others, names = await _planned_others(event["id"])
    mine = next((o for o in others if o.id == session_id), None)
    planned = Planned(session_id, title, starts, ends, room_id, mine.speaker_ids if mine else frozenset(), capacity)
    collect(conflicts(planned, others, event_start=event["starts_at"], event_end=event["ends_at"],
                      room_capacity=room["capacity"] if room else None, speaker_names=names))
    values_out = {Session.title: title, Session.kind: kind, Session.starts_at: starts, Session.ends_at: ends,
                  Session.room: room_id, Session.track: track_id, Session.capacity: capacity,
                  Session.credit_quarters: quarters}
    async with transaction():
        if existing is None:
            row = Session(event=event["id"], code=(values.get("code") or "").strip()[:16], published=False,
                          **{c._meta.name: v for c, v in values_out.items()})
            await row.save()
            await _audit(principal, "session_added", "session", row.id, None,
                         {c._meta.name: v for c, v in values_out.items()})
            return row.id
        await Session.update(values_out).where(Session.id == session_id)
        await _audit(principal, "session_edited", "session", session_id,
                     {c._meta.name: existing[c._meta.name] for c in values_out},
                     {c._meta.name: v for c, v in values_out.items()})
        summary = _describe(existing, starts, ends, room_id, room, title, event["timezone"])
        if summary and existing["published"]:
            moved = (existing["starts_at"], existing["ends_at"], existing["room"]) != (starts, ends, room_id)
            await _log_change(event, session_id, summary, principal, moved=moved)
    return session_id


def _describe(before: dict, starts, ends, room_id, room, title, tz) -> str:
    parts = []
    if before["starts_at"] != starts or before["ends_at"] != ends:
        fmt = "%a %b %-d, %-I:%M %p"
        parts.append(f"time changed to {clock.local(starts, tz).strftime(fmt)}–"
                     f"{clock.local(ends, tz).strftime('%-I:%M %p')} ({tz})")
    if before["room"] != room_id:
        parts.append(f"room changed to {room['name'] if room else 'to be announced'}")
    if before["title"] != title:
        parts.append(f"title changed to “{title}”")
    return "; ".join(parts) and f"“{before['title']}”: " + "; ".join(parts)


CORE_KINDS = frozenset({SessionKind.plenary.value, SessionKind.break_.value, SessionKind.meal.value})


async def registrant_emails(session_id: int, *, moved: bool) -> list[str]:
    """Which attendees hear about a change to a published session.

    A move (time or room) or a cancellation changes people's day. For a core session (plenary,
    break, meal: the whole meeting is there) every confirmed registrant of the event is told;
    for any other (workshops, Balint groups, demonstrations: people choose them) those who put
    it on their personal agenda are. A change that moves nothing (a new title) goes only to
    those following the session on their agenda, so a typo fix does not mail the meeting.
    Unconfirmed orders (not paid, expired, cancelled) are not registrants."""
    from confops.events.tables import AgendaItem

    session = await Session.select(Session.event, Session.kind).where(Session.id == session_id).first()
    if session is None:
        return []
    users = [r["user"] for r in await AgendaItem.select(AgendaItem.user).where(AgendaItem.session == session_id)]
    following = {r["email"] for r in await User.select(User.email).where(User.id.is_in(users or [0])) if r["email"]}
    if moved and session["kind"] in CORE_KINDS:
        following.update(email for emails in await extension.collect("confirmed_registrants", event_id=session["event"])
                         for email in emails)
    return sorted(following)


async def _log_change(event: dict, session_id: int, summary: str, principal: Principal, *, moved: bool) -> None:
    """Inside the caller's transaction: after publication, log the change and tell people."""
    latest = await ScheduleVersion.select(ScheduleVersion.number).where(
        ScheduleVersion.event == event["id"]).order_by(ScheduleVersion.number, ascending=False).first()
    if latest is None:
        return  # nothing published yet: drafts change freely
    change = ScheduleChange(event=event["id"], session=session_id, after_version=latest["number"],
                            summary=summary, changed_by=principal.user_id)
    await change.save()
    speakers = await SessionSpeaker.select(SessionSpeaker.speaker.email).where(SessionSpeaker.session == session_id)
    recipients = sorted({r["speaker.email"] for r in speakers if r["speaker.email"]})
    recipients += [e for e in await registrant_emails(session_id, moved=moved) if e not in recipients]
    brand = await brands.of_event(event)
    text, html = render_mail("program_change", brand=brand, event=event, summary=summary)
    for address in recipients:
        await outbox.enqueue(Message(to=address, subject=f"Program change: {event['title']}", text=text, html=html,
                                     brand=brand),
                             dedupe_key=f"schedule-change:{change.id}:{address}")


async def assign_speaker(principal: Principal | None, slug: str, session_id: int, speaker_id: int, role: str) -> None:
    event = await _event(principal, slug)
    session = await Session.select().where((Session.id == session_id) & (Session.event == event["id"])).first()
    speaker = await Speaker.select().where((Speaker.id == speaker_id) & (Speaker.organizer == event["organizer"])).first()
    if session is None or speaker is None:
        raise NotFound("There is no such session or speaker.")
    if role not in SpeakerRole.__members__:
        raise Invalid("Choose a role.", field="role")
    if event["cme_enabled"] and session["credit_quarters"] and await disclosures.has_refused(speaker_id):
        raise Conflict(f"{speaker['first_name']} {speaker['last_name']} declined to disclose financial "
                       "relationships and cannot be scheduled in a CME session.", field="speaker",
                       code="disclosure_refused")
    others, names = await _planned_others(event["id"])
    planned = Planned(session_id, session["title"], session["starts_at"], session["ends_at"], None,
                      frozenset({speaker_id}))
    collect([p for p in conflicts(planned, others, event_start=event["starts_at"], event_end=event["ends_at"],
                                  room_capacity=None, speaker_names=names) if p.field == "speakers"])
    position = await SessionSpeaker.count().where(SessionSpeaker.session == session_id)
    if await insert_or_ignore(SessionSpeaker(session=session_id, speaker=speaker_id, role=role, position=position)):
        await _audit(principal, "speaker_assigned", "session", session_id, None,
                     {"speaker_id": speaker_id, "role": role})


async def set_published(principal: Principal | None, slug: str, session_id: int, published: bool) -> None:
    event = await _event(principal, slug)
    session = await Session.select().where((Session.id == session_id) & (Session.event == event["id"])).first()
    if session is None:
        raise NotFound("There is no such session in this event.")
    if published and event["cme_enabled"] and session["credit_quarters"]:
        blockers = (await disclosures.cme_blockers([session_id])).get(session_id)
        if blockers:
            raise Conflict("This CME session cannot be published yet: " + " ".join(blockers),
                           code="disclosure_unresolved")
    async with transaction():
        await Session.update({Session.published: published}).where(Session.id == session_id)
        if session["published"] and not published:  # a published session is cancelled: tell people
            local = clock.local(session["starts_at"], event["timezone"]).strftime("%a %b %-d, %-I:%M %p")
            await _log_change(event, session_id, f"“{session['title']}” ({local}) is cancelled.", principal,
                              moved=True)
        await _audit(principal, "session_published" if published else "session_unpublished", "session", session_id,
                     {"published": session["published"]}, {"published": published})


async def publish_version(principal: Principal | None, slug: str) -> int:
    """Freeze the published program as the next version number."""
    event = await _event(principal, slug)
    sessions = await Session.select().where((Session.event == event["id"]) & (Session.published == True))  # noqa: E712
    if event["cme_enabled"]:
        blockers = await disclosures.cme_blockers([s["id"] for s in sessions if s["credit_quarters"]])
        planners = await disclosures.planner_blockers(event["id"])
        if blockers or planners:
            titles = {s["id"]: s["title"] for s in sessions}
            raise Conflict("CME content with unresolved disclosures: " + " ".join(
                [f"Planners: {' '.join(planners)}"] * bool(planners) +
                [f"“{titles[sid]}”: {' '.join(msgs)}" for sid, msgs in blockers.items()]),
                code="disclosure_unresolved")
    number = await freeze_version(event["id"], principal.user_id)
    await _audit(principal, "schedule_published", "event", event["id"], None, {"version": number})
    return number


async def freeze_version(event_id: int, user_id: int | None) -> int:
    """Store the published sessions as the next version; returns its number."""
    sessions = await Session.select().where((Session.event == event_id) & (Session.published == True)).order_by(  # noqa: E712
        Session.starts_at)
    snapshot = json.dumps([{"id": s["id"], "code": s["code"], "title": s["title"], "room": s["room"],
                            "starts_at": s["starts_at"].isoformat(), "ends_at": s["ends_at"].isoformat()}
                           for s in sessions])
    async with transaction():
        latest = await ScheduleVersion.select(ScheduleVersion.number).where(
            ScheduleVersion.event == event_id).order_by(ScheduleVersion.number, ascending=False).first()
        number = (latest["number"] if latest else 0) + 1
        await ScheduleVersion(event=event_id, number=number, published_by=user_id, snapshot=snapshot).save()
    return number


async def copy_schedule_version(source_id: int, event_id: int, sessions: dict[int, int], rooms: dict[int, int],
                                days: int, tz: str) -> int | None:
    """A copied event starts from the source's latest published program as its version 1: the
    same sessions (the copies' ids and rooms), each at the same local wall time `days` later.
    Sessions deleted since that version have no copy and are left out. Inside the caller's
    transaction; returns the number, or None when the source never published one."""
    latest = await ScheduleVersion.select().where(ScheduleVersion.event == source_id).order_by(
        ScheduleVersion.number, ascending=False).first()
    if latest is None:
        return None
    moved = []
    for item in json.loads(latest["snapshot"] or "[]"):
        if item.get("id") not in sessions:
            continue
        moved.append({**item, "id": sessions[item["id"]], "room": rooms.get(item.get("room")),
                      "starts_at": clock.days_later_same_wall_time(
                          datetime.fromisoformat(item["starts_at"]), days, tz).isoformat(),
                      "ends_at": clock.days_later_same_wall_time(
                          datetime.fromisoformat(item["ends_at"]), days, tz).isoformat()})
    await ScheduleVersion.insert(ScheduleVersion(event=event_id, number=1, published_by=latest["published_by"],
                                                 published_at=clock.now(), snapshot=json.dumps(moved)))
    return 1
