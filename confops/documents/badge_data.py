"""Who gets a badge for an event, as plain `BadgeData`.

Today the only people on main are the event's speakers, printed as faculty (or group leader
when they lead a Balint group); the registration work extends `badge_data_for_event` with the
attendees (role, category and "not yet printed" filters, and each attendee's check-in token).
Speakers get no QR yet: check-in tokens belong to attendee registrations, and a speaker is
checked in through their (comped) registration once that exists.
"""

from __future__ import annotations

from dataclasses import dataclass

from confops.core import clock
from confops.core.errors import NotFound
from confops.documents.badges import BadgeData, sort_key
from confops.events.tables import Event, SessionKind
from confops.speakers.tables import SessionSpeaker, SpeakerRole

LEADER_ROLES = {SpeakerRole.group_leader.value, SpeakerRole.co_leader.value}


@dataclass(frozen=True)
class BadgeFilters:
    roles: frozenset[str] | None = None  # attendee, faculty, staff, group_leader; None = everyone


async def badge_data_for_event(slug: str, filters: BadgeFilters | None = None) -> list[BadgeData]:
    """Everyone who gets a badge for the event, sorted by last name (then first name)."""
    filters = filters or BadgeFilters()
    event = await Event.select(Event.id, Event.title, Event.timezone).where(Event.slug == slug).first()
    if event is None:
        raise NotFound(f"There is no event called {slug!r}.")
    rows = await SessionSpeaker.select(
        SessionSpeaker.role, SessionSpeaker.speaker.id, SessionSpeaker.speaker.first_name,
        SessionSpeaker.speaker.last_name, SessionSpeaker.speaker.credentials, SessionSpeaker.speaker.pronouns,
        SessionSpeaker.speaker.institution, SessionSpeaker.speaker.city_region,
        SessionSpeaker.session.title, SessionSpeaker.session.code, SessionSpeaker.session.kind,
        SessionSpeaker.session.starts_at,
    ).where(SessionSpeaker.session.event == event["id"]).where(SessionSpeaker.session.published.eq(True))
    people: dict[int, dict] = {}
    for r in sorted(rows, key=lambda r: r["session.starts_at"]):
        person = people.setdefault(r["speaker.id"], {"row": r, "leads": [], "schedule": []})
        start = clock.local(r["session.starts_at"], event["timezone"])
        code = f"{r['session.code']} " if r["session.code"] else ""
        line = f"{start:%a %H:%M} {code}{r['session.title']}"
        if line not in person["schedule"]:
            person["schedule"].append(line)
        if r["role"] in LEADER_ROLES and r["session.kind"] == SessionKind.balint_group.value:
            person["leads"].append(r["session.code"])
    badges = []
    for person in people.values():
        r = person["row"]
        role = "group_leader" if person["leads"] else "faculty"
        if filters.roles is not None and role not in filters.roles:
            continue
        first, last = r["speaker.first_name"], r["speaker.last_name"]
        badges.append(BadgeData(
            first_name=first, last_name=last, full_name=f"{first} {last}".strip(),
            credentials=r["speaker.credentials"], pronouns=r["speaker.pronouns"],
            institution=r["speaker.institution"], city_region=r["speaker.city_region"], role=role,
            group_label="Balint group leader" if person["leads"] else "",
            schedule=tuple(person["schedule"]), event_title=event["title"]))
    return sorted(badges, key=sort_key)
