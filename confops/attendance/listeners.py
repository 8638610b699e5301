"""Attendance hears the small groups' roll calls (a leader marking who was there counts the
whole session) and copies its rule when staff copy an event."""

from __future__ import annotations

from confops.attendance.tables import AttendanceRule, SessionAttendance
from confops.core.extension import provides
from confops.events.tables import Session


@provides("group_meeting_attended")
async def roll_call(*, attendee_id, session_id, present, marked_by=None, **_) -> None:
    from confops.attendance.service import record

    session = await Session.select().where(Session.id == session_id).first()
    if session is None:
        return
    if present:
        await record(session, attendee_id, int((session["ends_at"] - session["starts_at"]).total_seconds() // 60),
                     "roll_call", marked_by)
    else:  # a corrected roll call takes back what the roll call gave
        await SessionAttendance.delete().where((SessionAttendance.session == session_id)
                                               & (SessionAttendance.attendee == attendee_id)
                                               & (SessionAttendance.source == "roll_call"))


@provides("event_copied")
async def copy_rule(source_id: int, event_id: int, days: int, **_) -> None:
    rule = await AttendanceRule.select().where(AttendanceRule.event == source_id).first()
    if rule:
        await AttendanceRule.insert(AttendanceRule(event=event_id, sessions_required=rule["sessions_required"],
                                                   offers_certificate=rule["offers_certificate"],
                                                   board_credit=rule["board_credit"]))
