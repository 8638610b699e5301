"""The small-group service on both engines: the engine run from the database, stability across
a cancellation and a late registration, staff adjustments, publishing with e-mail, roster
attendance feeding CME, and the listeners other areas call."""

import contextlib
from datetime import timedelta

import pytest

from confops.accounts.service import load_principal
from confops.accounts.tables import User
from confops.core import clock, extension
from confops.core.errors import Conflict
from confops.core.tables import OutboxMessage
from confops.events.tables import Event, Session
from confops.groups import planning, published, runs, training
from confops.groups.kinds import RunStatus
from confops.groups.tables import GroupAttendance, GroupMember, LeaderTraining
from confops.registration.tables import Attendee

SLUG = "abs-national-meeting"


async def _series() -> int:
    event = await Event.select(Event.id).where(Event.slug == SLUG).first()
    return (await planning.series_of(event["id"]))["id"]


def _homes(groups) -> dict:
    return {m: g.number for g in groups for m in g.members}


@contextlib.contextmanager
def listening(name):
    seen = []

    async def record(**payload):
        seen.append(payload)

    extension._load()
    extension._providers[name].append(record)
    try:
        yield seen
    finally:
        extension._providers[name].remove(record)


async def test_demo_meeting_is_assigned_with_leaders_and_rooms(db, demo):
    series = await _series()
    run = await runs.run_of(series, RunStatus.published)
    groups = await runs.groups_of(run["id"])
    world = await runs.load_world(series)
    assert sorted(m for g in groups for m in g.members) == sorted(world.people)
    assert all(6 <= g.size <= 10 and g.leaders and g.room for g in groups)
    assert run["report"]["pins_broken"] == 0 and run["report"]["problems"] == []
    avery = await Attendee.select(Attendee.id, Attendee.event).where(Attendee.email == "attendee@example.org").first()
    lines = await extension.collect("badge_back_lines", event_id=avery["event"], attendee_ids=[avery["id"]])
    mine = next(x for x in lines if avery["id"] in x)[avery["id"]]
    assert mine[0].startswith("Balint group ") and " · Room " in mine[0]
    maya = await _newcomer_leader("maya@example.org")
    lines = await extension.collect("badge_back_lines", event_id=avery["event"], attendee_ids=[maya])
    assert next(x for x in lines if maya in x)[maya][0].startswith("Leads Balint group ")
    filters = [f for answer in await extension.collect("mail_filters", event_id=avery["event"]) for f in answer]
    group_filter = next(f for f in filters if f.key == "balint_group")
    number = int(mine[0].split()[2])
    assert avery["id"] in await group_filter.attendee_ids(str(number))


async def test_same_seed_same_groups_and_a_cancellation_moves_few(db, demo):
    series = await _series()
    published_run = await runs.run_of(series, RunStatus.published)
    before = _homes(await runs.groups_of(published_run["id"]))
    a, _ = await runs.assign_series(series, seed=7)
    b, _ = await runs.assign_series(series, seed=7)
    assert _homes(await runs.groups_of(a)) == _homes(await runs.groups_of(b))
    assert (await runs.run_by_id(series, a))["status"] == RunStatus.superseded.value  # one draft at a time

    gone = await Attendee.select(Attendee.id).where(Attendee.email == "blake.novak@example.org").first()
    await Attendee.update({Attendee.status: "cancelled"}).where(Attendee.id == gone["id"])
    run_id, result = await runs.assign_series(series, seed=3)
    after = _homes(await runs.groups_of(run_id))
    assert planning.attendee_key(gone["id"]) not in after
    moved = [k for k in after if before.get(k) != after[k]]
    assert len(moved) <= 2, moved
    assert result.report.removed == (planning.attendee_key(gone["id"]),)


async def test_publish_tells_only_people_whose_group_changed(db, demo, app):
    series = await _series()
    event = await Event.select(Event.id).where(Event.slug == SLUG).first()
    first = await Attendee.select().where(Attendee.email == "attendee@example.org").first()
    late = Attendee(order=first["order"], event=event["id"], category=first["category"], first_name="Late",
                    last_name="Comer", email="late@example.org", institution="Nowhere Clinic",
                    profession="nursing", checkin_code="late-code")
    await late.save()
    await planning.opt_in(series, late.id, "experience")
    run_id, result = await runs.assign_series(series, seed=2)
    assert result.report.added == (planning.attendee_key(late.id),) and result.report.moved == ()
    before = {m["id"] for m in await OutboxMessage.select(OutboxMessage.id)}  # the demo's own mail
    queued = await runs.publish(series, run_id, actor=None, base_url="http://testserver.local")
    mail = [m for m in await OutboxMessage.select(OutboxMessage.id, OutboxMessage.to_address, OutboxMessage.subject,
                                                  OutboxMessage.payload) if m["id"] not in before]
    assert queued == 1 and [m["to_address"] for m in mail] == ["late@example.org"]
    g = result.group_of(planning.attendee_key(late.id))
    assert f"group {g.number}, room {g.room}" in mail[0]["payload"]
    with pytest.raises(Conflict):
        await runs.publish(series, run_id, actor=None, base_url="")  # already published


