"""What people see once an assignment is published: their own group, the rosters of the groups
they lead, and attendance per group meeting marked on a roster.

A roster lists names, credentials, professions and institutions: never case content, which
the system does not store at all. A person sees their own group; a leader sees the rosters of
the groups they lead; a registrar (or admin) of the organizer sees every roster.
"""

from __future__ import annotations

from datetime import date

from confops.core import clock, extension
from confops.core.auth import Principal, Role
from confops.core.errors import Conflict, Invalid, NotFound, NotYours
from confops.db import transaction
from confops.events.tables import Event
from confops.groups import planning
from confops.groups.kinds import RunStatus, TrainingKind
from confops.groups.tables import (
    AssignmentRun,
    GroupAttendance,
    GroupMember,
    LeaderTraining,
    SmallGroup,
)
from confops.registration.tables import Attendee, AttendeeStatus

PUBLISHED = AssignmentRun.status == RunStatus.published.value


async def _events(ids) -> dict:
    ids = sorted(set(ids))
    if not ids:
        return {}
    return {e["id"]: e for e in await Event.select(Event.id, Event.slug, Event.title, Event.timezone,
                                                   Event.organizer, Event.starts_at).where(Event.id.is_in(ids))}


async def my_groups(email: str) -> dict:
    """The signed-in person's published groups (as member and as leader), and series they may join."""
    email = (email or "").strip().lower()
    mine = await GroupMember.select(
        GroupMember.group.as_alias("group_id"), GroupMember.group.number.as_alias("number"),
        GroupMember.group.room.as_alias("room"), GroupMember.group.run.series.as_alias("series_id"),
        GroupMember.group.run.series.event.as_alias("event_id"),
        GroupMember.attendee.as_alias("attendee_id"), GroupMember.leader.as_alias("leader_id"),
        GroupMember.attendee.status.as_alias("attendee_status"),
    ).where((GroupMember.group.run.status == RunStatus.published.value)
            & ((GroupMember.attendee.email == email) | (GroupMember.leader.email == email)))
    mine = [r for r in mine if r["leader_id"] or r["attendee_status"] == AttendeeStatus.active.value]
    events = await _events(r["event_id"] for r in mine)
    member, leading = [], []
    for r in mine:
        sessions = await planning.series_sessions(r["series_id"])
        item = {**r, "event": events[r["event_id"]], "sessions": sessions}
        if r["leader_id"]:
            leading.append(item)
        else:
            item["leaders"] = await GroupMember.select(GroupMember.leader.name.as_alias("name")).where(
                (GroupMember.group == r["group_id"]) & GroupMember.leader.is_not_null())
            member.append(item)
    joined = {r["series_id"] for r in member}
    # series of events this person is registered for, to opt in or change track
    open_series = []
    regs = await Attendee.select(Attendee.id, Attendee.event).where(
        (Attendee.email == email) & (Attendee.status == AttendeeStatus.active.value))
    for reg in regs:
        series = await planning.series_of(reg["event"])
        if series is None or series["id"] in joined:
            continue
        from confops.groups.tables import GroupParticipant

        part = await GroupParticipant.select(GroupParticipant.track).where(
            (GroupParticipant.series == series["id"]) & (GroupParticipant.attendee == reg["id"])).first()
        open_series.append({"series": series, "event": (await _events([reg["event"]]))[reg["event"]],
                            "attendee_id": reg["id"], "track": part["track"] if part else None})
    return {"member": member, "leading": leading, "open": open_series}


async def _group(group_id: int) -> dict:
    g = await SmallGroup.select(
        SmallGroup.id, SmallGroup.number, SmallGroup.room, SmallGroup.track, SmallGroup.run.status.as_alias("status"),
        SmallGroup.run.series.as_alias("series_id"), SmallGroup.run.series.event.as_alias("event_id"),
    ).where(SmallGroup.id == group_id).first()
    if g is None or g["status"] != RunStatus.published.value:
        raise NotFound("There is no such published group.")
    return g


async def can_see_roster(group_id: int, principal: Principal | None) -> dict:
    """The group, if this person leads it or is a registrar/admin of its organizer; else NotYours."""
    g = await _group(group_id)
    event = (await _events([g["event_id"]]))[g["event_id"]]
    if principal is None:
        raise NotYours("Please sign in.")
    if principal.has(event["organizer"], Role.registrar):
        return {**g, "event": event}
    leads = await GroupMember.exists().where((GroupMember.group == group_id)
                                             & (GroupMember.leader.email == principal.email.lower()))
    if not leads:
        raise NotYours("Only the group's leaders and the society's staff see this roster.", code="not_your_group")
    return {**g, "event": event}


