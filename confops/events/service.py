"""Reading organizers, events and their programs, with the visibility rules applied once here."""

from __future__ import annotations

from enum import StrEnum

from confops.accounts.tables import Organizer
from confops.core import clock
from confops.core.auth import STAFF_ROLES, Principal
from confops.core.errors import NotFound
from confops.events.kinds import EventKind, EventStatus
from confops.events.schemas import (
    EventDetail,
    EventSummary,
    OrganizerOut,
    RoomOut,
    SessionOut,
    SpeakerOut,
    TrackOut,
)
from confops.events.tables import Event, Room, Session, Track
from confops.speakers.tables import SessionSpeaker

PUBLIC_STATUSES = (EventStatus.published.value, EventStatus.closed.value, EventStatus.cancelled.value)


class When(StrEnum):
    upcoming = "upcoming"
    past = "past"
    all = "all"


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


async def get_organizer(slug: str) -> OrganizerOut:
    row = await Organizer.select().where(Organizer.slug == slug).first()
    if not row:
        raise NotFound(f"There is no organizer called {slug!r}.")
    return OrganizerOut(
        slug=row["slug"],
        name=row["name"],
        short_name=row["short_name"],
        mission=row["mission"],
        vision=row["vision"],
        core_values=_lines(row["core_values"]),
        inclusion_statement=row["inclusion_statement"],
        affiliations=_lines(row["affiliations"]),
        founded_year=row["founded_year"],
        nonprofit_status=row["nonprofit_status"],
        city=row["city"],
        region=row["region"],
        country=row["country"],
        email=row["email"],
        website=row["website"],
    )


async def first_organizer_slug(preferred: str) -> str | None:
    if await Organizer.exists().where(Organizer.slug == preferred):
        return preferred
    row = await Organizer.select(Organizer.slug).order_by(Organizer.id).first()
    return row["slug"] if row else None


def _summary(row: dict) -> EventSummary:
    return EventSummary(
        id=row["id"],
        slug=row["slug"],
        title=row["title"],
        kind=row["kind"],
        status=row["status"],
        organizer=row["organizer.slug"],
        summary=row["summary"],
        timezone=row["timezone"],
        starts_at=row["starts_at"],
        ends_at=row["ends_at"],
        online=row["online"],
        venue_name=row["venue_name"],
        city=row["city"],
        region=row["region"],
        country=row["country"],
        url=f"/events/{row['slug']}",
    )


_SUMMARY_COLUMNS = (
    Event.id, Event.slug, Event.title, Event.kind, Event.status, Event.organizer.slug, Event.summary,
    Event.timezone, Event.starts_at, Event.ends_at, Event.online, Event.venue_name, Event.city,
    Event.region, Event.country,
)


async def list_events(
    *,
    kind: EventKind | None = None,
    when: When = When.upcoming,
    organizer: str | None = None,
) -> list[EventSummary]:
    """Public events: upcoming soonest first, past most recent first."""
    query = Event.select(*_SUMMARY_COLUMNS).where(Event.status.is_in(list(PUBLIC_STATUSES)))
    now = clock.now()
    if kind is not None:
        query = query.where(Event.kind == kind.value)
    if organizer:
        query = query.where(Event.organizer.slug == organizer)
    if when is When.upcoming:
        query = query.where(Event.ends_at >= now).order_by(Event.starts_at)
    elif when is When.past:
        query = query.where(Event.ends_at < now).order_by(Event.starts_at, ascending=False)
    else:
        query = query.order_by(Event.starts_at)
    return [_summary(row) for row in await query]


def can_see(row: dict, principal: Principal | None) -> bool:
    if row["status"] in PUBLIC_STATUSES:
        return True
    return principal is not None and principal.has(row["organizer"], *STAFF_ROLES)


async def _event_row(slug: str, principal: Principal | None) -> dict:
    row = await Event.select(*Event.all_columns(), Event.organizer.slug).where(Event.slug == slug).first()
    if not row or not can_see(row, principal):
        raise NotFound(f"There is no event called {slug!r}.")
    return row


