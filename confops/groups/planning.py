"""Setting up an event's small groups: the series and its sessions, rooms, the leader pool,
who takes part (opt-in with a track) and staff pins.

People are named to the engine by keys that cannot collide: "a<attendee id>" for a registrant
and "l<leader id>" for a pool leader.
"""

from __future__ import annotations

from confops.core.auth import Principal, Role
from confops.core.errors import Conflict, Invalid, NotFound, NotYours
from confops.db import insert_or_ignore, transaction, upsert
from confops.events.access import event_for_roles
from confops.events.kinds import SessionKind
from confops.events.tables import Session
from confops.groups.model import Discipline, Experience, Track
from confops.groups.tables import (
    GroupLeader,
    GroupParticipant,
    GroupPin,
    GroupRoom,
    GroupSeries,
    SeriesSession,
)
from confops.registration.tables import Answer, Attendee, AttendeeStatus

STAFF_ROLES = (Role.registrar,)


def attendee_key(attendee_id: int) -> str:
    return f"a{attendee_id}"


def leader_key(leader_id: int) -> str:
    return f"l{leader_id}"


def parse_key(key: str) -> tuple[str, int]:
    """("a", id) or ("l", id); anything else is refused."""
    key = (key or "").strip()
    if len(key) < 2 or key[0] not in "al" or not key[1:].isdigit():
        raise Invalid("Choose a person from the list.", field="person")
    return key[0], int(key[1:])


async def event_for_staff(slug: str, principal: Principal | None) -> dict:
    return await event_for_roles(slug, principal, STAFF_ROLES)


async def series_of(event_id: int) -> dict | None:
    return await GroupSeries.select().where(GroupSeries.event == event_id).first()


async def ensure_series(event_id: int, *, min_size: int = 6, max_size: int = 10, ideal_size: int = 8,
                        group_count: int | None = None, separate_tracks: bool = True,
                        title: str = "Balint small groups") -> int:
    """Create (or update the bounds of) the event's series, linked to its Balint group sessions."""
    if not 1 <= min_size <= ideal_size <= max_size:
        raise Invalid("Sizes must satisfy minimum ≤ ideal ≤ maximum.", field="min_size")
    if group_count is not None and group_count < 1:
        raise Invalid("The number of groups must be at least 1, or empty.", field="group_count")
    values = {GroupSeries.min_size: min_size, GroupSeries.max_size: max_size,
              GroupSeries.ideal_size: ideal_size, GroupSeries.group_count: group_count,
              GroupSeries.separate_tracks: separate_tracks, GroupSeries.title: title}
    async with transaction():
        row = await series_of(event_id)
        if row is None:
            series = GroupSeries(event=event_id, **{c._meta.name: v for c, v in values.items()})
            await series.save()
            series_id = series.id
        else:
            series_id = row["id"]
            await GroupSeries.update(values).where(GroupSeries.id == series_id)
        linked = {r["session"] for r in await SeriesSession.select(SeriesSession.session).where(
            SeriesSession.series == series_id)}
        sessions = await Session.select(Session.id).where(
            (Session.event == event_id) & (Session.kind == SessionKind.balint_group.value)).order_by(Session.starts_at)
        for s in sessions:
            if s["id"] not in linked:
                await SeriesSession(series=series_id, session=s["id"]).save()
    return series_id


async def series_sessions(series_id: int) -> list[dict]:
    links = await SeriesSession.select(SeriesSession.session).where(SeriesSession.series == series_id)
    if not links:
        return []
    return await Session.select(Session.id, Session.code, Session.title, Session.starts_at, Session.ends_at).where(
        Session.id.is_in([r["session"] for r in links])).order_by(Session.starts_at)


async def set_rooms(series_id: int, names: list[str]) -> None:
    names = [n.strip()[:120] for n in names if n.strip()]
    if len(set(names)) != len(names):
        raise Invalid("Each room may be named once.", field="rooms")
    async with transaction():
        await GroupRoom.delete().where(GroupRoom.series == series_id)
        for pos, name in enumerate(names):
            await GroupRoom(series=series_id, name=name, position=pos).save()


async def rooms(series_id: int) -> list[str]:
    return [r["name"] for r in await GroupRoom.select(GroupRoom.name).where(
        GroupRoom.series == series_id).order_by(GroupRoom.position)]


async def add_leader(series_id: int, *, name: str, email: str, discipline: str, experience: str,
                     institution: str = "") -> int:
    name, email = name.strip(), email.strip().lower()
    errors = {}
    if not name:
        errors["name"] = "Give the leader's name."
    if "@" not in email:
        errors["email"] = "Give the leader's e-mail address (it links their account)."
    if discipline not in Discipline.__members__:
        errors["discipline"] = "Choose physician, behavioural health or other."
    if experience not in Experience.__members__:
        errors["experience"] = "Choose trainee, credentialed or faculty."
    if errors:
        from confops.core.errors import FieldError
        raise Invalid("Some fields need attention.", errors=[FieldError(k, v) for k, v in errors.items()])
    leader_id = await insert_or_ignore(GroupLeader(series=series_id, name=name, email=email, discipline=discipline,
                                                   experience=experience, institution=institution.strip(),
                                                   active=True))
    if leader_id is None:
        raise Conflict(f"{email} is already in the leader pool.", field="email")
    return leader_id


