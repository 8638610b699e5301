"""Public program extras: the printable PDF, .ics downloads, speaker photos, and the slides
registrants may download after a session."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.params import FromPath
from litestar.response import Response, Stream

from confops.core.auth import PUBLIC, SIGNED_IN
from confops.core.errors import NotFound
from confops.documents import program_pdf
from confops.events import personal_agenda, service
from confops.events.rows import event_by_slug
from confops.speakers import disclosures, portal


class ProgramFiles(Controller):
    include_in_schema = False
    opt = {"access": PUBLIC}

    @get("/events/{slug:str}/program.pdf")
    async def program(self, request: Request, slug: FromPath[str]) -> Response:
        event = await service.get_event(slug, request.state.principal)
        people = await disclosures.for_learners([s.id for s in event.sessions])
        statements = await event_by_slug(slug)
        planners = await disclosures.planners_of_event(slug)
        pdf = program_pdf.render(event, people, planners=planners, accreditation=statements["cme_accreditation_statement"],
                                 designation=statements["cme_designation_statement"])
        return Response(pdf, media_type="application/pdf",
                        headers={"Content-Disposition": f'inline; filename="{slug}-program.pdf"'})

    @get("/events/{slug:str}/sessions/{session_id:int}/calendar.ics")
    async def session_ics(self, request: Request, slug: FromPath[str], session_id: FromPath[int]) -> Response:
        body = await personal_agenda.session_ics(slug, session_id, request.app.state.settings.base_url)
        return Response(body, media_type="text/calendar; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="session-{session_id}.ics"'})

    @get("/calendar/{token:str}/agenda.ics")
    async def feed(self, request: Request, token: FromPath[str]) -> Response:
        body = await personal_agenda.feed(token, request.app.state.settings.base_url)
        return Response(body, media_type="text/calendar; charset=utf-8", headers={"Cache-Control": "private, max-age=300"})

    @get("/speakers/{speaker_id:int}/photo")
    async def photo(self, request: Request, speaker_id: FromPath[int]) -> Response:
        relative = await portal.photo_path(speaker_id)
        try:
            data = await request.app.state.storage.get(relative)
        except (FileNotFoundError, ValueError) as exc:
            raise NotFound("No photo.") from exc
        return Response(data, media_type="image/jpeg", headers={"Cache-Control": "public, max-age=3600"})

    @get("/events/{slug:str}/sessions/{session_id:int}/materials/{material_id:int}", opt={"access": SIGNED_IN})
    async def material(self, request: Request, slug: FromPath[str], session_id: FromPath[int],
                       material_id: FromPath[int]) -> Stream:
        await service.get_session(slug, session_id, request.state.principal)
        row, relative = await portal.material_file(material_id, session_id, request.state.principal)
        try:
            size, chunks = await request.app.state.storage.stream(relative)
        except (FileNotFoundError, ValueError) as exc:
            raise NotFound("The file is missing.") from exc
        return Stream(chunks, media_type=row["mime_type"],
                      headers={"Content-Disposition": f'attachment; filename="{row["filename"]}"',
                               "Content-Length": str(size), "X-Content-Type-Options": "nosniff"})
