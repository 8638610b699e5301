"""Check-in lists: the event's door on each day, and sessions whose attendance counts for CME."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from confops.checkin.tables import CheckinList, CheckinScan, ListKind
from confops.core.errors import Invalid, NotFound
from confops.db import transaction
from confops.events.tables import Event, Session


def _days(event: dict) -> list[date]:
    zone = ZoneInfo(event["timezone"] or "UTC")
    first, last = event["starts_at"].astimezone(zone).date(), event["ends_at"].astimezone(zone).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


async def ensure_day_lists(event_id: int) -> list[dict]:
    """One entry list per day of the event (idempotent: existing days are kept)."""
    event = await Event.select(Event.id, Event.starts_at, Event.ends_at, Event.timezone).where(
        Event.id == event_id).first()
    if event is None:
        raise NotFound("There is no such event.")
    have = {r["day"] for r in await CheckinList.select(CheckinList.day).where(
        (CheckinList.event == event_id) & (CheckinList.kind == ListKind.entry.value))}
    async with transaction():
        for day in _days(event):
            if day not in have:
                await CheckinList.insert(CheckinList(
                    event=event_id, kind=ListKind.entry.value, day=day, name=_entry_name(day)))
    return await lists_of(event_id)


def _entry_name(day: date) -> str:
    return f"Entry {day.strftime('%a %b')} {day.day}"


async def copy_lists(source_id: int, event_id: int, days: int, sessions: dict[int, int]) -> int:
    """A copied event gets the source's check-in lists (no scans): entry lists `days` later (a
    day's own name follows its day), session lists on the copies of their sessions, with
    exit scanning as it was. Inside the copy's transaction."""
    made = 0
    for row in await CheckinList.select().where(CheckinList.event == source_id).order_by(CheckinList.id):
        day, name, session = row["day"], row["name"], None
        if row["kind"] == ListKind.entry.value and day is not None:
            name = _entry_name(day + timedelta(days=days)) if name == _entry_name(day) else name
            day = day + timedelta(days=days)
        if row["session"] is not None:
            session = sessions.get(row["session"])
            if session is None:
                continue
        await CheckinList.insert(CheckinList(event=event_id, kind=row["kind"], day=day, name=name, session=session,
                                             track_exit=row["track_exit"]))
        made += 1
    return made


async def create_session_list(event_id: int, session_id: int, track_exit: bool = False) -> dict:
    session = await Session.select(Session.id, Session.title, Session.code).where(
        (Session.id == session_id) & (Session.event == event_id)).first()
    if session is None:
        raise Invalid("Choose a session of this event.", field="session_id")
    if await CheckinList.exists().where(CheckinList.session == session_id):
        raise Invalid("This session already has a check-in list.", field="session_id")
    label = f"{session['code']} {session['title']}".strip()[:120]
    async with transaction():
        rows = await CheckinList.insert(CheckinList(
            event=event_id, kind=ListKind.session.value, session=session_id, name=label,
            track_exit=track_exit)).returning(*CheckinList.all_columns())
    return rows[0]


async def lists_of(event_id: int) -> list[dict]:
    """Every list of the event with how many people are checked in (in, not undone)."""
    rows = await CheckinList.select().where(CheckinList.event == event_id).order_by(
        CheckinList.kind).order_by(CheckinList.day).order_by(CheckinList.id)
    counts = await counts_of(event_id)
    for row in rows:
        row["count"] = counts.get(row["id"], 0)
    return rows


async def counts_of(event_id: int) -> dict[int, int]:
    rows = await CheckinScan.raw(
        "SELECT s.checkin_list AS list_id, COUNT(*) AS n FROM checkin_scan s "
        "JOIN checkin_list l ON l.id = s.checkin_list "
        "WHERE l.event = {} AND s.undone_at IS NULL AND s.direction = 'in' GROUP BY s.checkin_list", event_id)
    return {r["list_id"]: r["n"] for r in rows}
