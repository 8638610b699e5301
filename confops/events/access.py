"""Which event a staff page is about, and whether this person may work on it."""

from __future__ import annotations

from collections.abc import Iterable

from confops.core.auth import Principal, Role, require
from confops.core.errors import NotFound
from confops.events.tables import Event


async def event_for_roles(slug: str, principal: Principal | None, roles: Iterable[Role]) -> dict:
    """The event's row for someone holding one of `roles` in its organizer: 404 when there is
    no such event, then 401/403 from `require`."""
    event = await Event.select().where(Event.slug == slug).first()
    if event is None:
        raise NotFound("There is no such event.")
    require(principal, event["organizer"], *roles)
    return event