async def test_staff_move_lock_and_pin(db, demo):
    series = await _series()
    run_id, _ = await runs.assign_series(series, seed=4)
    groups = await runs.groups_of(run_id)
    person = groups[0].members[0]
    run_id = await runs.move_person(series, run_id, person, groups[1].number)
    moved = await runs.run_by_id(series, run_id)
    assert _homes(await runs.groups_of(run_id))[person] == groups[1].number
    assert moved["report"]["smallest"] == groups[0].size - 1

    await runs.set_locked(series, run_id, groups[1].number, True)
    with pytest.raises(Conflict, match="locked"):
        await runs.move_person(series, run_id, groups[2].members[0], groups[1].number)
    # a new run keeps the locked group exactly as it is
    locked_members = set((await runs.groups_of(run_id))[1].members)
    a, b = groups[2].members[:2]
    await planning.add_pin(series, a, b, together=False)
    new_run, result = await runs.assign_series(series, seed=9)
    new_groups = {g.number: g for g in await runs.groups_of(new_run)}
    assert set(new_groups[groups[1].number].members) == locked_members and new_groups[groups[1].number].locked
    assert result.report.pins_broken == 0
    assert _homes(new_groups.values())[a] != _homes(new_groups.values())[b]
    # moving b next to a breaks the pin: the report says so and publishing is refused
    new_run = await runs.move_person(series, new_run, b, _homes(new_groups.values())[a])
    report = (await runs.run_by_id(series, new_run))["report"]
    assert report["pins_broken"] == 1 and any(p["code"] == "pin_not_kept" for p in report["problems"])
    with pytest.raises(Conflict, match="pin"):
        await runs.publish(series, new_run, actor=None, base_url="")


async def test_adjusting_the_published_run_starts_a_draft_copy(db, demo):
    series = await _series()
    published_run = await runs.run_of(series, RunStatus.published)
    groups = await runs.groups_of(published_run["id"])
    draft = await runs.move_person(series, published_run["id"], groups[0].members[0], groups[1].number)
    assert draft != published_run["id"]
    assert (await runs.run_by_id(series, published_run["id"]))["status"] == "published"
    assert (await runs.run_by_id(series, draft))["report"]["moved"] == [groups[0].members[0]]


async def test_infeasible_constraints_are_named(db, demo):
    series = await _series()
    await planning.ensure_series((await Event.select(Event.id).where(Event.slug == SLUG).first())["id"],
                                 min_size=6, max_size=7, ideal_size=6, group_count=2, separate_tracks=False)
    _, result = await runs.assign_series(series, seed=1)
    # 33 people in groups of at most 7 need 5 groups; the series has 4 rooms
    problem = next(p for p in result.report.problems if p.code == "too_few_rooms")
    assert "5 groups are needed but only 4 rooms" in problem.message
    lines = runs.report_lines((await runs.current_run(series))["report"], await runs.load_world(series))
    assert any("cannot all be met" in line for line in lines)


async def test_leader_marks_attendance_which_feeds_cme_and_training(db, demo):
    series = await _series()
    run = await runs.run_of(series, RunStatus.published)
    maya_group = await GroupMember.select(GroupMember.group.as_alias("id")).where(
        (GroupMember.group.run == run["id"]) & (GroupMember.leader.email == "maya@example.org")).first()
    maya = await load_principal((await User.select(User.id).where(User.email == "maya@example.org").first())["id"])
    data = await published.roster(maya_group["id"], maya)
    session = data["sessions"][0]
    here = {m["attendee_id"] for m in data["members"][:-1]}
    with pytest.raises(Conflict, match="started"):
        await published.mark_attendance(maya_group["id"], session["id"], here, maya)
    with listening("group_meeting_attended") as seen, clock.frozen_at(session["starts_at"] + timedelta(hours=1)):
        assert await published.mark_attendance(maya_group["id"], session["id"], here, maya) == len(here)
        await published.mark_attendance(maya_group["id"], session["id"], here, maya)  # again: no duplicates
    assert len(seen) == 2 * len(data["members"])
    assert {s["attendee_id"] for s in seen if s["present"]} == here
    assert await GroupAttendance.count() == len(data["members"])
    led = await LeaderTraining.select().where((LeaderTraining.email == "maya@example.org")
                                              & (LeaderTraining.kind == "led"))
    assert len(led) == 1 and led[0]["session"] == session["id"]
    with clock.frozen_at(session["starts_at"] + timedelta(days=1)):
        mine = await training.my_training("maya@example.org")
    assert mine[0]["progress"].get("leading").done == 1

    avery = await load_principal((await User.select(User.id).where(User.email == "attendee@example.org").first())["id"])
    with pytest.raises(Exception, match="leaders"):
        await published.roster(maya_group["id"], avery)


