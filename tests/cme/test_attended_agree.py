""""Attendance recorded" has two forms: the credit rule in Python (cme/evidence.py
`attended_from`, by which a learner's page says which sessions they attended and what they may
claim) and the SQL of cme/recorded.py, by which the database's triggers keep each learner's
count (cme_learner_attendance) and the event's (cme_tally 'attended') that the CME overview,
the learner list's filters and the dashboard read. For generated marks, scan windows, sessions
moved after their scans and learners settled or not, on each engine, the counts the triggers
kept are the counts the SQL gives from the marks afresh (what `confops check` compares), and a
learner is counted exactly when the credit rule says they attended a session, before the
share of the session they were present for is weighed (see `attended_at_all`)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from piccolo.columns.combination import WhereRaw

from confops.cme import learners, recorded, tallies
from confops.cme.designation import activity_of
from confops.cme.evidence import attended_from, marks_of
from confops.cme.rules import SCAN_EARLY_MOST, in_window
from confops.cme.tables import AttendanceMark, CmeActivity, CmeLearnerAttendance
from confops.db import current_engine
from confops.events.tables import Event, Session
from confops.registration.tables import Attendee, Order
from tests.cme.support import SLUG, meeting_over

KINDS = ["in", "in", "out", "entry", "group", "staff", "attested", "transferred"]
ANCHORS = ["opens", "start", "middle", "end", "day_before", "after", "next_day"]
NUDGES = [timedelta(0), timedelta(microseconds=1), -timedelta(microseconds=1), timedelta(seconds=1),
          -timedelta(seconds=1), timedelta(microseconds=500_000)]
EARLY = st.one_of(st.sampled_from([0, 15, SCAN_EARLY_MOST]), st.integers(0, SCAN_EARLY_MOST))


@st.composite
def marks(draw) -> dict:
    return {"kind": draw(st.sampled_from(KINDS)), "session": draw(st.sampled_from(["P1", "P2", "other", None])),
            "present": draw(st.booleans()), "filed_elsewhere": draw(st.sampled_from([False] * 5 + [True])),
            "anchor": draw(st.sampled_from(ANCHORS)),
            "nudge": draw(st.one_of(st.sampled_from(NUDGES), st.timedeltas(-timedelta(hours=3), timedelta(hours=3))))}


@st.composite
def states(draw) -> dict:
    return {"evidence": draw(st.sampled_from(["session_scans", "entry_scans", "attestation"])),
            "early": draw(EARLY), "early_after": draw(st.one_of(st.none(), EARLY)),
            "share": draw(st.sampled_from([1, 50, 80, 100])),
            "microseconds": draw(st.sampled_from([0, 0, 250_000, 1])),  # of the sessions' times
            "moved": draw(st.sampled_from([None, timedelta(minutes=10), -timedelta(minutes=10), timedelta(days=1)])),
            "learners": draw(st.lists(st.fixed_dictionaries({
                "status": st.sampled_from(["active", "active", "cancelled"]),
                "order": st.sampled_from(["confirmed", "confirmed", "awaiting_payment", "cancelled"]),
                "marks": st.lists(marks(), max_size=5)}), min_size=3, max_size=3))}


def _at(mark: dict, session: dict, early: int) -> datetime:
    start, end = session["starts_at"], session["ends_at"]
    base = {"opens": start - timedelta(minutes=early), "start": start, "middle": start + (end - start) / 2,
            "end": end, "day_before": start - timedelta(days=1), "after": end + timedelta(minutes=30),
            "next_day": start + timedelta(days=1)}[mark["anchor"]]
    return base + mark["nudge"]


def _engine() -> str:
    return current_engine().engine_type


class Scene:
    """The demo meeting's first three learners, two of its sessions and a session of another
    event, put back as they were before each example writes its state over them."""

    async def load(self) -> None:
        await meeting_over()
        self.event = await Event.select().where(Event.slug == SLUG).first()
        self.learners = await Attendee.select().where(Attendee.event == self.event["id"]).order_by(Attendee.id).limit(3)
        self.sessions = {code: await Session.select().where((Session.code == code) & (Session.event == self.event["id"]))
                         .first() for code in ("P1", "P2")}
        self.sessions["other"] = await Session.select().where(Session.event != self.event["id"]).first()
        await AttendanceMark.delete().where(AttendanceMark.attendee.is_in([a["id"] for a in self.learners]))

    async def write(self, state: dict) -> None:
        ids = [a["id"] for a in self.learners]
        await AttendanceMark.delete().where(AttendanceMark.attendee.is_in(ids))
        sessions = {}
        for code in ("P1", "P2"):
            s = self.sessions[code]
            starts = s["starts_at"].replace(microsecond=state["microseconds"])
            ends = s["ends_at"].replace(microsecond=state["microseconds"])
            await Session.update({Session.starts_at: starts, Session.ends_at: ends}).where(Session.id == s["id"])
            sessions[code] = {**s, "starts_at": starts, "ends_at": ends}
        sessions["other"] = self.sessions["other"]
        await CmeActivity.update({CmeActivity.evidence: state["evidence"], CmeActivity.scan_early_minutes: state["early"],
                                  CmeActivity.min_presence_percent: state["share"]}).where(
            CmeActivity.event == self.event["id"])
        for learner, wanted in zip(self.learners, state["learners"], strict=True):
            await Attendee.update({Attendee.status: wanted["status"]}).where(Attendee.id == learner["id"])
            await Order.update({Order.status: wanted["order"]}).where(Order.id == learner["order"])
            for mark in wanted["marks"]:
                session = sessions[mark["session"] or "P1"]
                event = sessions["other"]["event"] if mark["filed_elsewhere"] else self.event["id"]
                await AttendanceMark(attendee=learner["id"], event=event,
                                     session=session["id"] if mark["session"] else None, kind=mark["kind"],
                                     present=mark["present"], at=_at(mark, session, state["early"]),
                                     reason="").save()
        if state["moved"]:  # after its scans
            s = sessions["P1"]
            await Session.update({Session.starts_at: s["starts_at"] + state["moved"],
                                  Session.ends_at: s["ends_at"] + state["moved"]}).where(Session.id == s["id"])
        if state["early_after"] is not None:
            await CmeActivity.update({CmeActivity.scan_early_minutes: state["early_after"]}).where(
                CmeActivity.event == self.event["id"])

    async def compare(self) -> list[dict]:
        """What the database keeps of each learner and what the credit rule says of them, once
        the kept counts are found equal to the SQL's from the marks (`confops check`)."""
        assert await tallies.differences(self.event["id"]) == []
        activity = await activity_of(self.event)
        sessions = await learners.sessions_of(self.event["id"])
        ids = [a["id"] for a in self.learners]
        now = await Attendee.select().where(Attendee.id.is_in(ids))
        standing = await learners.standings(now)
        read = {r["id"] for r in await Attendee.select(Attendee.id).where(
            Attendee.id.is_in(ids) & WhereRaw(recorded.attended("registration_attendee", _engine())))}
        await tallies.recount_pending()  # the worker's step: what it keeps is what the reads said
        kept = {r["attendee"]: r["marks"] for r in await CmeLearnerAttendance.select().where(
            CmeLearnerAttendance.attendee.is_in(ids))}
        assert {a for a, n in kept.items() if n > 0} == read
        assert await tallies.differences(self.event["id"]) == []
        settled = {r["id"] for r in await Attendee.raw(
            f"SELECT a.id FROM registration_attendee a WHERE a.id IN ({', '.join(map(str, ids))}) "
            f"AND {recorded.settled('a')}")}
        out = []
        for a in now:
            marks = await marks_of(a["id"], self.event["id"])
            out.append({"attendee": a["id"], "counted": kept.get(a["id"], 0) > 0, "settled": a["id"] in settled,
                        "may_claim": standing[a["id"]] is None,
                        "attended": attended_from(marks, sessions, activity, self.event["timezone"]),
                        "at_all": attended_from(marks, sessions, {**activity, "min_presence_percent": 0},
                                                self.event["timezone"]),
                        "entered": activity["evidence"] == "entry_scans" and any(
                            m["kind"] == "entry" and m["present"] for m in marks)})
        return out


