"""On PostgreSQL, the entry scans a process has waiting at an event without CME are written
together, one statement for all of them (fast_scan.py): each scan keeps the answer it would
have had alone, first scan wins within a batch as between batches, and one scan's error stays
its own."""

import asyncio
import contextlib
from collections import Counter

from confops.checkin import fast_scan
from confops.checkin.tables import CheckinScan
from confops.core import clock, extension
from confops.events.tables import Event
from confops.registration.tables import Attendee
from tests.checkin.factory import add_people, make_door
from tests.checkin.test_scanning import _scan
from tests.support.statements import statements_seen


@contextlib.contextmanager
def accepted_scans():
    """The entry_scan_accepted announcements made meanwhile (what feeds live counts and CME)."""
    heard: list[dict] = []

    async def listener(**payload):
        heard.append(payload)

    extension._load()
    extension._providers["entry_scan_accepted"].append(listener)
    try:
        yield heard
    finally:
        extension._providers["entry_scan_accepted"].remove(listener)


def _batched(seen) -> list[tuple]:
    return [args for query, args in seen if "unnest" in query and "checkin_scan" in query]


async def test_scans_arriving_together_share_statements_and_keep_their_own_answers(pg_db):
    door = await make_door(30)
    tokens = {p: await door.token(p) for p in door.people}
    unpaid = (await add_people(door.event_id, 1, order_status="awaiting_payment", total_cents=87500))[0]
    revoked = door.people[29]
    stale = tokens[revoked]
    await Attendee.update({Attendee.token_version: 2}).where(Attendee.id == revoked)
    asks = [dict(token=tokens[p], nonce=f"n{p}") for p in door.people[:29]]
    asks += [dict(token=tokens[door.people[0]], nonce=f"again{i}") for i in range(4)]  # the same badge again
    asks += [dict(token=tokens[door.people[1]], nonce=f"n{door.people[1]}")]  # a retried request
    asks += [dict(token=await door.token(unpaid)), dict(token=stale)]
    with statements_seen() as seen, accepted_scans() as heard:
        answers = await asyncio.gather(*(_scan(door, **ask) for ask in asks))

    assert all(a.result == "ok" for a in answers[1:29])
    first = [answers[0], *answers[29:33]]  # the first person's five scans: one wins, whichever came first
    assert Counter(a.result for a in first) == {"ok": 1, "already_checked_in": 4}
    winner = next(a for a in first if a.result == "ok")
    assert all(a.scan_id == winner.scan_id and a.station == "Door A" for a in first)
    assert all(a.checked_in_at == winner.checked_in_at for a in first)
    assert answers[33].result == "ok" and answers[33].scan_id == answers[1].scan_id  # same nonce, same answer
    assert answers[34].result == "unpaid" and "balance due $875.00" in answers[34].notes
    assert answers[35].result == "revoked"
    assert [a.name for a in answers[:29]] == [f"Guest{i} Person{i:03d}" for i in range(29)]

    assert await CheckinScan.count() == 29
    assert sorted(h["attendee_id"] for h in heard) == sorted(door.people[:29])  # each check-in announced once
    batches = _batched(seen)
    # The first scan goes at once; those arriving while it runs go together after it.
    assert 1 < len(batches) < len(asks) - 2, [len(b[0]) for b in batches]
    assert sum(len(b[0]) for b in batches) == len(asks)


async def test_one_scans_error_stays_its_own(pg_db):
    door = await make_door(4)
    device_id = door.device["id"]
    scans = [dict(event_id=door.event_id, attendee_id=p, token_version=1, list_id=door.entry_list,
                  device_id=device_id, station="Door A", direction="in", at=clock.now(),
                  nonce_key=f"{device_id}:k{p}", once_key=f"{door.entry_list}:{p}:in") for p in door.people]
    scans[2]["list_id"] = 999999  # a list deleted a moment ago: the database refuses its row
    with statements_seen() as seen:
        rows = await asyncio.gather(*(fast_scan.lookup_and_insert(**s, alone=True) for s in scans),
                                    return_exceptions=True)
    assert "checkin_list" in str(rows[2])
    assert [r["id"] for i, r in enumerate(rows) if i != 2] == [p for i, p in enumerate(door.people) if i != 2]
    assert all(r["scan_id"] is not None for i, r in enumerate(rows) if i != 2)
    assert any(len(args[0]) > 1 for args in _batched(seen))  # the failing row had company
    assert await CheckinScan.count() == 3


async def test_at_a_cme_event_a_batch_inserts_nothing_and_each_scan_goes_with_its_evidence(pg_db):
    # CME switched on a moment ago, while the scanner's cache still says no: the shared
    # statement writes nothing, and scanning.py runs each scan again in a transaction.
    door = await make_door(3)
    await Event.update({Event.cme_enabled: True}).where(Event.id == door.event_id)
    device_id = door.device["id"]
    rows = await asyncio.gather(*(fast_scan.lookup_and_insert(
        event_id=door.event_id, attendee_id=p, token_version=1, list_id=door.entry_list, device_id=device_id,
        station="Door A", direction="in", at=clock.now(), nonce_key=f"{device_id}:k{p}",
        once_key=f"{door.entry_list}:{p}:in", alone=True) for p in door.people))
    assert [(r["id"], r["scan_id"], r["event_cme_enabled"]) for r in rows] == [(p, None, True) for p in door.people]
    assert await CheckinScan.count() == 0
    tokens = [await door.token(p) for p in door.people]
    with accepted_scans() as heard:
        answers = await asyncio.gather(*(_scan(door, t) for t in tokens))
    assert [a.result for a in answers] == ["ok"] * 3
    assert sorted(h["attendee_id"] for h in heard) == sorted(door.people)
    assert await CheckinScan.count() == 3