async def roster(group_id: int, principal: Principal | None) -> dict:
    g = await can_see_roster(group_id, principal)
    members = await GroupMember.select(
        GroupMember.attendee.as_alias("attendee_id"),
        GroupMember.attendee.first_name.as_alias("first_name"), GroupMember.attendee.last_name.as_alias("last_name"),
        GroupMember.attendee.credentials.as_alias("credentials"),
        GroupMember.attendee.profession.as_alias("profession"),
        GroupMember.attendee.institution.as_alias("institution"),
        GroupMember.attendee.status.as_alias("status"),
    ).where((GroupMember.group == group_id) & GroupMember.attendee.is_not_null()).order_by(
        GroupMember.attendee.last_name)
    members = [m for m in members if m["status"] == AttendeeStatus.active.value]
    leaders = await GroupMember.select(
        GroupMember.leader.name.as_alias("name"), GroupMember.leader.discipline.as_alias("discipline"),
        GroupMember.leader.experience.as_alias("experience"), GroupMember.leader.institution.as_alias("institution"),
    ).where((GroupMember.group == group_id) & GroupMember.leader.is_not_null())
    sessions = await planning.series_sessions(g["series_id"])
    marks = await GroupAttendance.select(GroupAttendance.session, GroupAttendance.attendee,
                                         GroupAttendance.present).where(GroupAttendance.series == g["series_id"])
    present = {(m["session"], m["attendee"]): m["present"] for m in marks}
    return {"group": g, "event": g["event"], "members": members, "leaders": leaders, "sessions": sessions,
            "present": present}


async def mark_attendance(group_id: int, session_id: int, present_ids: set[int], principal: Principal) -> int:
    """The leader's roster marking for one meeting: every member present or not; returns how many present.

    Each mark is sent to `group_meeting_attended` (CME counts it; `marked_by` is the leader's user
    id) in the same transaction, and the roll call goes to the audit log (`staff_change`); the
    group's leaders get a "group led" step in their training record for the meeting.
    """
    data = await roster(group_id, principal)
    g = data["group"]
    session = next((s for s in data["sessions"] if s["id"] == session_id), None)
    if session is None:
        raise Invalid("This meeting is not one of the group's sessions.", field="session")
    if clock.now() < session["starts_at"]:
        raise Conflict("Attendance can be marked once the meeting has started.", field="session")
    member_ids = {m["attendee_id"] for m in data["members"]}
    unknown = present_ids - member_ids
    if unknown:
        raise Invalid("Only the group's members can be marked.", field="present")
    now = clock.now()
    who = principal.email.lower()
    before = {m["attendee"]: m["present"] for m in await GroupAttendance.select(
        GroupAttendance.attendee, GroupAttendance.present).where(GroupAttendance.session == session_id)
        if m["attendee"] in member_ids}
    async with transaction():
        for attendee_id in sorted(member_ids):
            here = attendee_id in present_ids
            row = await GroupAttendance.select(GroupAttendance.id).where(
                (GroupAttendance.session == session_id) & (GroupAttendance.attendee == attendee_id)).first()
            values = {GroupAttendance.present: here, GroupAttendance.marked_by: who, GroupAttendance.marked_at: now,
                      GroupAttendance.group_number: g["number"]}
            if row:
                await GroupAttendance.update(values).where(GroupAttendance.id == row["id"])
                meeting_id = row["id"]
            else:
                mark = GroupAttendance(series=g["series_id"], session=session_id, attendee=attendee_id,
                                       group_number=g["number"], present=here, marked_by=who, marked_at=now)
                await mark.save()
                meeting_id = mark.id
            await extension.emit("group_meeting_attended", attendee_id=attendee_id, session_id=session_id,
                                 meeting_id=meeting_id, attended_at=session["starts_at"], present=here,
                                 marked_by=principal.user_id)
        await _record_leading(g, session, data["event"])
        await extension.emit("staff_change", actor_id=principal.user_id, action="group_attendance_marked",
                             entity="balint_group", entity_id=group_id,
                             before={"session_id": session_id, "present": sorted(a for a, p in before.items() if p)}
                             if before else None,
                             after={"session_id": session_id, "present": sorted(present_ids)})
    return len(present_ids)


async def _record_leading(g: dict, session: dict, event: dict) -> None:
    leaders = await GroupMember.select(GroupMember.leader.email.as_alias("email"),
                                       GroupMember.leader.name.as_alias("name")).where(
        (GroupMember.group == g["id"]) & GroupMember.leader.is_not_null())
    on: date = clock.local(session["starts_at"], event["timezone"]).date()
    for x in leaders:
        if await LeaderTraining.exists().where((LeaderTraining.email == x["email"])
                                               & (LeaderTraining.session == session["id"])
                                               & (LeaderTraining.kind == TrainingKind.led.value)):
            continue
        await LeaderTraining(organizer=event["organizer"], email=x["email"], name=x["name"],
                             kind=TrainingKind.led.value, held_on=on, evaluative=False,
                             title=f"{event['title']}: group {g['number']}, {session['title']}",
                             event=event["id"], session=session["id"], recorded_by="roster").save()


def _group_line(what: str, number: int, room: str) -> str:
    """A badge-back line: "Balint group 3 · Room Cedar", "Leads Balint group 3"."""
    return f"{what} {number}" + (f" · Room {room}" if room else "")


