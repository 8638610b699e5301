"""An event's CME claims counted as they change, so the CME overview, the learner list and
the dashboard's CME panel do not go over every claim on each view. `CmeTally` rows per event,
kind and key:

- claimed: active learners with a claim (one claim per learner);
- credit <type>: claims and their quarters per credit type;
- credentials <text>: claims per learner's credentials (physicians or others, for PARS);
- session <id>|<type>: claims per session each claim's credit came from;
- attended: settled learners with attendance recorded (cme/recorded.py).

The database keeps them (core/triggers.py) in the same transaction as every insert, update or
delete of a claim, and every change of an attendee's status or credentials, whatever code
writes it; on PostgreSQL a claim's trigger reads its learner under a share lock, so it counts
after a concurrent change of their status commits. The sums are appended as differences,
which the worker folds into one row per key each minute (jobs.fold_tallies), as
registration/tallies.py says; a read sums them, folded or not.

"Attended" (cme/recorded.py) is kept in two steps. Per learner, `CmeLearnerAttendance.marks`
counts their marks that are recorded attendance, written afresh from their marks (whether one
counts depends on the others: a later correction or roll call overrides it, a few rows to read).
A mark inserted (the door's scans) only notes its learner in `cme_learner_pending`, which the
worker recounts within seconds (`recount_pending`) and the reads recount themselves meanwhile
(`attended_noted`, recorded.attended): the recount in the scan's transaction cost the door a
fifth of its scans a second. A mark changed or deleted (staff, rare) recounts at once; a
session whose times move, or an activity whose evidence or scan window changes, has its learners' counts written afresh from their marks (a schedule edit pays for
it, rare; every view does not). Per event, the settled learners whose count is above nought:
a count reaching or leaving nought, a registration cancelled or reinstated, an order settled
or no longer, count the learner in or out. On PostgreSQL a mark's count reads the windows
under a share lock on the event's row and a moved window takes it exclusively, so a scan
taken while its session moves is counted by the window it ends up in; two marks of one
learner at once wait for each other on the learner's registration row, so the second counts
with the first's mark committed; a learner is counted in or out
under share locks on their registration and order, as the claims are.
"""

from __future__ import annotations

from collections import Counter

from confops.cme import recorded
from confops.cme.tables import CmeLearnerAttendance, CmeLearnerPending, CmeTally
from confops.core.triggers import Trigger, fold_tally
from confops.db import current_engine, transaction

_INSERT = "INSERT INTO cme_tally (event, kind, key, n, quarters) "
Key = tuple[str, str]  # kind, key


def _sessions(row: str, engine_type: str) -> str:
    """The claim's sessions as rows of one column `value` (text)."""
    if engine_type == "postgres":
        return f"json_array_elements_text(({row}.sessions)::json) AS j(value)"
    return f"json_each({row}.sessions) AS j"


def _claim(row: str, sign: str, engine_type: str) -> list[str]:
    """The claim `row` counted (1) or uncounted (-1), while its learner is active."""
    active = (f"FROM registration_attendee a WHERE a.id = {row}.attendee AND a.status = 'active'")
    return [
        _INSERT + f"SELECT {row}.event, 'claimed', '', {sign}, 0 {active}",
        _INSERT + f"SELECT {row}.event, 'credit', {row}.credit_type, {sign}, {sign} * {row}.quarters {active}",
        _INSERT + f"SELECT {row}.event, 'credentials', a.credentials, {sign}, 0 {active}",
        _INSERT + f"SELECT {row}.event, 'session', CAST(j.value AS TEXT) || '|' || {row}.credit_type, {sign}, 0 "
                  f"FROM registration_attendee a, {_sessions(row, engine_type)} "
                  f"WHERE a.id = {row}.attendee AND a.status = 'active'",
    ]


