""""Attendance recorded" as SQL, written once for the running counts the database keeps of it
(per learner and per event, cme/tallies.py), the learner list's filters that read those, and the
check that recounts them from the marks.

A mark is recorded attendance when it is present, names a session (or the event counts entry
scans, which name none), and, for a scan in or out, was taken inside its session's window:
from the activity's `scan_early_minutes` before the session's start (15 when nothing is saved)
to its end, the bounds of cme/rules.py `in_window`. The windows are read from the sessions and
the activity as they are when the statement runs, so the rule follows a session moved after
its scans without any list of windows written into the statement.

SQLite keeps timestamps as text ("2027-05-06 18:45:00+00:00", microseconds when there are
some), and compares them as text, as it does the bounds a statement is given; the window's
start is written in that same form, so both engines put a scan on the same side of it.
"""

from __future__ import annotations

DEFAULT_EARLY_MINUTES = 15  # cme/rules.py SCAN_EARLY_MINUTES, for an event with no saved activity
_ACTIVITY = "(SELECT {column} FROM cme_activity WHERE event = {event})"


def _window_opens(session: str, event: str, engine_type: str) -> str:
    early = f"COALESCE({_ACTIVITY.format(column='scan_early_minutes', event=event)}, {DEFAULT_EARLY_MINUTES})"
    if engine_type == "postgres":
        return f"({session}.starts_at - make_interval(mins => {early}))"
    # Python's str() of the UTC time, as Piccolo stores one: seconds, then any fraction and the offset as kept
    return (f"(strftime('%Y-%m-%d %H:%M:%S', {session}.starts_at, '-' || {early} || ' minutes') "
            f"|| substr({session}.starts_at, 20))")


def mark_recorded(mark: str, event: str, engine_type: str) -> str:
    """The mark `mark` (a table alias, or NEW/OLD in a trigger) is recorded attendance at the
    event `event` (an SQL expression: the learner's event)."""
    entry = f"COALESCE({_ACTIVITY.format(column='evidence', event=event)}, 'session_scans') = 'entry_scans'"
    inside = (f"EXISTS (SELECT 1 FROM program_session ws WHERE ws.id = {mark}.session AND ws.event = {event} "
              f"AND {mark}.at >= {_window_opens('ws', event, engine_type)} AND {mark}.at <= ws.ends_at)")
    return (f"({mark}.present = TRUE AND ({mark}.session IS NOT NULL OR {entry}) "
            f"AND ({mark}.kind NOT IN ('in', 'out') OR {inside}))")


def marks_of(attendee: str, engine_type: str) -> str:
    """How many of the registration `attendee`'s marks (alias, or NEW/OLD) are recorded attendance."""
    return (f"(SELECT COUNT(*) FROM attendance_mark m WHERE m.attendee = {attendee}.id "
            f"AND {mark_recorded('m', f'{attendee}.event', engine_type)})")


def attended(attendee: str) -> str:
    """The registration `attendee` has attendance recorded, as the database keeps it counted per
    learner (cme_learner_attendance, cme/tallies.py): one row to look up, not their marks."""
    return (f"EXISTS (SELECT 1 FROM cme_learner_attendance la WHERE la.attendee = {attendee}.id "
            "AND la.marks > 0)")


def settled(attendee: str) -> str:
    """Only a settled registration can claim (cme/learners.py standings), so only it is counted."""
    return (f"({attendee}.status = 'active' AND EXISTS (SELECT 1 FROM registration_order so "
            f"WHERE so.id = {attendee}.\"order\" AND so.status = 'confirmed'))")


def count_sql(event: str, engine_type: str) -> str:
    """How many settled learners of the event `event` have attendance recorded, from their marks."""
    return (f"SELECT COUNT(*) FROM registration_attendee a WHERE a.event = {event} AND {settled('a')} "
            f"AND {marks_of('a', engine_type)} > 0")