async def published_lines(event_id: int, attendee_ids: list[int]) -> dict[int, list[str]]:
    """For the badge back: "Balint group 3 · Room Cedar" per attendee in the published run."""
    if not attendee_ids:
        return {}
    rows = await GroupMember.select(GroupMember.attendee, GroupMember.group.number.as_alias("number"),
                                    GroupMember.group.room.as_alias("room")).where(
        (GroupMember.group.run.series.event == event_id) & (GroupMember.group.run.status == RunStatus.published.value)
        & GroupMember.attendee.is_in(list(attendee_ids)))
    out: dict[int, list[str]] = {}
    for r in rows:
        line = _group_line("Balint group", r["number"], r["room"])
        out.setdefault(r["attendee"], []).append(line)
    # a registered attendee who leads a group: matched to the leader pool by e-mail
    emails = {a["email"].lower(): a["id"] for a in await Attendee.select(Attendee.id, Attendee.email).where(
        Attendee.id.is_in(list(attendee_ids)))}
    leads = await GroupMember.select(GroupMember.leader.email.as_alias("email"), GroupMember.group.number.as_alias("number"),
                                     GroupMember.group.room.as_alias("room")).where(
        (GroupMember.group.run.series.event == event_id) & (GroupMember.group.run.status == RunStatus.published.value)
        & GroupMember.leader.email.is_in(sorted(emails) or [""]))
    for r in leads:
        line = _group_line("Leads Balint group", r["number"], r["room"])
        out.setdefault(emails[r["email"]], []).append(line)
    return out


async def published_leaders(event_id: int) -> list[dict]:
    """The leaders of the published run: name, e-mail, institution and the groups they lead."""
    rows = await GroupMember.select(
        GroupMember.leader.name.as_alias("name"), GroupMember.leader.email.as_alias("email"),
        GroupMember.leader.institution.as_alias("institution"), GroupMember.group.number.as_alias("number"),
        GroupMember.group.room.as_alias("room")).where(
        (GroupMember.group.run.series.event == event_id) & (GroupMember.group.run.status == RunStatus.published.value)
        & GroupMember.leader.is_not_null()).order_by(GroupMember.group.number)
    leaders: dict[str, dict] = {}
    for r in rows:
        leader = leaders.setdefault(r["email"].lower() or r["name"], {
            "name": r["name"], "email": r["email"].lower(), "institution": r["institution"], "lines": []})
        leader["lines"].append(_group_line("Leads Balint group", r["number"], r["room"]))
    return list(leaders.values())


async def published_members(event_id: int) -> dict[int, set[int]]:
    """group number -> attendee ids of the published run (for mail filters)."""
    rows = await GroupMember.select(GroupMember.attendee, GroupMember.group.number.as_alias("number")).where(
        (GroupMember.group.run.series.event == event_id) & (GroupMember.group.run.status == RunStatus.published.value)
        & GroupMember.attendee.is_not_null())
    out: dict[int, set[int]] = {}
    for r in rows:
        out.setdefault(r["number"], set()).add(r["attendee"])
    return out


async def record_scan(attendee_id: int, session_id: int, scanned_at, marked_by: str = "scan") -> bool:
    """A check-in scan into a group session marks the member present (never absent: a leader's
    roster marking decides that). The scan itself is already CME evidence, so nothing is emitted.
    Returns whether a mark was made."""
    group = await GroupMember.select(GroupMember.group.number.as_alias("number"),
                                     GroupMember.group.run.series.as_alias("series_id")).where(
        (GroupMember.attendee == attendee_id) & (GroupMember.group.run.status == RunStatus.published.value)).first()
    if group is None:
        return False
    from confops.groups.tables import SeriesSession

    if not await SeriesSession.exists().where((SeriesSession.series == group["series_id"])
                                              & (SeriesSession.session == session_id)):
        return False
    row = await GroupAttendance.select(GroupAttendance.id, GroupAttendance.present).where(
        (GroupAttendance.session == session_id) & (GroupAttendance.attendee == attendee_id)).first()
    if row is None:
        await GroupAttendance(series=group["series_id"], session=session_id, attendee=attendee_id,
                              group_number=group["number"], present=True, marked_by=marked_by,
                              marked_at=scanned_at).save()
    elif not row["present"]:
        await GroupAttendance.update({GroupAttendance.present: True, GroupAttendance.marked_by: marked_by,
                                      GroupAttendance.marked_at: scanned_at}).where(GroupAttendance.id == row["id"])
    return True


async def withdraw_scan(attendee_id: int, session_id: int) -> int:
    """A door undid a scan into a group session: the presence that scan made goes with it.
    A leader's own roster mark stays (the leader saw who was in the room). Returns how many
    marks went."""
    where = ((GroupAttendance.session == session_id) & (GroupAttendance.attendee == attendee_id)
             & (GroupAttendance.marked_by == "scan"))
    gone = await GroupAttendance.count().where(where)
    if gone:
        await GroupAttendance.delete().where(where)
    return gone
