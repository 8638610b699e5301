"""One story of the numbers (issue 30): the learners counted as having attendance recorded (the
CME page, the learner list's "attended, not claimed" filter, the dashboard's CME panel) are
counted by the window credit uses. A scan into a session a day before it began proves nothing
about the session: the learner's credit ignores it, and so do the counts."""

from __future__ import annotations

from datetime import timedelta

from piccolo.columns.combination import WhereRaw

from confops.cme import learners, recorded
from confops.cme.learner_list import counts, learner_page
from confops.cme.listeners import claims_progress
from confops.core.extension import emit
from confops.db import current_engine
from confops.events.tables import Event, Session
from confops.registration.tables import Attendee
from tests.cme.support import SLUG, learner, meeting_over, session


async def _scan(attendee_id: int, code: str, at_offset: timedelta) -> None:
    s = await session(code)
    await emit("session_scan_accepted", attendee_id=attendee_id, session_id=s["id"], direction="in",
               scanned_at=s["starts_at"] + at_offset, list_id=1)


async def _figures(event: dict) -> tuple[int, int, int]:
    [panel] = await claims_progress(event_id=event["id"])
    return (await counts(event))["attended"], (await learner_page(event, show="attended")).total, dict(panel.data)[
        "Attended"]


async def test_a_scan_outside_every_window_is_not_counted_as_attendance(demo):
    await meeting_over()
    event = await Event.select().where(Event.slug == SLUG).first()
    morgan = await learner("morgan@example.org")

    await _scan(morgan["id"], "P1", -timedelta(days=1))  # the day before: passing the door, not attending
    assert not (await learners.state(morgan, event))["attended"]
    assert await _figures(event) == (0, 0, 0)

    await _scan(morgan["id"], "P1", -timedelta(minutes=2))  # inside the window: attended, and counted
    assert (await learners.state(morgan, event))["attended"]
    assert await _figures(event) == (1, 1, 1)


async def test_an_unpaid_learners_attendance_is_not_counted_until_paid(demo):
    """Only a settled registration can claim (cme/learners.py standings): the counts, the
    "attended, not claimed" list (whom the reminder is for) and the panel leave the unpaid out
    alike, as the dashboard's "confirmed" does."""
    from confops.registration.intake import AttendeeIn, OrderIn
    from confops.registration.orders import place_order
    from confops.registration.tables import Attendee

    await meeting_over()
    event = await Event.select().where(Event.slug == SLUG).first()
    order = await place_order(SLUG, OrderIn(
        buyer_name="Uma Unpaid", buyer_email="uma@example.org", idempotency_key="attended-unpaid-0001",
        attendees=[AttendeeIn(category="member", email="uma@example.org", first_name="Uma", last_name="Unpaid",
                              answers={"first_meeting": "no"})]), hold_minutes=30, base_url="http://testserver.local")
    uma = await Attendee.select().where(Attendee.order == order.id).first()
    await _scan(uma["id"], "P1", -timedelta(minutes=2))
    assert await _figures(event) == (0, 0, 0)


async def _agree(event: dict, expected: int | None = None) -> int:
    """The three figures agree (and say `expected`), and so do the running tally and the marks
    (`confops check`)."""
    from confops.cme import tallies

    n, listed, panel = await _figures(event)
    assert (listed, panel) == (n, n) and expected in (None, n), (n, listed, panel, expected)
    assert await tallies.differences(event["id"]) == []
    return n


