"""A signed-in person's own agenda, and its calendar feed behind an unguessable token."""

from __future__ import annotations

import secrets

from confops.core import clock
from confops.core.auth import Principal
from confops.core.errors import NotFound, NotSignedIn
from confops.db import transaction
from confops.events import calendar
from confops.events.tables import AgendaItem, CalendarFeed, Session


def _signed_in(principal: Principal | None) -> Principal:
    if principal is None:
        raise NotSignedIn("Please sign in to continue.")
    return principal


async def _public_session(session_id: int) -> dict:
    row = await Session.select(*Session.all_columns(), Session.event.slug, Session.event.status).where(
        (Session.id == session_id) & (Session.published == True)  # noqa: E712
    ).first()
    if not row or row["event.status"] == "draft":
        raise NotFound("There is no such session.")
    return row


async def add(principal: Principal | None, session_id: int) -> None:
    person = _signed_in(principal)
    await _public_session(session_id)
    async with transaction():
        # Insert-or-ignore on the (user, session) unique index: a double click adds it once.
        await AgendaItem.insert(AgendaItem(user=person.user_id, session=session_id)).on_conflict(action="DO NOTHING")
        # The agenda's calendar address is made with its first session (the agenda page only reads it).
        await CalendarFeed.insert(CalendarFeed(user=person.user_id, token=secrets.token_urlsafe(32))).on_conflict(
            action="DO NOTHING")


async def remove(principal: Principal | None, session_id: int) -> None:
    person = _signed_in(principal)
    await AgendaItem.delete().where((AgendaItem.user == person.user_id) & (AgendaItem.session == session_id))


async def session_ids(principal: Principal | None) -> set[int]:
    if principal is None:
        return set()
    rows = await AgendaItem.select(AgendaItem.session).where(AgendaItem.user == principal.user_id)
    return {r["session"] for r in rows}


async def items(user_id: int) -> list[dict]:
    rows = await AgendaItem.select(AgendaItem.session).where(AgendaItem.user == user_id)
    if not rows:
        return []
    return await Session.select(
        *Session.all_columns(), Session.event.slug, Session.event.title, Session.event.timezone, Session.room.name,
        Session.event.venue_name,
    ).where(Session.id.is_in([r["session"] for r in rows]) & (Session.published == True)).order_by(  # noqa: E712
        Session.starts_at)


async def feed_token(principal: Principal | None) -> str | None:
    """The token of this person's calendar feed; None until they add a first session."""
    person = _signed_in(principal)
    row = await CalendarFeed.select(CalendarFeed.token).where(CalendarFeed.user == person.user_id).first()
    return row["token"] if row else None


def _event_of(row: dict, base_url: str, host: str) -> calendar.CalendarEvent:
    location = ", ".join(x for x in (row.get("room.name"), row.get("event.venue_name")) if x)
    return calendar.CalendarEvent(
        uid=f"session-{row['id']}@{host}", starts_at=row["starts_at"], ends_at=row["ends_at"],
        summary=row["title"], description=row.get("abstract") or "", location=location,
        url=f"{base_url}/events/{row['event.slug']}/sessions/{row['id']}",
    )


async def feed(token: str, base_url: str) -> bytes:
    row = await CalendarFeed.select(CalendarFeed.user).where(CalendarFeed.token == (token or "")[:64]).first()
    if not row or len(token) < 32:
        raise NotFound("There is no such calendar.")
    host = base_url.split("://", 1)[-1].split("/", 1)[0]
    return calendar.render([_event_of(r, base_url, host) for r in await items(row["user"])],
                           name="My conference agenda", stamp=clock.now())


async def session_ics(slug: str, session_id: int, base_url: str) -> bytes:
    row = await Session.select(
        *Session.all_columns(), Session.event.slug, Session.event.title, Session.event.status, Session.room.name,
        Session.event.venue_name,
    ).where((Session.id == session_id) & (Session.event.slug == slug) & (Session.published == True)).first()  # noqa: E712
    if not row or row["event.status"] == "draft":
        raise NotFound("There is no such session.")
    host = base_url.split("://", 1)[-1].split("/", 1)[0]
    return calendar.render([_event_of(row, base_url, host)], name=row["event.title"], stamp=clock.now())
