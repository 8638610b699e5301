"""What the series area says to others: an online series is not ready to publish while a
session has no meeting link; a copied series keeps its plan (undecided, dates moved); the event
set-up form shows and saves an online event's reminder hours."""

from __future__ import annotations

from confops.core.errors import FieldError
from confops.core.extension import provides
from confops.events.kinds import EventKind
from confops.events.tables import Event, Session
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
async def copy_plan(source_id: int, event_id: int, days: int, **_) -> None:
    from confops.core.clock import days_later_same_wall_time

    plan = await SeriesPlan.select().where(SeriesPlan.event == source_id).first()
    if plan is None:
        return
    tz = (await Event.select(Event.timezone).where(Event.id == event_id).first())["timezone"]
    await SeriesPlan.insert(SeriesPlan(
        event=event_id, min_enrolment=plan["min_enrolment"], reminder_hours=plan["reminder_hours"],
        go_no_go_at=days_later_same_wall_time(plan["go_no_go_at"], days, tz)))


REMINDER_HOURS = "reminder_hours"
MAX_REMINDER_HOURS = 24 * 14


async def _online(event_id: int) -> bool:
    event = await Event.select(Event.kind, Event.online).where(Event.id == event_id).first()
    return bool(event and (event["online"] or event["kind"] == EventKind.online_series.value))


@provides("event_setup_values")
async def reminder_hours_value(event_id: int) -> dict[str, str]:
    if not await _online(event_id):
        return {}
    plan = await SeriesPlan.select(SeriesPlan.reminder_hours).where(SeriesPlan.event == event_id).first()
    return {REMINDER_HOURS: str(plan[REMINDER_HOURS]) if plan else "24"}


def _hours(form: dict) -> tuple[int | None, list[FieldError]]:
    from confops.events.event_form import whole_number

    problems: list[FieldError] = []
    raw = str(form.get(REMINDER_HOURS) or "").strip()
    if not raw:
        return None, [FieldError(REMINDER_HOURS, f"Enter the hours before each session (1 to {MAX_REMINDER_HOURS}).")]
    return whole_number(raw, REMINDER_HOURS, problems, minimum=1, maximum=MAX_REMINDER_HOURS), problems


@provides("event_setup_problems")
async def reminder_hours_problems(event_id: int, form: dict) -> list[FieldError]:
    if REMINDER_HOURS not in form or not await _online(event_id):
        return []
    return _hours(form)[1]


@provides("event_setup_saved")
async def save_reminder_hours(event_id: int, form: dict, actor_id: int | None) -> None:
    """Inside the set-up form's transaction, already checked by reminder_hours_problems."""
    from confops.core import extension

    if REMINDER_HOURS not in form or not await _online(event_id):
        return
    hours = _hours(form)[0]
    plan = await SeriesPlan.select().where(SeriesPlan.event == event_id).first()
    if plan is not None and plan[REMINDER_HOURS] == hours:
        return
    if plan is None:
        await SeriesPlan.insert(SeriesPlan(event=event_id, reminder_hours=hours))
    else:
        await SeriesPlan.update({SeriesPlan.reminder_hours: hours}).where(SeriesPlan.id == plan["id"])
    await extension.emit("staff_change", actor_id=actor_id, action="series_reminder_hours_set", entity="event",
                         entity_id=event_id, before=plan and {REMINDER_HOURS: plan[REMINDER_HOURS]},
                         after={REMINDER_HOURS: hours})


@provides("event_timezone_changed")
async def keep_decision_wall_time(event_id: int, old_tz: str, new_tz: str, **_) -> None:
    from confops.core.clock import same_wall_time_in

    plan = await SeriesPlan.select().where(SeriesPlan.event == event_id).first()
    if plan and plan["go_no_go_at"] and not plan["decision"]:
        await SeriesPlan.update({SeriesPlan.go_no_go_at: same_wall_time_in(plan["go_no_go_at"], old_tz, new_tz)}).where(
            SeriesPlan.id == plan["id"])
