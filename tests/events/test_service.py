from datetime import timedelta

import pytest

from confops.accounts.tables import Organizer
from confops.core import clock
from confops.core.auth import Principal, Role
from confops.core.errors import NotFound
from confops.events import service
from confops.events.kinds import EventKind
from confops.events.tables import Event


async def _event(org, slug, *, days, status="published", kind="course"):
    start = clock.now() + timedelta(days=days)
    row = Event(organizer=org, slug=slug, title=slug.title(), kind=kind, status=status, timezone="UTC",
                starts_at=start, ends_at=start + timedelta(hours=8))
    await row.save()
    return row


async def test_upcoming_past_drafts_and_kinds(db):
    org = Organizer(slug="o", name="Org")
    await org.save()
    await _event(org.id, "soon", days=3, kind="theme_day")
    await _event(org.id, "later", days=30)
    await _event(org.id, "before", days=-30)
    await _event(org.id, "secret", days=5, status="draft")
    await _event(org.id, "called-off", days=10, status="cancelled")
    upcoming = [e.slug for e in await service.list_events()]
    assert upcoming == ["soon", "called-off", "later"]
    assert [e.slug for e in await service.list_events(when=service.When.past)] == ["before"]
    assert [e.slug for e in await service.list_events(kind=EventKind.theme_day)] == ["soon"]
    assert await service.list_events(organizer="nobody") == []


async def test_drafts_are_visible_only_to_that_organizers_staff(db):
    org, other = Organizer(slug="o", name="Org"), Organizer(slug="x", name="Other")
    await org.save()
    await other.save()
    await _event(org.id, "secret", days=5, status="draft")
    with pytest.raises(NotFound):
        await service.get_event("secret")
    outsider = Principal(1, "a@x.org", "A", {other.id: frozenset({Role.admin})})
    with pytest.raises(NotFound):
        await service.get_event("secret", outsider)
    attendee = Principal(2, "b@x.org", "B", {org.id: frozenset({Role.attendee})})
    with pytest.raises(NotFound):
        await service.get_event("secret", attendee)
    registrar = Principal(3, "c@x.org", "C", {org.id: frozenset({Role.registrar})})
    assert (await service.get_event("secret", registrar)).slug == "secret"


async def test_event_detail_carries_program_and_speakers(db, demo):
    event = await service.get_event("abs-national-meeting")
    assert event.timezone == "America/Los_Angeles" and len(event.rooms) == 4
    keynote = next(s for s in event.sessions if s.code == "P2")
    assert [(sp.name, sp.role) for sp in keynote.speakers] == [("Samuel Okafor", "presenter"), ("Maya Goldberg", "moderator")]
    assert keynote.credit == 1.0 and keynote.room == "Plenary Hall"
    breaks = [s for s in event.sessions if s.kind == "break"]
    assert breaks and all(s.credit_quarters == 0 for s in breaks)
    assert all(s.credit_quarters % 1 == 0 for s in event.sessions)
    assert event.sessions == sorted(event.sessions, key=lambda s: (s.starts_at, s.id))
    event2, session = await service.get_session("abs-national-meeting", keynote.id)
    assert session == keynote
    with pytest.raises(NotFound):
        await service.get_session("balint-theme-day", keynote.id)  # a session of another event
