"""Public pages: the organizer, its events, an event's agenda and a session."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.params import FromPath, FromQuery
from litestar.response import Response, Template

from confops.core.auth import PUBLIC
from confops.core.errors import NotFound
from confops.events import branding, filters, personal_agenda, service
from confops.events.agenda import build_agenda
from confops.events.kinds import EventKind
from confops.registration.price_box import price_box
from confops.speakers import disclosures, portal
from confops.web.render import page


class PublicPages(Controller):
    include_in_schema = False
    opt = {"access": PUBLIC}

    @get("/")
    async def home(self, request: Request) -> Template:
        settings = request.app.state.settings
        slug = await service.first_organizer_slug(settings.default_organizer)
        if slug is None:
            return page(request, "public/empty.html")
        organizer = await service.get_organizer(slug)
        upcoming = await service.list_events(organizer=slug)
        return page(request, "public/organizer.html", organizer=organizer, upcoming=upcoming, home=True)

    @get("/organizers/{slug:str}")
    async def organizer(self, request: Request, slug: FromPath[str]) -> Template:
        organizer = await service.get_organizer(slug)
        upcoming = await service.list_events(organizer=slug)
        return page(request, "public/organizer.html", organizer=organizer, upcoming=upcoming, home=False)

    @get("/organizers/{slug:str}/logo")
    async def logo(self, request: Request, slug: FromPath[str]) -> Response:
        """The organizer's logo for every page's header; the society's mark where it has none."""
        found = await branding.page_logo(slug, request.app.state.storage)
        return Response(found.data, media_type=found.media_type,
                         headers={"Cache-Control": "public, max-age=300", "X-Content-Type-Options": "nosniff"})

    @get("/events")
    async def events(
        self,
        request: Request,
        kind: FromQuery[EventKind | None] = None,
        when: FromQuery[service.When] = service.When.upcoming,
    ) -> Template:
        events = await service.list_events(kind=kind, when=when)
        return page(request, "public/events.html", events=events, kind=kind.value if kind else "", when=when.value)

    @get("/events/{slug:str}")
    async def event(
        self,
        request: Request,
        slug: FromPath[str],
        day: FromQuery[str | None] = None,
        track: FromQuery[str | None] = None,
        room: FromQuery[str | None] = None,
    ) -> Template:
        event = await service.get_event(slug, request.state.principal)
        shown = filters.apply(event.sessions, event.timezone, day=day, track=track, room=room)
        agenda = build_agenda(shown, event.timezone, [r.name for r in event.rooms])
        planners = await disclosures.planners_of_event(slug) if event.cme_enabled else []
        prices = await price_box(slug) if event.status == "published" else None
        return page(request, "public/event.html", event=event, agenda=agenda, planners=planners, prices=prices,
                    days=filters.days_of(event.sessions, event.timezone),
                    chosen={"day": day or "", "track": track or "", "room": room or ""})

    @get("/events/{slug:str}/sessions/{session_id:int}")
    async def session(self, request: Request, slug: FromPath[str], session_id: FromPath[int]) -> Template:
        if session_id < 1:
            raise NotFound("There is no such session.")
        principal = request.state.principal
        event, session = await service.get_session(slug, session_id, principal)
        people = (await disclosures.for_learners([session_id])).get(session_id, []) if event.cme_enabled else []
        materials = await portal.shared_materials(session_id, principal)
        return page(request, "public/session.html", event=event, session=session, disclosures=people,
                    materials=materials, in_agenda=session_id in await personal_agenda.session_ids(principal))