async def leaders(series_id: int, *, active_only: bool = False) -> list[dict]:
    where = GroupLeader.series == series_id
    if active_only:
        where &= GroupLeader.active == True  # noqa: E712 - Piccolo builds SQL from ==
    return await GroupLeader.select().where(where).order_by(GroupLeader.name)


async def set_leader_active(series_id: int, leader_id: int, active: bool) -> None:
    await GroupLeader.update({GroupLeader.active: active}).where(
        (GroupLeader.id == leader_id) & (GroupLeader.series == series_id))


async def opt_in(series_id: int, attendee_id: int, track: str, supervisor_email: str = "") -> None:
    """Take part (or change track); idempotent."""
    if track not in Track.__members__:
        raise Invalid("Choose experience only or leadership practice.", field="track")
    series = await GroupSeries.select(GroupSeries.event).where(GroupSeries.id == series_id).first()
    attendee = await Attendee.select(Attendee.event, Attendee.status).where(Attendee.id == attendee_id).first()
    if series is None or attendee is None or attendee["event"] != series["event"]:
        raise NotFound("There is no such registration for these groups.")
    if attendee["status"] != AttendeeStatus.active.value:
        raise Conflict("This registration is no longer active.")
    supervisor_email = supervisor_email.strip().lower()[:254]
    await upsert(GroupParticipant(series=series_id, attendee=attendee_id, track=track, supervisor_email=supervisor_email),
                 (GroupParticipant.series, GroupParticipant.attendee),
                 [GroupParticipant.track, GroupParticipant.supervisor_email])


async def opt_out(series_id: int, attendee_id: int) -> None:
    await GroupParticipant.delete().where(
        (GroupParticipant.series == series_id) & (GroupParticipant.attendee == attendee_id))


TRACK_QUESTION = "group_pref"  # the registration question that asks for the track, when the event has it


def track_from_answer(answer: str) -> str | None:
    text = (answer or "").lower()
    if "leader" in text:
        return Track.leadership.value
    if "experience" in text:
        return Track.experience.value
    return None


async def opt_in_everyone(series_id: int, track: str = "experience") -> int:
    """Staff: every active registrant not yet in takes part, in the track they chose on the
    registration form (question `group_pref`), else in `track`; returns how many joined."""
    series = await GroupSeries.select(GroupSeries.event).where(GroupSeries.id == series_id).first()
    taken = {r["attendee"] for r in await GroupParticipant.select(GroupParticipant.attendee).where(
        GroupParticipant.series == series_id)}
    people = await Attendee.select(Attendee.id).where(
        (Attendee.event == series["event"]) & (Attendee.status == AttendeeStatus.active.value))
    new = [p["id"] for p in people if p["id"] not in taken]
    answers = {}
    if new:
        answers = {a["attendee"]: a["value"] for a in await Answer.select(Answer.attendee, Answer.value).where(
            (Answer.question.key == TRACK_QUESTION) & Answer.attendee.is_in(new))}
    if not new:
        return 0
    # someone opting in meanwhile keeps their own choice, and is not counted here
    joined = await GroupParticipant.insert(*(
        GroupParticipant(series=series_id, attendee=attendee_id, supervisor_email="",
                         track=track_from_answer(answers.get(attendee_id, "")) or track)
        for attendee_id in new)).on_conflict(action="DO NOTHING").returning(GroupParticipant.id)
    return len(joined)


async def participants(series_id: int, *, active_only: bool = True) -> list[dict]:
    where = GroupParticipant.series == series_id
    if active_only:
        where &= GroupParticipant.attendee.status == AttendeeStatus.active.value
    return await GroupParticipant.select(
        GroupParticipant.id, GroupParticipant.track, GroupParticipant.supervisor_email,
        GroupParticipant.attendee.as_alias("attendee_id"),
        GroupParticipant.attendee.first_name.as_alias("first_name"),
        GroupParticipant.attendee.last_name.as_alias("last_name"),
        GroupParticipant.attendee.email.as_alias("email"),
        GroupParticipant.attendee.institution.as_alias("institution"),
        GroupParticipant.attendee.profession.as_alias("profession"),
        GroupParticipant.attendee.credentials.as_alias("credentials"),
    ).where(where).order_by(GroupParticipant.id)


async def add_pin(series_id: int, a: str, b: str, together: bool, actor: int | None = None) -> int:
    parse_key(a)
    parse_key(b)
    if a == b:
        raise Invalid("Choose two different people.", field="person_b")
    pair = sorted([a, b])
    pin_id = await insert_or_ignore(GroupPin(series=series_id, person_a=pair[0], person_b=pair[1],
                                             together=together, created_by=actor))
    if pin_id is None:
        raise Conflict("These two are already pinned; remove that pin first.", field="person_b")
    return pin_id


async def remove_pin(series_id: int, pin_id: int) -> None:
    await GroupPin.delete().where((GroupPin.id == pin_id) & (GroupPin.series == series_id))


async def pins(series_id: int) -> list[dict]:
    return await GroupPin.select().where(GroupPin.series == series_id).order_by(GroupPin.id)


async def check_own_registration(attendee_id: int, email: str) -> None:
    """A person chooses a track only for a registration made in their own name."""
    owner = await Attendee.select(Attendee.email).where(Attendee.id == attendee_id).first()
    if owner is None or owner["email"].lower() != email.lower():
        raise NotYours("You can only choose for your own registration.", code="not_your_registration")
