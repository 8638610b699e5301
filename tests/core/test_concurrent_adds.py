"""Two staff (or one double click) adding the same thing at the same moment: one row, and the
other gets the answer a second add would get (a field message, or the same row), never a 500
from a failed insert. Each add runs several times at once, as the requests would."""

from __future__ import annotations

import asyncio

from confops.accounts.service import create_user
from confops.accounts.tables import RoleGrant, User
from confops.core.auth import Role
from confops.core.errors import Conflict, Invalid
from confops.events import schedule
from confops.events.tables import Event, Room, Session, Track
from confops.groups import planning
from confops.groups.tables import GroupLeader, GroupParticipant, GroupPin
from confops.registration.tables import Attendee, AttendeeStatus
from confops.speakers import invitations
from confops.speakers.tables import EventPlanner, SessionSpeaker, Speaker, SpeakerInvitation
from tests.cme.support import principal_of

SLUG = "abs-national-meeting"
AT_ONCE = 4


async def _at_once(make) -> list:
    return await asyncio.gather(*(make() for _ in range(AT_ONCE)), return_exceptions=True)


def _unexpected(results, *allowed: type) -> list:
    return [r for r in results if isinstance(r, BaseException) and not isinstance(r, allowed)]


async def test_the_same_room_and_track_added_at_once_are_one_each(db, demo):
    admin = await principal_of("admin@example.org")
    rooms = await _at_once(lambda: schedule.add_room(admin, SLUG, "Birch Room", "30"))
    tracks = await _at_once(lambda: schedule.add_track(admin, SLUG, "Research"))
    assert not _unexpected(rooms, Invalid) and not _unexpected(tracks, Invalid), (rooms, tracks)
    assert await Room.count().where(Room.name == "Birch Room") == 1
    assert await Track.count().where(Track.name == "Research") == 1
    refused = [r for r in rooms if isinstance(r, Invalid)]
    assert len(refused) == AT_ONCE - 1
    assert all(e.field == "name" for r in refused for e in r.errors), refused


async def test_a_speaker_assigned_twice_at_once_is_in_the_session_once(db, demo):
    admin = await principal_of("admin@example.org")
    event = await Event.select(Event.id, Event.organizer).where(Event.slug == SLUG).first()
    session = await Session.select(Session.id).where((Session.event == event["id"]) & (Session.code == "W3")).first()
    speaker = await Speaker.select(Speaker.id).where(Speaker.organizer == event["organizer"]).first()
    await SessionSpeaker.delete().where((SessionSpeaker.session == session["id"])
                                        & (SessionSpeaker.speaker == speaker["id"]))
    results = await _at_once(lambda: schedule.assign_speaker(admin, SLUG, session["id"], speaker["id"], "moderator"))
    assert not _unexpected(results), results
    assert await SessionSpeaker.count().where((SessionSpeaker.session == session["id"])
                                              & (SessionSpeaker.speaker == speaker["id"])) == 1


async def test_an_invitation_sent_twice_at_once_makes_one_speaker_link_and_invitation(db, demo):
    admin = await principal_of("admin@example.org")
    session = await Session.select(Session.id).where((Session.event.slug == SLUG) & (Session.code == "W3")).first()

    async def invite():
        return await invitations.invite(admin, event_slug=SLUG, session_ids=[session["id"]],
                                        email="new.speaker@example.org", first_name="Noor", last_name="Haddad",
                                        role="presenter", base_url="http://confops.test")

    results = await _at_once(invite)
    assert not _unexpected(results), results
    speaker = await Speaker.select(Speaker.id).where(Speaker.email == "new.speaker@example.org")
    assert len(speaker) == 1
    links = await SessionSpeaker.select(SessionSpeaker.id).where(SessionSpeaker.speaker == speaker[0]["id"])
    assert len(links) == 1
    assert await SpeakerInvitation.count().where(SpeakerInvitation.session_speaker == links[0]["id"]) == 1

    async def add_planner():
        return await invitations.add_planner(admin, event_slug=SLUG, email="planner.two@example.org",
                                             first_name="Ines", last_name="Okafor", role="reviewer",
                                             base_url="http://confops.test")

    planners = await _at_once(add_planner)
    assert not _unexpected(planners), planners
    planner = await Speaker.select(Speaker.id).where(Speaker.email == "planner.two@example.org")
    assert len(planner) == 1 and await EventPlanner.count().where(EventPlanner.speaker == planner[0]["id"]) == 1


async def test_one_role_granted_at_once_is_held_once(db, demo):
    results = await _at_once(lambda: create_user("coordinator.two@example.org", "Ana Costa",
                                                 roles=[("abs", Role.cme_coordinator)]))
    assert not _unexpected(results), results
    user = await User.select(User.id).where(User.email == "coordinator.two@example.org").first()
    assert await RoleGrant.count().where(RoleGrant.user == user["id"]) == 1


async def _series() -> int:
    event = await Event.select(Event.id).where(Event.slug == SLUG).first()
    return (await planning.series_of(event["id"]))["id"]


async def test_a_leader_and_a_pin_added_at_once_are_one_each(db, demo):
    series = await _series()
    leaders = await _at_once(lambda: planning.add_leader(series, name="Rhea Moss", email="rhea.moss@example.org",
                                                         discipline="physician", experience="credentialed"))
    assert not _unexpected(leaders, Conflict), leaders
    assert await GroupLeader.count().where(GroupLeader.email == "rhea.moss@example.org") == 1
    assert sum(isinstance(r, int) for r in leaders) == 1
    assert all(e.field == "email" for r in leaders if isinstance(r, Conflict) for e in r.errors), leaders

    people = await Attendee.select(Attendee.id).where((Attendee.event.slug == SLUG)
                                                      & (Attendee.status == AttendeeStatus.active.value)).limit(2)
    a, b = (f"a{p['id']}" for p in people)
    await GroupPin.delete().where(GroupPin.series == series)
    pins = await _at_once(lambda: planning.add_pin(series, a, b, together=False))
    assert not _unexpected(pins, Conflict), pins
    assert await GroupPin.count().where(GroupPin.series == series) == 1