def _learner_claim(row: str, sign: str, engine_type: str) -> list[str]:
    """The attendee `row`'s claim counted (1) or uncounted (-1), if `row` is active."""
    claim = f"FROM cme_claim c WHERE c.attendee = {row}.id AND {row}.status = 'active'"
    return [
        _INSERT + f"SELECT c.event, 'claimed', '', {sign}, 0 {claim}",
        _INSERT + f"SELECT c.event, 'credit', c.credit_type, {sign}, {sign} * c.quarters {claim}",
        _INSERT + f"SELECT c.event, 'credentials', {row}.credentials, {sign}, 0 {claim}",
        _INSERT + f"SELECT c.event, 'session', CAST(j.value AS TEXT) || '|' || c.credit_type, {sign}, 0 "
                  f"FROM cme_claim c, {_sessions('c', engine_type)} WHERE c.attendee = {row}.id "
                  f"AND {row}.status = 'active'",
    ]


_ATTENDED = _INSERT + "SELECT {event}, 'attended', '', {sign}, 0 "
_LEARNER = "INSERT INTO cme_learner_attendance (attendee, event, marks) "


def _recounted(learners: str, engine_type: str) -> str:
    """The counts of the learners `learners` (a condition on `a`) afresh from their marks: the
    windows moved. Only a count that changed is written."""
    return (_LEARNER + f"SELECT a.id, a.event, {recorded.marks_of('a', engine_type)} "
            f"FROM registration_attendee a WHERE {learners} "
            "ON CONFLICT (attendee) DO UPDATE SET marks = excluded.marks "
            "WHERE cme_learner_attendance.marks <> excluded.marks")


def _learner_counted(row: str, sign: str) -> str:
    """The learner of the count `row` counted in (1) or out (-1) of the event's attended, if
    `row` has recorded marks and the learner is settled."""
    return (_ATTENDED.format(event=f"{row}.event", sign=sign) + "FROM registration_attendee a "
            f"WHERE a.id = {row}.attendee AND {row}.marks > 0 AND {recorded.settled('a')}")


def _settling(row: str, sign: str) -> str:
    """The attendee `row` counted in (1) or out (-1), if settled with attendance recorded."""
    return (_ATTENDED.format(event="la.event", sign=sign) + "FROM cme_learner_attendance la "
            f"WHERE la.attendee = {row}.id AND la.marks > 0 AND {recorded.settled(row)}")


def _order_settling(row: str, sign: str) -> str:
    """The active learners of the order `row` with attendance recorded, counted in (1) or out
    (-1), if `row` is confirmed."""
    return (_ATTENDED.format(event="la.event", sign=f"{sign} * COUNT(*)")
            + "FROM registration_attendee a JOIN cme_learner_attendance la ON la.attendee = a.id "
            f"WHERE a.\"order\" = {row}.id AND {row}.status = 'confirmed' AND a.status = 'active' "
            "AND la.marks > 0 GROUP BY la.event")


# The locks a recount of learners takes on PostgreSQL (`{}`: the learners' ids), in a trigger and
# in the worker's `recount_pending` alike: the windows read, then the learners' rows.
_READ_WINDOWS = ("1 FROM event WHERE id IN (SELECT event FROM registration_attendee WHERE id IN ({})) "
                 "ORDER BY id FOR SHARE")
_COUNT_LEARNERS = "1 FROM registration_attendee WHERE id IN ({}) ORDER BY id FOR NO KEY UPDATE"


