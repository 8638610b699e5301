"""""Attendance recorded" as SQL, written once for the running counts the database keeps of it
(per learner and per event, cme/tallies.py), the learner list's filters that read those, and the
check that recounts them from the marks. It is the credit rule's (cme/evidence.py
`attended_from`) choice of evidence, mark by mark, and tests/cme/test_attended_agree.py proves
the two agree:

- only the learner's marks at their own event, for that event's sessions, count;
- a staff correction decides its session (the latest one), whatever else was recorded;
- where the activity is evidenced by attestation, an attestation made once the session had
  started, and nothing else;
- otherwise a roll call decides its session (the latest one); failing one, a present scan in or
  out inside the session's window: from the activity's `scan_early_minutes` before its start
  (15 when nothing is saved) to its end, the bounds of cme/rules.py `in_window`; and where the
  activity counts entry scans, a present entry scan.

What it leaves to the credit rule: the share of a session the scans show the learner present
for (the activity's minimum presence), which day's sessions an entry scan is for (the event's
timezone, which SQLite cannot read), and the learner's own talks (cme/learners.py `state`). So a learner counted here may still be shown as
not having attended enough for credit; one the credit rule says attended is always counted.

The windows and settings are read from the sessions and the activity as they are when the
statement runs, so the rule follows a session moved after its scans.

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
    # Python's str() of the UTC time, as Piccolo stores one: seconds, then any fraction and the offset as kept.
    # The whole seconds alone are moved: SQLite's date functions round a fraction to milliseconds, which
    # would carry .9995 s and above into the next second.
    return (f"(strftime('%Y-%m-%d %H:%M:%S', substr({session}.starts_at, 1, 19), '-' || {early} || ' minutes') "
            f"|| substr({session}.starts_at, 20))")


def mark_recorded(mark: str, event: str, engine_type: str) -> str:
    """The mark `mark` (a table alias other than `o` and `ws`) is recorded attendance at the
    event `event` (an SQL expression: the learner's event)."""
    evidence = f"COALESCE({_ACTIVITY.format(column='evidence', event=event)}, 'session_scans')"

    def of_session(condition: str = "TRUE") -> str:
        return (f"EXISTS (SELECT 1 FROM program_session ws WHERE ws.id = {mark}.session AND ws.event = {event} "
                f"AND {condition})")

    def none_other(kind: str, later: bool) -> str:
        """No other mark of `kind` for the session: none at all, or (`later`) none after this one."""
        after = f" AND (o.at > {mark}.at OR (o.at = {mark}.at AND o.id > {mark}.id))" if later else ""
        return (f"NOT EXISTS (SELECT 1 FROM attendance_mark o WHERE o.attendee = {mark}.attendee "
                f"AND o.event = {mark}.event AND o.session = {mark}.session AND o.kind = '{kind}'{after})")

    window = f"{mark}.at >= {_window_opens('ws', event, engine_type)} AND {mark}.at <= ws.ends_at"
    return (f"({mark}.event = {event} AND ("
            f"({mark}.kind = 'staff' AND {mark}.present = TRUE AND {of_session()} AND {none_other('staff', True)}) "
            f"OR ({mark}.kind = 'attested' AND {mark}.present = TRUE AND {evidence} = 'attestation' "
            f"AND {of_session(f'{mark}.at >= ws.starts_at')} AND {none_other('staff', False)}) "
            f"OR ({mark}.kind = 'group' AND {mark}.present = TRUE AND {evidence} <> 'attestation' "
            f"AND {of_session()} AND {none_other('staff', False)} AND {none_other('group', True)}) "
            f"OR ({mark}.kind IN ('in', 'out') AND {mark}.present = TRUE AND {evidence} <> 'attestation' "
            f"AND {of_session(window)} AND {none_other('staff', False)} AND {none_other('group', False)}) "
            f"OR ({mark}.kind = 'entry' AND {mark}.present = TRUE AND {evidence} = 'entry_scans')))")


def marks_of(attendee: str, engine_type: str) -> str:
    """How many of the registration `attendee`'s marks (alias, or NEW/OLD) are recorded attendance."""
    return (f"(SELECT COUNT(*) FROM attendance_mark m WHERE m.attendee = {attendee}.id "
            f"AND {mark_recorded('m', f'{attendee}.event', engine_type)})")


def noted(attendee: str) -> str:
    """The registration `attendee` has a mark written since its count was (cme/tallies.py
    `recount_pending` has not run for it yet)."""
    return f"EXISTS (SELECT 1 FROM cme_learner_pending p WHERE p.attendee = {attendee}.id)"


def attended(attendee: str, engine_type: str) -> str:
    """The registration `attendee` has attendance recorded, as the database keeps it counted per
    learner (cme_learner_attendance, cme/tallies.py): one row to look up, not their marks; a
    learner noted for a recount (cme_learner_pending) is counted from their marks."""
    waiting = noted(attendee)
    return (f"(({waiting} AND {marks_of(attendee, engine_type)} > 0) OR (NOT {waiting} AND EXISTS "
            f"(SELECT 1 FROM cme_learner_attendance la WHERE la.attendee = {attendee}.id AND la.marks > 0)))")


def settled(attendee: str) -> str:
    """Only a settled registration can claim (cme/learners.py standings), so only it is counted."""
    return (f"({attendee}.status = 'active' AND EXISTS (SELECT 1 FROM registration_order so "
            f"WHERE so.id = {attendee}.\"order\" AND so.status = 'confirmed'))")


def count_sql(event: str, engine_type: str) -> str:
    """How many settled learners of the event `event` have attendance recorded, from their marks."""
    return (f"SELECT COUNT(*) FROM registration_attendee a WHERE a.event = {event} AND {settled('a')} "
            f"AND {marks_of('a', engine_type)} > 0")