async def test_opting_in_at_once_is_one_participation(db, demo):
    series = await _series()
    person = (await Attendee.select(Attendee.id).where((Attendee.event.slug == SLUG)
                                                       & (Attendee.status == AttendeeStatus.active.value)).first())["id"]
    await GroupParticipant.delete().where(GroupParticipant.series == series)
    results = await _at_once(lambda: planning.opt_in(series, person, "leadership"))
    assert not _unexpected(results), results
    rows = await GroupParticipant.select().where((GroupParticipant.series == series)
                                                 & (GroupParticipant.attendee == person))
    assert len(rows) == 1 and rows[0]["track"] == "leadership"

    everyone = await _at_once(lambda: planning.opt_in_everyone(series))
    assert not _unexpected(everyone), everyone
    active = await Attendee.count().where((Attendee.event.slug == SLUG) & (Attendee.status == AttendeeStatus.active.value))
    assert await GroupParticipant.count().where(GroupParticipant.series == series) == active
    assert sum(everyone) == active - 1  # each joined once, counted by the run that added them


async def test_a_cme_profile_sent_twice_at_once_is_one_profile_with_the_last_answers(db, demo):
    from confops.cme import profile
    from confops.cme.tables import CmeProfile

    learner = await principal_of("attendee@example.org")
    await CmeProfile.delete().where(CmeProfile.user == learner.user_id)
    form = {"board_id": "ABIM-123456", "licence_id": "", "birth_month": "4", "birth_day": "17", "pars_consent": "1"}
    results = await _at_once(lambda: profile.save(learner, form))
    assert not _unexpected(results), results
    rows = await CmeProfile.select().where(CmeProfile.user == learner.user_id)
    assert len(rows) == 1 and rows[0]["board_id"] == "ABIM-123456" and rows[0]["birth_day"] == 17
    await profile.save(learner, {**form, "board_id": "ABIM-654321"})
    assert (await profile.get(learner.user_id))["board_id"] == "ABIM-654321"



async def test_an_event_and_a_category_created_at_once_are_one_each(db, demo):
    from confops.accounts.tables import Organizer
    from confops.registration import event_setup
    from confops.registration.tables import AddOn, Category
    from tests.events.test_event_setup import NEW

    admin = await principal_of("admin@example.org")
    organizer = (await Organizer.select(Organizer.id).where(Organizer.slug == "abs").first())["id"]
    form = NEW  # the event set-up test's theme day
    made = await _at_once(lambda: event_setup.create_event(admin, organizer, form))
    assert not _unexpected(made, Invalid), made
    assert made.count("spring-theme-day") == 1, made
    assert await Event.count().where(Event.slug == "spring-theme-day") == 1

    category = {"code": "member", "label": "Member", "regular": "120.00"}
    added = await _at_once(lambda: event_setup.add_category(admin, "spring-theme-day", category))
    assert not _unexpected(added, Conflict), added
    assert await Category.count().where((Category.event.slug == "spring-theme-day") & (Category.code == "member")) == 1

    addon = {"addon_code": "lunch", "addon_label": "Boxed lunch", "addon_price": "12.50"}
    added = await _at_once(lambda: event_setup.add_addon(admin, "spring-theme-day", addon))
    assert not _unexpected(added, Conflict), added
    assert await AddOn.count().where((AddOn.event.slug == "spring-theme-day") & (AddOn.code == "lunch")) == 1


async def test_a_cme_designation_saved_twice_at_once_is_one_row_each(db, demo):
    from confops.cme import designation
    from confops.cme.tables import CmeActivity, CmeSessionCredit

    coordinator = await principal_of("cme@example.org")
    slug = "leader-training-intensive"
    event = await Event.select(Event.id).where(Event.slug == slug).first()
    await CmeActivity.delete().where(CmeActivity.event == event["id"])
    form = {"provider": "American Balint Society", "accreditation": "Accredited by the ACCME.",
            "offer_ama_pra_1": "on", "max_ama_pra_1": "14.5", "statement_ama_pra_1": "Designated for 14.5.",
            "learning_format": "live", "location": "Bangor, PA", "evidence": "session_scans",
            "min_presence_percent": "80"}
    saved = await _at_once(lambda: designation.save_activity(coordinator, slug, form))
    assert not _unexpected(saved), saved
    assert await CmeActivity.count().where(CmeActivity.event == event["id"]) == 1

    # a session saved again as it is (its credit and types), its row gone first
    session = await Session.select(Session.id, Session.credit_quarters).where(
        (Session.event == event["id"]) & (Session.credit_quarters > 0)).first()
    row = await CmeSessionCredit.select().where(CmeSessionCredit.session == session["id"]).first()
    types = [t for t in (row["credit_types"] if row else "ama_pra_1").split(",") if t]
    await CmeSessionCredit.delete().where(CmeSessionCredit.session == session["id"])
    credit = f"{session['credit_quarters'] / 4:.2f}"
    credits = await _at_once(lambda: designation.save_session(coordinator, slug, session["id"], credit, types, ""))
    assert not _unexpected(credits), credits
    assert await CmeSessionCredit.count().where(CmeSessionCredit.session == session["id"]) == 1
