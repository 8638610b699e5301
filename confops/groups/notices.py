"""E-mail when an assignment is published: each attendee learns their group, room and meeting
times; each leader gets the link to their rosters. Only people whose group changed since the
previous publication are written to again."""

from __future__ import annotations

from confops.accounts import brands
from confops.core import outbox
from confops.core.mail import Message
from confops.core.rendering import render_mail
from confops.events.tables import Event
from confops.groups import planning
from confops.groups.model import Group
from confops.groups.tables import GroupLeader, GroupSeries
from confops.registration.tables import Attendee


async def queue_assignment_notices(series_id: int, run_id: int, previous: list[Group], base_url: str) -> int:
    from confops.groups.runs import groups_of

    series = await GroupSeries.select().where(GroupSeries.id == series_id).first()
    event = await Event.select().where(Event.id == series["event"]).first()
    brand = await brands.of_event(event)
    sessions = await planning.series_sessions(series_id)
    before = {k: (g.number, g.room) for g in previous for k in (*g.members, *g.leaders)}
    groups = await groups_of(run_id)
    attendee_ids = [planning.parse_key(m)[1] for g in groups for m in g.members]
    leader_ids = [planning.parse_key(x)[1] for g in groups for x in g.leaders]
    people = {planning.attendee_key(a["id"]): a for a in (await Attendee.select(
        Attendee.id, Attendee.first_name, Attendee.last_name, Attendee.email).where(
        Attendee.id.is_in(attendee_ids)) if attendee_ids else [])}
    people.update({planning.leader_key(x["id"]): x for x in (await GroupLeader.select(
        GroupLeader.id, GroupLeader.name, GroupLeader.email).where(
        GroupLeader.id.is_in(leader_ids)) if leader_ids else [])})
    queued = 0
    for g in groups:
        for key in (*g.members, *g.leaders):
            if before.get(key) == (g.number, g.room):
                continue
            row = people[key]
            name = row.get("name") or f"{row['first_name']} {row['last_name']}"
            leading = key.startswith("l")
            text, html = render_mail("group_assignment", brand=brand, name=name, event=event, group=g, room=g.room or "to be announced",
                                 sessions=sessions, leading=leading, link=f"{base_url}/account/groups")
            subject = f"{event['title']}: your Balint {'groups to lead' if leading else 'small group'}"
            if await outbox.enqueue(Message(to=row["email"], subject=subject, text=text, html=html, brand=brand),
                                    dedupe_key=f"groups-{run_id}-{key}"):
                queued += 1
    return queued