async def test_attendance_recorded_in_sql_and_the_credit_rule_agree(demo):
    """A learner is counted exactly when the credit rule, asking no minimum share of a session,
    finds them attended (`at_all`); so always when it finds them attended (`attended`). The one
    thing SQL does not weigh is which day's sessions an entry scan is for (the event's local
    day): a learner with an entry scan, where entry scans count, is counted whenever present."""
    scene = Scene()
    await scene.load()
    loop = asyncio.get_running_loop()
    seen = {"counted": 0, "not": 0}

    @settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck))
    @given(states())
    def agree(state):
        async def run():
            await scene.write(state)
            return await scene.compare()

        for row in asyncio.run_coroutine_threadsafe(run(), loop).result(timeout=60):
            assert row["settled"] == row["may_claim"], row
            assert row["attended"] <= row["at_all"], row
            if row["attended"]:
                assert row["counted"], row
            if row["entered"]:
                assert row["counted"], row
            else:
                assert row["counted"] == bool(row["at_all"]), row
            seen["counted" if row["counted"] else "not"] += 1

    await asyncio.to_thread(agree)  # the examples run in a thread; their queries on this loop
    assert seen["counted"] and seen["not"]  # both sides of the rule were exercised


async def test_a_scan_is_inside_its_window_on_both_engines_as_in_window_says(demo):
    """The window's bounds to the microsecond: SQLite compares the stored text, so a session
    starting at a fraction of a second and a scan at a whole one (or the reverse) are where the
    text form could part from the instants."""
    scene = Scene()
    await scene.load()
    p1, morgan = scene.sessions["P1"], scene.learners[0]
    await Attendee.update({Attendee.status: "active"}).where(Attendee.id == morgan["id"])
    await CmeActivity.update({CmeActivity.evidence: "session_scans"}).where(CmeActivity.event == scene.event["id"])
    loop = asyncio.get_running_loop()
    seen = {True: 0, False: 0}
    fractions = st.sampled_from([0, 1, 250_000, 999_999])

    @settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
    @given(fractions, fractions, EARLY, st.sampled_from(["opens", "end"]),
           st.sampled_from([timedelta(0), timedelta(microseconds=1), -timedelta(microseconds=1), timedelta(seconds=1),
                            -timedelta(seconds=1)]), st.sampled_from(["fraction", "whole"]))
    def agree(start_fraction, end_fraction, early, bound, nudge, scan):
        starts = p1["starts_at"].replace(microsecond=start_fraction)
        ends = p1["ends_at"].replace(microsecond=end_fraction)
        at = (starts - timedelta(minutes=early) if bound == "opens" else ends) + nudge
        if scan == "whole":
            at = at.replace(microsecond=0)

        async def run() -> bool:
            await AttendanceMark.delete().where(AttendanceMark.attendee == morgan["id"])
            await CmeActivity.update({CmeActivity.scan_early_minutes: early}).where(
                CmeActivity.event == scene.event["id"])
            await Session.update({Session.starts_at: starts, Session.ends_at: ends}).where(Session.id == p1["id"])
            await AttendanceMark(attendee=morgan["id"], event=scene.event["id"], session=p1["id"], kind="in", at=at,
                                 reason="").save()
            read = await Attendee.exists().where((Attendee.id == morgan["id"]) & WhereRaw(
                recorded.attended("registration_attendee", _engine())))
            await tallies.recount_pending()
            row = await CmeLearnerAttendance.select().where(CmeLearnerAttendance.attendee == morgan["id"]).first()
            assert (row["marks"] > 0) is read
            return read

        counted = asyncio.run_coroutine_threadsafe(run(), loop).result(timeout=60)
        assert counted == in_window(at, starts, ends, early), (starts, ends, early, at)
        seen[counted] += 1

    await asyncio.to_thread(agree)
    assert seen[True] and seen[False]
    assert await tallies.differences(scene.event["id"]) == []


async def test_a_window_opening_a_hair_before_a_whole_second_counts_a_scan_at_its_opening(demo):
    """SQLite's date functions keep milliseconds: a session starting at 20:00:00.999999 had
    its window open at 20:00:01.999999 there, and a scan at its very start was not counted."""
    scene = Scene()
    await scene.load()
    p1, morgan = scene.sessions["P1"], scene.learners[0]
    starts = p1["starts_at"].replace(microsecond=999_999)
    await CmeActivity.update({CmeActivity.evidence: "session_scans", CmeActivity.scan_early_minutes: 0}).where(
        CmeActivity.event == scene.event["id"])
    await Session.update({Session.starts_at: starts}).where(Session.id == p1["id"])
    await AttendanceMark(attendee=morgan["id"], event=scene.event["id"], session=p1["id"], kind="in", at=starts,
                         reason="").save()
    await tallies.recount_pending()
    row = await CmeLearnerAttendance.select().where(CmeLearnerAttendance.attendee == morgan["id"]).first()
    assert row is not None and row["marks"] == 1
    assert await tallies.differences(scene.event["id"]) == []