async def _speakers_by_session(session_ids: list[int]) -> dict[int, list[SpeakerOut]]:
    if not session_ids:
        return {}
    rows = await SessionSpeaker.select(
        SessionSpeaker.session,
        SessionSpeaker.role,
        SessionSpeaker.speaker.id,
        SessionSpeaker.speaker.first_name,
        SessionSpeaker.speaker.last_name,
        SessionSpeaker.speaker.credentials,
        SessionSpeaker.speaker.pronouns,
        SessionSpeaker.speaker.institution,
        SessionSpeaker.speaker.bio,
    ).where(SessionSpeaker.session.is_in(session_ids)).order_by(SessionSpeaker.position)
    from confops.speakers.withdrawals import withdrawn_pairs

    gone = await withdrawn_pairs(session_ids)  # withdrawn speakers leave the public program
    out: dict[int, list[SpeakerOut]] = {}
    for r in rows:
        if (r["session"], r["speaker.id"]) in gone:
            continue
        out.setdefault(r["session"], []).append(
            SpeakerOut(
                id=r["speaker.id"],
                name=f"{r['speaker.first_name']} {r['speaker.last_name']}".strip(),
                credentials=r["speaker.credentials"],
                pronouns=r["speaker.pronouns"],
                institution=r["speaker.institution"],
                role=r["role"],
                bio=r["speaker.bio"],
            )
        )
    return out


async def get_event(slug: str, principal: Principal | None = None) -> EventDetail:
    row = await _event_row(slug, principal)
    event_id = row["id"]
    rooms = await Room.select().where(Room.event == event_id).order_by(Room.position).order_by(Room.name)
    tracks = await Track.select().where(Track.event == event_id).order_by(Track.position)
    room_names = {r["id"]: r["name"] for r in rooms}
    track_names = {t["id"]: t["name"] for t in tracks}
    sessions = await Session.select().where(
        (Session.event == event_id) & (Session.published == True)  # noqa: E712 - Piccolo operator
    ).order_by(Session.starts_at).order_by(Session.id)
    speakers = await _speakers_by_session([s["id"] for s in sessions])
    summary = _summary(row)
    return EventDetail(
        **{f: getattr(summary, f) for f in summary.__struct_fields__},
        description=row["description"],
        venue_address=row["venue_address"],
        currency=row["currency"],
        capacity=row["capacity"],
        registration_opens_at=row["registration_opens_at"],
        registration_closes_at=row["registration_closes_at"],
        cme_enabled=row["cme_enabled"],
        cme_max_credit=row["cme_max_credit_quarters"] / 4,
        rooms=[RoomOut(id=r["id"], name=r["name"], capacity=r["capacity"], accessibility=r["accessibility"]) for r in rooms],
        tracks=[TrackOut(id=t["id"], name=t["name"], color=t["color"]) for t in tracks],
        sessions=[
            SessionOut(
                id=s["id"],
                code=s["code"],
                title=s["title"],
                abstract=s["abstract"],
                kind=s["kind"],
                starts_at=s["starts_at"],
                ends_at=s["ends_at"],
                room=room_names.get(s["room"]),
                track=track_names.get(s["track"]),
                capacity=s["capacity"],
                credit_quarters=s["credit_quarters"],
                credit=s["credit_quarters"] / 4,
                speakers=speakers.get(s["id"], []),
            )
            for s in sessions
        ],
    )


async def get_session(slug: str, session_id: int, principal: Principal | None = None) -> tuple[EventDetail, SessionOut]:
    event = await get_event(slug, principal)
    for session in event.sessions:
        if session.id == session_id:
            return event, session
    raise NotFound(f"Session {session_id} is not part of {event.title}.")


async def staff_events(principal: Principal) -> list[EventSummary]:
    """Every event, drafts included, of the organizers where this person is staff."""
    orgs = principal.staff_organizers()
    if not orgs:
        return []
    rows = await Event.select(*_SUMMARY_COLUMNS).where(Event.organizer.is_in(orgs)).order_by(
        Event.starts_at, ascending=False
    )
    return [_summary(row) for row in rows]
