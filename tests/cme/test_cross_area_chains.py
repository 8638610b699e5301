"""The real chains into CME evidence, on both engines: check-in's scans (an earlier offline scan
taking a later one's place, an undo) and a small-group leader's roll call, which also reaches the
back office's audit log. Nothing is emitted by hand here: the other areas' services do it."""

import json
from datetime import timedelta

from confops.accounts.service import load_principal
from confops.accounts.tables import User
from confops.backoffice.tables import AuditEntry
from confops.checkin import devices, offline, scanning
from confops.checkin.tables import CheckinScan
from confops.cme import evidence
from confops.cme.tables import AttendanceMark
from confops.core import clock
from confops.events.tables import Event
from confops.groups import planning, published, runs
from confops.groups.kinds import RunStatus
from confops.groups.tables import GroupMember
from tests.checkin.factory import make_door
from tests.cme.support import SLUG
from tests.conftest import TEST_SECRET


async def _marks(attendee_id: int) -> list[tuple[str, object]]:
    rows = await AttendanceMark.select(AttendanceMark.kind, AttendanceMark.at).where(
        AttendanceMark.attendee == attendee_id).order_by(AttendanceMark.kind)
    return [(r["kind"], r["at"]) for r in rows]


async def test_offline_scans_and_undo_leave_one_mark_at_the_earliest_time(db):
    door = await make_door(1)
    await Event.update({Event.cme_enabled: True}).where(Event.id == door.event_id)
    person = door.people[0]
    _, token_b = await devices.create_device(door.event_id, "Door B", [], None)
    dev_a, dev_b = await devices.device_for_token(door.device_token), await devices.device_for_token(token_b)
    lst = await devices.list_for_device(dev_a, door.session_list)
    key = await devices.event_key(door.event_id, TEST_SECRET)
    badge = await door.token(person)
    t0 = (clock.now() - timedelta(minutes=30)).replace(microsecond=0)

    # Door B's later scan arrives first; Door A's earlier one takes its place: one "in" mark, at t0.
    await offline.upload(dev_b, {lst.id: lst}, key, [offline.QueuedScan("b", lst.id, badge, t0 + timedelta(minutes=2))])
    assert await _marks(person) == [("in", t0 + timedelta(minutes=2))]
    await offline.upload(dev_a, {lst.id: lst}, key, [offline.QueuedScan("a", lst.id, badge, t0)])
    assert await _marks(person) == [("in", t0)]
    # An "out" scan is its own mark; a later "in" upload (a third door) does not move the earliest.
    await offline.upload(dev_b, {lst.id: lst}, key, [offline.QueuedScan("b-out", lst.id, badge,
                                                                        t0 + timedelta(minutes=20), "out")])
    await offline.upload(dev_b, {lst.id: lst}, key, [offline.QueuedScan("b2", lst.id, badge, t0 + timedelta(minutes=5))])
    assert await _marks(person) == [("in", t0), ("out", t0 + timedelta(minutes=20))]

    # Door B undoes its last check-in (the "out"): only that mark goes.
    undone = await scanning.undo_last(dev_b)
    assert undone["direction"] == "out"
    assert await _marks(person) == [("in", t0)]
    # Door A undoes the "in" (its scan holds the check-in after the replacement): the evidence goes too.
    undone = await scanning.undo_last(dev_a)
    assert undone["direction"] == "in" and undone["attendee"] == person
    assert await _marks(person) == []

    # The entrance list: a scan is an entry mark for that day, and an undo withdraws it.
    entry = await devices.list_for_device(dev_a, door.entry_list)
    outcome = await scanning.scan(dev_a, entry, key, nonce="e1", token=badge, attendee_id=None, direction="in")
    assert outcome.result == "ok" and [k for k, _ in await _marks(person)] == ["entry"]
    await scanning.undo_last(dev_a)
    assert await _marks(person) == []


async def test_cme_switched_on_while_a_door_is_scanning_still_marks_entry_with_the_scan(db):
    # The door picks its path from the CME flag as it was a few seconds ago (without CME the
    # scan is one statement on its own); the scan right after CME is switched on is evidence.
    door = await make_door(2)
    dev = await devices.device_for_token(door.device_token)
    entry = await devices.list_for_device(dev, door.entry_list)
    key = await devices.event_key(door.event_id, TEST_SECRET)
    first, second = door.people

    async def scan(person, nonce):
        return await scanning.scan(dev, entry, key, nonce=nonce, token=await door.token(person), attendee_id=None,
                                   direction="in")

    assert (await scan(first, "a")).result == "ok" and await _marks(first) == []
    await Event.update({Event.cme_enabled: True}).where(Event.id == door.event_id)
    assert (await scan(second, "b")).result == "ok"
    assert [k for k, _ in await _marks(second)] == ["entry"]
    assert (await scan(second, "c")).result == "already_checked_in"
    assert len(await _marks(second)) == 1 and await CheckinScan.count() == 2


