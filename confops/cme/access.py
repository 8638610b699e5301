"""Which event a request is about, and whether the person may run its CME."""

from __future__ import annotations

from confops.core.auth import Principal, Role, require
from confops.core.errors import NotFound
from confops.events.tables import Event

COORDINATOR = (Role.cme_coordinator,)
READERS = (Role.cme_coordinator, Role.registrar)


async def event_by_slug(slug: str) -> dict:
    event = await Event.select().where(Event.slug == slug).first()
    if not event:
        raise NotFound("There is no such event.")
    return event


async def staff_event(principal: Principal | None, slug: str, *, read_only: bool = False) -> dict:
    event = await event_by_slug(slug)
    require(principal, event["organizer"], *(READERS if read_only else COORDINATOR))
    return event
