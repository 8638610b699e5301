"""An event's stored row, for pages that come to it through another record they may already see
(an order's event, the event a staff page names). Who may see an event is decided elsewhere
(service.get_event, access.event_for_roles); these only read it."""

from __future__ import annotations

from confops.core.errors import NotFound
from confops.events.tables import Event


async def event_by_id(event_id: int) -> dict:
    row = await Event.select().where(Event.id == event_id).first()
    if row is None:
        raise NotFound("There is no such event.")
    return row


async def event_by_slug(slug: str) -> dict:
    row = await Event.select().where(Event.slug == slug).first()
    if row is None:
        raise NotFound("There is no such event.")
    return row