async def test_an_undo_on_an_event_without_cme_changes_nothing(db):
    door = await make_door(1)
    dev = await devices.device_for_token(door.device_token)
    lst = await devices.list_for_device(dev, door.session_list)
    key = await devices.event_key(door.event_id, TEST_SECRET)
    outcome = await scanning.scan(dev, lst, key, nonce="n1", token=await door.token(door.people[0]),
                                  attendee_id=None, direction="in")
    assert outcome.result == "ok" and await _marks(door.people[0]) == []
    assert (await scanning.undo_last(dev))["attendee"] == door.people[0]
    assert await AttendanceMark.count() == 0


async def test_a_roll_call_becomes_cme_evidence_and_an_audit_entry(db, demo):
    event = await Event.select(Event.id).where(Event.slug == SLUG).first()
    series = (await planning.series_of(event["id"]))["id"]
    run = await runs.run_of(series, RunStatus.published)
    group = await GroupMember.select(GroupMember.group.as_alias("id")).where(
        (GroupMember.group.run == run["id"]) & (GroupMember.leader.email == "maya@example.org")).first()
    maya_id = (await User.select(User.id).where(User.email == "maya@example.org").first())["id"]
    maya = await load_principal(maya_id)
    data = await published.roster(group["id"], maya)
    session = data["sessions"][0]
    members = sorted(m["attendee_id"] for m in data["members"])
    here = set(members[:-1])

    with clock.frozen_at(session["starts_at"] + timedelta(hours=1)):
        await published.mark_attendance(group["id"], session["id"], here, maya)
        await published.mark_attendance(group["id"], session["id"], set(members), maya)  # a late arrival

    marks = await AttendanceMark.select().where((AttendanceMark.session == session["id"])
                                                & (AttendanceMark.kind == "group"))
    assert sorted(m["attendee"] for m in marks) == members  # one mark each, the second roll call wins
    assert all(m["present"] and m["recorded_by"] == maya_id for m in marks)

    entries = await AuditEntry.select().where(AuditEntry.action == "group_attendance_marked").order_by(AuditEntry.id)
    assert [(e["actor_id"], e["actor_email"], e["entity_id"]) for e in entries] == [
        (maya_id, "maya@example.org", str(group["id"]))] * 2
    before, after = (json.loads(entries[1][k]) if isinstance(entries[1][k], str) else entries[1][k]
                     for k in ("before", "after"))
    assert before == {"session_id": session["id"], "present": sorted(here)}
    assert after == {"session_id": session["id"], "present": members}


async def test_entry_marks_are_one_per_local_day_at_the_earliest_time(db):
    """Days are the event's own (Chicago): 23:30 and 00:30 local are two days, though both fall
    on one UTC date; a late offline scan from earlier that day moves the mark back."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    door = await make_door(1)
    await Event.update({Event.cme_enabled: True, Event.timezone: "America/Chicago"}).where(Event.id == door.event_id)
    person = door.people[0]
    chicago = ZoneInfo("America/Chicago")
    late_day1 = datetime(2026, 3, 12, 23, 30, tzinfo=chicago)  # 05:30 UTC on 13 March
    early_day2 = datetime(2026, 3, 13, 0, 30, tzinfo=chicago)  # 06:30 UTC, the same UTC date
    await evidence.record_entry_scan(person, door.event_id, late_day1)
    await evidence.record_entry_scan(person, door.event_id, early_day2)
    await evidence.record_entry_scan(person, door.event_id, early_day2 + timedelta(hours=9))  # back from lunch
    assert [at for _, at in await _marks(person)] == [late_day1, early_day2]
    await evidence.record_entry_scan(person, door.event_id, late_day1 - timedelta(hours=14))  # earlier, same day
    assert sorted(at for _, at in await _marks(person)) == [late_day1 - timedelta(hours=14), early_day2]

    await Event.update({Event.cme_enabled: False}).where(Event.id == door.event_id)
    await evidence.record_entry_scan(person, door.event_id, early_day2 + timedelta(days=1))
    assert len(await _marks(person)) == 2  # no CME, no evidence