async def test_attendance_counted_follows_every_write_that_changes_it(demo):
    """Whatever writes the rows (a service, /admin, a bulk statement): moving a session after its
    scans, a scan outside the window, a second scan of the same person, a cancelled registration,
    an order paid or not, a staff correction and an attestation, the scan window setting."""
    from confops.cme.tables import AttendanceMark, CmeActivity
    from confops.registration.tables import Attendee, Order

    await meeting_over()
    event = await Event.select().where(Event.slug == SLUG).first()
    morgan = await learner("morgan@example.org")
    p1, p2 = await session("P1"), await session("P2")
    await _agree(event, 0)

    await _scan(morgan["id"], "P1", -timedelta(minutes=2))
    await _agree(event, 1)
    await _scan(morgan["id"], "P2", timedelta(minutes=5))  # a second session: the same one learner
    await _agree(event, 1)

    # P1 moved a day later after its scan: that scan is now before P1's window, P2's still counts
    await Session.update({Session.starts_at: p1["starts_at"] + timedelta(days=1),
                          Session.ends_at: p1["ends_at"] + timedelta(days=1)}).where(Session.id == p1["id"])
    await _agree(event, 1)
    await AttendanceMark.delete().where((AttendanceMark.attendee == morgan["id"])
                                        & (AttendanceMark.session == p2["id"]))
    await _agree(event, 0)  # only the scan outside P1's window is left
    await Session.update({Session.starts_at: p1["starts_at"], Session.ends_at: p1["ends_at"]}).where(
        Session.id == p1["id"])
    await _agree(event, 1)  # moved back: the scan is inside again

    # 2 minutes early counts with the usual 15; with a window of 0 it does not
    await CmeActivity.update({CmeActivity.scan_early_minutes: 0}).where(CmeActivity.event == event["id"])
    await _agree(event, 0)
    await CmeActivity.update({CmeActivity.scan_early_minutes: 15}).where(CmeActivity.event == event["id"])
    await _agree(event, 1)

    # the scan's own time moved out of the window and back (an earlier offline scan taking its place)
    mark = await AttendanceMark.select().where(AttendanceMark.attendee == morgan["id"]).first()
    await AttendanceMark.update({AttendanceMark.at: p1["starts_at"] - timedelta(hours=3)}).where(
        AttendanceMark.id == mark["id"])
    await _agree(event, 0)
    await AttendanceMark.update({AttendanceMark.at: mark["at"]}).where(AttendanceMark.id == mark["id"])
    await _agree(event, 1)

    # a cancelled registration's scans count for no one; reinstated, they count again
    await Attendee.update({Attendee.status: "cancelled"}).where(Attendee.id == morgan["id"])
    await _agree(event, 0)
    await Attendee.update({Attendee.status: "active"}).where(Attendee.id == morgan["id"])
    await _agree(event, 1)

    # an order no longer settled (and settled again)
    await Order.update({Order.status: "awaiting_payment"}).where(Order.id == morgan["order"])
    await _agree(event, 0)
    await Order.update({Order.status: "confirmed"}).where(Order.id == morgan["order"])
    await _agree(event, 1)

    # evidence marked not present (a transferred registration's) counts for no one
    await AttendanceMark.update({AttendanceMark.present: False}).where(AttendanceMark.attendee == morgan["id"])
    await _agree(event, 0)

    # a staff correction counts whatever its time; one without a session does not (this activity
    # counts session scans, not entry scans), nor an attestation (not how this activity is evidenced)
    for kind, session_id in (("staff", None), ("staff", p2["id"]), ("attested", p1["id"])):
        await AttendanceMark(attendee=morgan["id"], event=event["id"], session=session_id, kind=kind,
                             at=p1["starts_at"] - timedelta(days=30), reason="test").save()
    await _agree(event, 1)
    await AttendanceMark.delete().where((AttendanceMark.attendee == morgan["id"]) & (AttendanceMark.kind == "staff"))
    await _agree(event, 0)
    await AttendanceMark.delete().where(AttendanceMark.attendee == morgan["id"])
    await _agree(event, 0)


async def test_entry_scans_count_without_a_session_where_the_activity_counts_them(demo):
    from confops.cme.tables import AttendanceMark, CmeActivity

    await meeting_over()
    event = await Event.select().where(Event.slug == SLUG).first()
    morgan = await learner("morgan@example.org")
    p1 = await session("P1")
    sessions_only = await _agree(event)
    await CmeActivity.update({CmeActivity.evidence: "entry_scans"}).where(CmeActivity.event == event["id"])
    entries = await _agree(event)
    await AttendanceMark(attendee=morgan["id"], event=event["id"], session=None, kind="entry",
                         at=p1["starts_at"], reason="").save()
    await _agree(event, entries + 1)
    await CmeActivity.delete().where(CmeActivity.event == event["id"])  # nothing saved: session scans
    await _agree(event, sessions_only)


async def _racing(url: str, first: tuple[str, tuple], second: tuple[str, tuple]) -> None:
    """Two transactions on their own connections: `first` writes, `second` writes meanwhile
    (and may wait for `first`), then `first` commits, then `second`."""
    import asyncio

    import asyncpg

    conns = [await asyncpg.connect(url) for _ in range(2)]
    try:
        txs = [c.transaction() for c in conns]
        for tx in txs:
            await tx.start()
        await conns[0].execute(*first[:1], *first[1])
        waiting = asyncio.ensure_future(conns[1].execute(*second[:1], *second[1]))
        await asyncio.sleep(0.3)
        await txs[0].commit()
        await waiting
        await txs[1].commit()
    finally:
        for c in conns:
            await c.close()


_MARK = ("INSERT INTO attendance_mark (attendee, event, session, kind, present, at, reason) "
         "VALUES ($1, $2, $3, 'in', TRUE, $4, '')")


async def test_two_scans_of_one_learner_at_once_are_one_learner(pg_db):
    """Each scan's transaction sees no other scan of the learner (the other is not committed):
    counted one after the other, the second finds the first."""
    from confops.cme import tallies
    from confops.demo.abs import load_demo

    await load_demo()
    await meeting_over()
    event = await Event.select().where(Event.slug == SLUG).first()
    morgan = await learner("morgan@example.org")
    p1, p2 = await session("P1"), await session("P2")
    await tallies.recount_pending()  # the demo's own marks
    await _racing(pg_db.url, (_MARK, (morgan["id"], event["id"], p1["id"], p1["starts_at"])),
                  (_MARK, (morgan["id"], event["id"], p2["id"], p2["starts_at"])))
    assert (await counts(event))["attended"] == 1
    assert await tallies.differences(event["id"]) == []
    assert await tallies.recount_pending() == 1  # the worker's step keeps what the reads said
    assert (await counts(event))["attended"] == 1 and await tallies.differences(event["id"]) == []