async def test_scans_together_on_either_engine_check_each_person_in_once(db):
    door = await make_door(10)
    tokens = [await door.token(p) for p in door.people]
    answers = await asyncio.gather(*(_scan(door, t) for t in tokens + tokens))
    assert Counter(a.result for a in answers) == {"ok": 10, "already_checked_in": 10}
    assert await CheckinScan.count() == 10


async def test_at_a_cme_event_scans_arriving_together_share_one_transaction_with_their_evidence(pg_db):
    from confops.cme.tables import AttendanceMark

    door = await make_door(12)
    await Event.update({Event.cme_enabled: True}).where(Event.id == door.event_id)
    tokens = [await door.token(p) for p in door.people]
    with statements_seen() as seen, accepted_scans() as heard:
        answers = await asyncio.gather(*(_scan(door, t) for t in tokens + tokens[:3]))
    assert Counter(a.result for a in answers) == {"ok": 12, "already_checked_in": 3}
    assert sorted(h["attendee_id"] for h in heard) == sorted(door.people)
    marks = await AttendanceMark.select(AttendanceMark.attendee).where(AttendanceMark.kind == "entry")
    assert sorted(m["attendee"] for m in marks) == sorted(door.people)  # the evidence, once each
    batches = _batched(seen)
    assert 1 < len(batches) < 15 and sum(len(b[0]) for b in batches) == 15, [len(b[0]) for b in batches]
    assert not [q for q, _ in seen if q.startswith("WITH p AS")]  # no scan went on its own
    evidence = [args for q, args in seen if q.startswith("INSERT INTO attendance_mark")]
    assert all("unnest" in q for q, _ in seen if q.startswith("INSERT INTO attendance_mark"))
    assert len(evidence) <= len(batches) and sum(len(a[0]) for a in evidence) == 12  # a batch's marks together


async def test_evidence_of_many_scans_at_once_is_one_mark_a_person_and_day_at_the_earliest(pg_db):
    from datetime import datetime, timedelta

    from confops.cme.tables import AttendanceMark
    from confops.core.extension import emit_many

    door = await make_door(3)
    await Event.update({Event.cme_enabled: True, Event.timezone: "America/Chicago"}).where(
        Event.id == door.event_id)
    a, b, c = door.people
    day = datetime.fromisoformat("2026-12-03T09:00:00-06:00")
    await AttendanceMark.insert(AttendanceMark(attendee=a, event=door.event_id, kind="entry", present=True,
                                               at=day + timedelta(hours=1), reason=""))
    event = {"cme_enabled": True, "timezone": "America/Chicago"}

    def scanned(who, at):
        return ("entry_scan_accepted", dict(attendee_id=who, event_id=door.event_id, scanned_at=at,
                                            list_id=door.entry_list, event=event))

    with statements_seen() as seen:
        await emit_many([scanned(a, day + timedelta(minutes=30)),  # earlier than the mark a has
                         scanned(b, day + timedelta(hours=1)), scanned(b, day + timedelta(minutes=45)),
                         scanned(c, day + timedelta(hours=16)),  # 01:00 the next day in Chicago
                         scanned(c, day + timedelta(hours=14))])  # 23:00 the same day
    marks = await AttendanceMark.select(AttendanceMark.attendee, AttendanceMark.at).where(
        AttendanceMark.kind == "entry").order_by(AttendanceMark.attendee).order_by(AttendanceMark.at)
    assert [(m["attendee"], m["at"]) for m in marks] == [
        (a, day + timedelta(minutes=30)), (b, day + timedelta(minutes=45)),
        (c, day + timedelta(hours=14)), (c, day + timedelta(hours=16))]
    assert len([q for q, _ in seen if q.startswith("INSERT INTO attendance_mark")]) == 1


async def test_at_a_cme_event_a_listener_failing_for_one_scan_costs_only_that_scan(pg_db):
    from confops.cme.tables import AttendanceMark

    door = await make_door(6)
    await Event.update({Event.cme_enabled: True}).where(Event.id == door.event_id)
    unlucky = door.people[3]

    async def failing(*, attendee_id, **_):
        if attendee_id == unlucky:
            raise RuntimeError("evidence store refused")

    tokens = [await door.token(p) for p in door.people]
    extension._load()
    extension._providers["entry_scan_accepted"].append(failing)
    try:
        with statements_seen() as seen:
            answers = await asyncio.gather(*(_scan(door, t) for t in tokens), return_exceptions=True)
    finally:
        extension._providers["entry_scan_accepted"].remove(failing)
    assert isinstance(answers[3], RuntimeError)
    assert [a.result for i, a in enumerate(answers) if i != 3] == ["ok"] * 5
    assert any(len(args[0]) > 1 for args in _batched(seen))  # it had company, and took none of it down
    assert sorted(s["attendee"] for s in await CheckinScan.select(CheckinScan.attendee)) == sorted(
        p for p in door.people if p != unlucky)
    marks = await AttendanceMark.select(AttendanceMark.attendee).where(AttendanceMark.kind == "entry")
    assert sorted(m["attendee"] for m in marks) == sorted(p for p in door.people if p != unlucky)
