"""JSON API v1: the same read data as the public pages."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.params import FromPath, FromQuery

from confops.core.auth import PUBLIC
from confops.events import service
from confops.events.kinds import EventKind
from confops.events.schemas import EventDetail, EventList, OrganizerOut
from confops.web.api_docs import problems


class EventsApi(Controller):
    path = "/api/v1"
    tags = ["events"]
    opt = {"access": PUBLIC}

    @get("/events", responses=problems(400, 422))
    async def list_events(
        self,
        kind: FromQuery[EventKind | None] = None,
        when: FromQuery[service.When] = service.When.upcoming,
        organizer: FromQuery[str | None] = None,
    ) -> EventList:
        """Published events; `when` is upcoming (default), past or all."""
        return EventList(events=await service.list_events(kind=kind, when=when, organizer=organizer))

    @get("/events/{slug:str}", responses=problems(404, 422))
    async def get_event(self, request: Request, slug: FromPath[str]) -> EventDetail:
        """One event with its rooms, tracks, sessions and speakers."""
        return await service.get_event(slug, request.state.principal)

    @get("/organizers/{slug:str}", responses=problems(404, 422))
    async def get_organizer(self, slug: FromPath[str]) -> OrganizerOut:
        return await service.get_organizer(slug)