def attended_triggers(engine_type: str) -> list[Trigger]:
    """Marks counted per learner as they are written, and again for the learners a moved window
    concerns; learners counted per event as their count leaves or reaches nought and as their
    registration is settled or not."""
    read_windows = "PERFORM " + _READ_WINDOWS
    count_learners = "PERFORM " + _COUNT_LEARNERS
    move_windows = "PERFORM 1 FROM event WHERE id IN ({}) ORDER BY id FOR NO KEY UPDATE"
    settling = ("PERFORM 1 FROM registration_attendee WHERE id = {0}.attendee FOR SHARE",
                "PERFORM 1 FROM registration_order WHERE id = (SELECT \"order\" FROM registration_attendee "
                "WHERE id = {0}.attendee) FOR SHARE")
    mark_changed = " OR ".join(f"OLD.{c} {{ne}} NEW.{c}" for c in ("attendee", "event", "session", "kind", "present",
                                                                   "at"))
    window_changed = "OLD.starts_at {ne} NEW.starts_at OR OLD.ends_at {ne} NEW.ends_at OR OLD.event {ne} NEW.event"
    setting_changed = ("OLD.evidence {ne} NEW.evidence OR OLD.scan_early_minutes {ne} NEW.scan_early_minutes "
                       "OR OLD.event {ne} NEW.event")
    in_session = "a.id IN (SELECT attendee FROM attendance_mark WHERE session = NEW.id)"
    of_event = "a.event IN ({}) AND EXISTS (SELECT 1 FROM attendance_mark m WHERE m.attendee = a.id)"
    return [
        Trigger("cme_attendance_mark_insert", "attendance_mark", "INSERT",
                ("INSERT INTO cme_learner_pending (attendee, event) SELECT a.id, a.event FROM registration_attendee a "
                 "WHERE a.id = NEW.attendee",)),
        Trigger("cme_attendance_mark_delete", "attendance_mark", "DELETE",
                (_recounted("a.id = OLD.attendee", engine_type),),
                locks=(read_windows.format("OLD.attendee"), count_learners.format("OLD.attendee"))),
        Trigger("cme_attendance_mark_update", "attendance_mark", "UPDATE OF attendee, event, session, kind, present, at",
                (_recounted("a.id IN (OLD.attendee, NEW.attendee)", engine_type),), when=mark_changed,
                locks=(read_windows.format("OLD.attendee, NEW.attendee"),
                       count_learners.format("OLD.attendee, NEW.attendee"))),
        Trigger("cme_attendance_session_window", "program_session", "UPDATE OF starts_at, ends_at, event",
                (_recounted(in_session, engine_type),), when=window_changed,
                locks=(move_windows.format("OLD.event, NEW.event"),)),
        Trigger("cme_attendance_activity_insert", "cme_activity", "INSERT",
                (_recounted(of_event.format("NEW.event"), engine_type),), locks=(move_windows.format("NEW.event"),)),
        Trigger("cme_attendance_activity_delete", "cme_activity", "DELETE",
                (_recounted(of_event.format("OLD.event"), engine_type),), locks=(move_windows.format("OLD.event"),)),
        Trigger("cme_attendance_activity_update", "cme_activity", "UPDATE OF evidence, scan_early_minutes, event",
                (_recounted(of_event.format("OLD.event, NEW.event"), engine_type),), when=setting_changed,
                locks=(move_windows.format("OLD.event, NEW.event"),)),
        Trigger("cme_tally_attended_insert", "cme_learner_attendance", "INSERT", (_learner_counted("NEW", "1"),),
                when="NEW.marks > 0", locks=tuple(lock.format("NEW") for lock in settling)),
        Trigger("cme_tally_attended_delete", "cme_learner_attendance", "DELETE", (_learner_counted("OLD", "-1"),),
                when="OLD.marks > 0", locks=tuple(lock.format("OLD") for lock in settling)),
        Trigger("cme_tally_attended_update", "cme_learner_attendance", "UPDATE OF marks, event, attendee",
                (_learner_counted("OLD", "-1"), _learner_counted("NEW", "1")),
                when="(OLD.marks > 0) <> (NEW.marks > 0) OR OLD.event <> NEW.event OR OLD.attendee <> NEW.attendee",
                locks=tuple(lock.format(row) for row in ("OLD", "NEW") for lock in settling)),
        Trigger("cme_tally_attended_learner", "registration_attendee", 'UPDATE OF status, "order"',
                (_settling("OLD", "-1"), _settling("NEW", "1")),
                when="(OLD.status = 'active' OR NEW.status = 'active') "
                     'AND (OLD.status {ne} NEW.status OR OLD."order" {ne} NEW."order")',
                locks=('PERFORM 1 FROM registration_order WHERE id IN (OLD."order", NEW."order") ORDER BY id FOR SHARE',)),
        Trigger("cme_tally_attended_order", "registration_order", "UPDATE OF status",
                (_order_settling("OLD", "-1"), _order_settling("NEW", "1")),
                when="(OLD.status = 'confirmed' OR NEW.status = 'confirmed') AND OLD.status {ne} NEW.status"),
    ]


