"""What the series area says to others: an online series is not ready to publish while a
session has no meeting link; a copied series keeps its plan (undecided, dates moved)."""

from __future__ import annotations

from confops.core.extension import provides
from confops.events.tables import Event, EventKind, Session
from confops.series.tables import SeriesPlan, SessionMeeting


@provides("event_publish_problems")
async def missing_meeting_links(event_id: int) -> list[str]:
    event = await Event.select(Event.kind, Event.online).where(Event.id == event_id).first()
    if event is None or not (event["online"] or event["kind"] == EventKind.online_series.value):
        return []
    sessions = await Session.select(Session.id, Session.title).where(Session.event == event_id)
    if not sessions:
        return ["Add the series' sessions (Sessions and rooms)."]
    linked = {m["session"] for m in await SessionMeeting.select(SessionMeeting.session).where(
        SessionMeeting.session.is_in([s["id"] for s in sessions]) & (SessionMeeting.url != ""))}
    missing = [s["title"] for s in sessions if s["id"] not in linked]
    if missing:
        return [f"{len(missing)} online session(s) have no meeting link yet (Online series page)."]
    return []


@provides("event_copied")
async def copy_plan(source_id: int, event_id: int, days: int) -> None:
    from datetime import timedelta

    plan = await SeriesPlan.select().where(SeriesPlan.event == source_id).first()
    if plan is None:
        return
    await SeriesPlan.insert(SeriesPlan(
        event=event_id, min_enrolment=plan["min_enrolment"], reminder_hours=plan["reminder_hours"],
        go_no_go_at=plan["go_no_go_at"] + timedelta(days=days) if plan["go_no_go_at"] else None))
