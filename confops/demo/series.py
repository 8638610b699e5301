"""Demo online series: a meeting link per session, the minimum enrolment its page promises
("runs once eight members have enrolled", decided a week before the first session) and
reminders a day before each session. Idempotent."""

from __future__ import annotations

from datetime import timedelta

from confops.demo.rows import ensure_row
from confops.events.tables import Event, Session
from confops.series.tables import SeriesPlan, SessionMeeting


async def load_series_demo() -> int:
    event = await Event.select(Event.id, Event.starts_at).where(Event.slug == "online-residents-group").first()
    if event is None:
        return 0
    created = 0
    from confops.attendance.tables import AttendanceRule

    # "attending six of the eight sessions meets the attendance requirement" (the series' page)
    _, made = await ensure_row(AttendanceRule, {"event": event["id"]}, {"sessions_required": 6,
                                                                        "offers_certificate": True})
    created += int(made)
    _, made = await ensure_row(SeriesPlan, {"event": event["id"]}, {
        "min_enrolment": 8, "go_no_go_at": event["starts_at"] - timedelta(days=7), "reminder_hours": 24})
    created += int(made)
    for s in await Session.select(Session.id, Session.code).where(Session.event == event["id"]):
        _, made = await ensure_row(SessionMeeting, {"session": s["id"]}, {
            "url": f"https://meet.example.org/abs-residents-{s['code'].lower()}", "passcode": "balint8"})
        created += int(made)
    return created