def triggers(engine_type: str) -> list[Trigger]:
    lock_claimant = "PERFORM 1 FROM registration_attendee WHERE id IN ({}) ORDER BY id FOR SHARE"
    changed = "OLD.status {ne} NEW.status OR OLD.credentials {ne} NEW.credentials OR OLD.event {ne} NEW.event"
    return [
        Trigger("cme_tally_claim_insert", "cme_claim", "INSERT", tuple(_claim("NEW", "1", engine_type)),
                locks=(lock_claimant.format("NEW.attendee"),)),
        Trigger("cme_tally_claim_delete", "cme_claim", "DELETE", tuple(_claim("OLD", "-1", engine_type)),
                locks=(lock_claimant.format("OLD.attendee"),)),
        Trigger("cme_tally_claim_update", "cme_claim", "UPDATE OF credit_type, quarters, sessions, attendee, event",
                (*_claim("OLD", "-1", engine_type), *_claim("NEW", "1", engine_type)),
                locks=(lock_claimant.format("OLD.attendee, NEW.attendee"),)),
        Trigger("cme_tally_learner", "registration_attendee", "UPDATE OF status, credentials, event",
                (*_learner_claim("OLD", "-1", engine_type), *_learner_claim("NEW", "1", engine_type)),
                when=f"(OLD.status = 'active' OR NEW.status = 'active') AND ({changed})"),
    ]


async def sums(event_id: int) -> dict[Key, tuple[int, int]]:
    """(n, quarters) per (kind, key) for the event: the sums of its rows, folded or not."""
    rows = await CmeTally.raw("SELECT kind, key, SUM(n) AS n, SUM(quarters) AS quarters "
                              "FROM cme_tally WHERE event = {} GROUP BY kind, key", event_id)
    return {(r["kind"], r["key"]): (int(r["n"]), int(r["quarters"])) for r in rows if r["n"] or r["quarters"]}


async def fold(event_id: int) -> None:
    await fold_tally(CmeTally, event_id, ("kind", "key"), ("n", "quarters"))


async def from_rows(event_id: int) -> dict[Key, tuple[int, int]]:
    """The same sums from the marks, claims and registrations themselves."""
    engine_type = current_engine().engine_type
    out: Counter = Counter()
    quarters: Counter = Counter()
    active = "JOIN registration_attendee a ON a.id = c.attendee WHERE c.event = {} AND a.status = 'active'"
    for r in await CmeTally.raw(f"SELECT c.credit_type, COUNT(*) AS n, SUM(c.quarters) AS q FROM cme_claim c {active} "
                                "GROUP BY c.credit_type", event_id):
        out[("credit", r["credit_type"])] += r["n"]
        quarters[("credit", r["credit_type"])] += int(r["q"] or 0)
        out[("claimed", "")] += r["n"]
    for r in await CmeTally.raw(f"SELECT a.credentials, COUNT(*) AS n FROM cme_claim c {active} "
                                "GROUP BY a.credentials", event_id):
        out[("credentials", r["credentials"])] += r["n"]
    for r in await CmeTally.raw(
            f"SELECT CAST(j.value AS TEXT) || '|' || c.credit_type AS k, COUNT(*) AS n "
            f"FROM cme_claim c JOIN registration_attendee a ON a.id = c.attendee, {_sessions('c', engine_type)} "
            "WHERE c.event = {} AND a.status = 'active' GROUP BY 1", event_id):
        out[("session", r["k"])] += r["n"]
    attended = await CmeTally.raw(f"SELECT ({recorded.count_sql('{}', engine_type)}) AS n", event_id)
    out[("attended", "")] += attended[0]["n"]
    return {key: (out[key], quarters[key]) for key in set(out) | set(quarters) if out[key] or quarters[key]}


async def learners_differing(event_id: int) -> list[tuple[int, int, int]]:
    """(attendee, kept, from the marks) for each learner of the event whose count of recorded
    marks the database keeps differs from their marks (a learner noted for a recount is the
    worker's next step, not a difference)."""
    engine_type = current_engine().engine_type
    return [(r["id"], int(r["kept"]), int(r["n"])) for r in await CmeTally.raw(
        f"SELECT a.id, COALESCE(la.marks, 0) AS kept, {recorded.marks_of('a', engine_type)} AS n "
        "FROM registration_attendee a LEFT JOIN cme_learner_attendance la ON la.attendee = a.id "
        f"WHERE a.event = {{}} AND NOT {recorded.noted('a')} "
        f"AND COALESCE(la.marks, 0) <> {recorded.marks_of('a', engine_type)} ORDER BY a.id",
        event_id)]