async def test_a_scan_noted_while_the_worker_recounts_waits_for_its_next_run(pg_db):
    """The door's scan notes its learner in a transaction still open while the worker recounts
    the notes it sees: that note is neither lost nor counted before its mark is there."""
    import asyncpg

    from confops.cme import tallies
    from confops.cme.tables import CmeLearnerPending
    from confops.demo.abs import load_demo

    await load_demo()
    await meeting_over()
    event = await Event.select().where(Event.slug == SLUG).first()
    morgan = await learner("morgan@example.org")
    p1 = await session("P1")
    await tallies.recount_pending()
    before = (await counts(event))["attended"]
    door = await asyncpg.connect(pg_db.url)
    try:
        scanning = door.transaction()
        await scanning.start()
        await door.execute(_MARK, morgan["id"], event["id"], p1["id"], p1["starts_at"])
        assert await tallies.recount_pending() == 0  # the note is not committed: nothing to do yet
        await scanning.commit()
    finally:
        await door.close()
    assert await CmeLearnerPending.count() == 1
    assert (await counts(event))["attended"] == before + 1  # read from the marks while noted
    assert await tallies.recount_pending() == 1
    assert await CmeLearnerPending.count() == 0
    assert (await counts(event))["attended"] == before + 1 and await tallies.differences(event["id"]) == []


async def test_a_scan_taken_while_its_session_moves_is_counted_by_the_window_it_ends_up_in(pg_db):
    from confops.cme import tallies
    from confops.demo.abs import load_demo

    await load_demo()
    await meeting_over()
    event = await Event.select().where(Event.slug == SLUG).first()
    morgan = await learner("morgan@example.org")
    p1 = await session("P1")
    moved = ("UPDATE program_session SET starts_at = starts_at + interval '1 day', "
             "ends_at = ends_at + interval '1 day' WHERE id = $1", (p1["id"],))
    await _racing(pg_db.url, moved, (_MARK, (morgan["id"], event["id"], p1["id"], p1["starts_at"])))
    assert (await counts(event))["attended"] == 0  # a day before the session as it now is
    assert await tallies.differences(event["id"]) == []
    await tallies.recount_pending()
    assert (await counts(event))["attended"] == 0 and await tallies.differences(event["id"]) == []


async def test_the_counts_tell_the_story_the_credit_tells(demo):
    """The evidence the learner's credit weighs is the evidence counted (cme/recorded.py): a
    later staff correction or roll call saying absent overrides what came before; a scan taken
    back counts for neither; an attestation only where the activity is evidenced by them, and
    then scans do not; a mark of another event's session, or filed under another event, for
    neither."""
    from confops.cme.tables import AttendanceMark, CmeActivity

    await meeting_over()
    event = await Event.select().where(Event.slug == SLUG).first()
    morgan = await learner("morgan@example.org")
    p1 = await session("P1")
    elsewhere = await Session.select().where(Session.event != event["id"]).first()

    async def story(expected: bool) -> None:
        assert bool((await learners.state(morgan, event))["attended"]) is expected
        await _agree(event)
        counted = await Attendee.exists().where(
            (Attendee.id == morgan["id"]) & WhereRaw(recorded.attended("registration_attendee", current_engine().engine_type)))
        assert counted is expected

    async def mark(kind: str, minutes: int, *, present: bool = True, session_id: int | None = p1["id"],
                   event_id: int = event["id"]) -> None:
        await AttendanceMark(attendee=morgan["id"], event=event_id, session=session_id, kind=kind, present=present,
                             at=p1["starts_at"] + timedelta(minutes=minutes), reason="test").save()

    await story(False)
    await mark("in", 0)
    await story(True)
    await mark("staff", 60, present=False)  # the coordinator: not there after all
    await story(False)
    await mark("staff", 70)  # corrected again
    await story(True)
    await AttendanceMark.delete().where(AttendanceMark.attendee == morgan["id"])

    await mark("group", 0)
    await story(True)
    await mark("group", 5, present=False)  # the leader's later roll call: absent
    await story(False)
    await AttendanceMark.delete().where(AttendanceMark.attendee == morgan["id"])

    await mark("in", 0, present=False)  # taken back
    await story(False)
    await mark("staff", 0, session_id=elsewhere["id"])
    await mark("in", 0, event_id=elsewhere["event"])
    await story(False)
    await AttendanceMark.delete().where(AttendanceMark.attendee == morgan["id"])

    await mark("attested", 10)
    await story(False)  # this activity counts session scans
    await CmeActivity.update({CmeActivity.evidence: "attestation"}).where(CmeActivity.event == event["id"])
    await story(True)
    await mark("in", 0)
    await AttendanceMark.delete().where((AttendanceMark.attendee == morgan["id"]) & (AttendanceMark.kind == "attested"))
    await story(False)  # scans are not how this activity is evidenced