async def test_a_scan_into_a_group_session_marks_the_member_present(db, demo):
    series = await _series()
    avery = await Attendee.select(Attendee.id, Attendee.event).where(Attendee.email == "attendee@example.org").first()
    session = (await planning.series_sessions(series))[1]
    await extension.emit("session_scan_accepted", attendee_id=avery["id"], session_id=session["id"], direction="in",
                         scanned_at=session["starts_at"], list_id=1)
    mark = await GroupAttendance.select().where(GroupAttendance.attendee == avery["id"]).first()
    assert mark["present"] and mark["marked_by"] == "scan" and mark["session"] == session["id"]
    event = await Event.select(Event.id).where(Event.slug == SLUG).first()
    other = await Session.select(Session.id).where((Session.event == event["id"]) & (Session.code == "P1")).first()
    await extension.emit("session_scan_accepted", attendee_id=avery["id"], session_id=other["id"], direction="in",
                         scanned_at=session["starts_at"], list_id=1)
    assert await GroupAttendance.count() == 1  # a plenary is not a group meeting
    # The door undoes the scan (a mis-scan): the presence it made goes too.
    await extension.emit("scan_undone", attendee_id=avery["id"], event_id=avery["event"], list_id=1,
                         session_id=session["id"], direction="in", scanned_at=session["starts_at"])
    assert await GroupAttendance.count() == 0
    panels = [p for answer in await extension.collect("dashboard_panels", event_id=avery["event"]) for p in answer]
    sizes = next(p for p in panels if p.key == "balint_groups")
    assert sum(n for _, n in sizes.data) == 33


async def _newcomer_leader(email: str) -> int:
    """Register a pool leader for the meeting too (leaders need not register, but may)."""
    avery = await Attendee.select().where(Attendee.email == "attendee@example.org").first()
    row = Attendee(order=avery["order"], event=avery["event"], category=avery["category"], first_name="Maya",
                   last_name="Goldberg", email=email, checkin_code=f"code-{email}")
    await row.save()
    return row.id


async def test_every_published_leader_gets_a_group_leader_badge(db, demo):
    """Leaders lead without registering or being on the program: the roster still gives them a
    group-leader badge with their groups on the back; one who registered gets one badge, with QR."""
    from confops.documents.badge_data import badge_roster
    from confops.groups.tables import GroupLeader
    from tests.conftest import TEST_SECRET

    run = await runs.run_of(await _series(), RunStatus.published)
    leading = {r["leader.email"].lower() for r in await GroupMember.select(GroupMember.leader.email).where(
        (GroupMember.group.run == run["id"]) & GroupMember.leader.is_not_null())}
    assert leading
    registered = sorted(leading)[0]
    maya = await _newcomer_leader(registered)
    roster = await badge_roster(SLUG, secret_key=TEST_SECRET)
    pool = {r["email"].lower(): r["name"] for r in await GroupLeader.select(GroupLeader.email, GroupLeader.name).where(
        GroupLeader.email.is_in(sorted(leading)))}
    leaders = {b.full_name: b for b in roster.badges if b.role == "group_leader"}
    for email, name in pool.items():
        if email != registered:
            assert name in leaders and leaders[name].group_label == "Balint group leader"
            assert any(line.startswith("Leads Balint group ") for line in leaders[name].group_lines)
    [theirs] = [b for b in roster.badges if b.attendee_id == maya]
    assert theirs.role == "group_leader" and theirs.qr_token and theirs.group_label == "Balint group leader"
    assert any(line.startswith("Leads Balint group ") for line in theirs.group_lines)
    assert pool[registered] not in leaders or leaders[pool[registered]].attendee_id == maya  # one badge, not two