async def differences(event_id: int) -> list[tuple[str, int, int]]:
    kept, rows = await sums(event_id), await from_rows(event_id)
    if noted := await attended_noted(event_id):
        n, q = kept.get(("attended", ""), (0, 0))
        kept[("attended", "")] = (n + noted, q)
    return [(f"cme {kind} {key}".strip(), kept.get((kind, key), (0, 0))[i], rows.get((kind, key), (0, 0))[i])
            for kind, key in sorted(set(kept) | set(rows)) for i in (0, 1)
            if kept.get((kind, key), (0, 0))[i] != rows.get((kind, key), (0, 0))[i]] + [
        (f"cme attendance recorded, attendee {attendee}", kept_marks, marks)
        for attendee, kept_marks, marks in await learners_differing(event_id)]


async def rebuild(event_id: int) -> None:
    await CmeTally.delete().where(CmeTally.event == event_id)
    rows = [CmeTally(event=event_id, kind=kind, key=key, n=n, quarters=q)
            for (kind, key), (n, q) in (await from_rows(event_id)).items()]
    if rows:
        await CmeTally.insert(*rows)


async def recount_pending() -> int:
    """The worker's step: the learners a mark noted (`cme_learner_pending`) recounted from their
    marks, then those notes, and only those, deleted (a note written meanwhile waits for the next
    run). Under the locks a mark's change takes, so a window moving or a correction of the same
    learner goes one after the other. Returns how many learners."""
    engine_type = current_engine().engine_type
    async with transaction():
        notes = await CmeLearnerPending.select(CmeLearnerPending.id, CmeLearnerPending.attendee).order_by(
            CmeLearnerPending.id).limit(5000)
        if not notes:
            return 0
        ids = [n["id"] for n in notes]
        learners = sorted({n["attendee"] for n in notes})
        listed = ", ".join(str(int(a)) for a in learners)
        if engine_type == "postgres":
            await CmeLearnerPending.raw("SELECT " + _READ_WINDOWS.format(listed))
            await CmeLearnerPending.raw("SELECT " + _COUNT_LEARNERS.format(listed))
        await CmeLearnerAttendance.raw(_recounted(f"a.id IN ({listed})", engine_type))
        await CmeLearnerPending.delete().where(CmeLearnerPending.id.is_in(ids))
    return len(learners)


async def attended_noted(event_id: int) -> int:
    """What the event's 'attended' sum is off by while learners wait in `cme_learner_pending`:
    each noted settled learner counted afresh from their marks, less as the sum counts them."""
    engine_type = current_engine().engine_type
    rows = await CmeTally.raw(
        f"SELECT COALESCE(SUM(CASE WHEN {recorded.marks_of('a', engine_type)} > 0 THEN 1 ELSE 0 END), 0) "
        "- COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM cme_learner_attendance la WHERE la.attendee = a.id "
        "AND la.marks > 0) THEN 1 ELSE 0 END), 0) AS n FROM registration_attendee a "
        f"WHERE a.event = {{}} AND {recorded.noted('a')} AND {recorded.settled('a')}", event_id)
    return int(rows[0]["n"] or 0)


async def rebuild_learners(event_id: int) -> None:
    """The event's learners' counts of recorded marks afresh from the marks (then `rebuild`
    the sums: these rows' triggers append to them)."""
    engine_type = current_engine().engine_type
    async with transaction():
        await CmeLearnerAttendance.delete().where(CmeLearnerAttendance.event == event_id)
        await CmeLearnerAttendance.raw(
            f"INSERT INTO cme_learner_attendance (attendee, event, marks) SELECT a.id, a.event, "
            f"{recorded.marks_of('a', engine_type)} FROM registration_attendee a WHERE a.event = {{}} "
            "AND EXISTS (SELECT 1 FROM attendance_mark m WHERE m.attendee = a.id)", event_id)
