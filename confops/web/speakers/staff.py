"""Staff pages for faculty: invitations, edit proposals, and (for CME coordinators) the
review of disclosures with relevance and mitigation."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from confops.core.auth import STAFF
from confops.core.errors import Invalid
from confops.events import schedule
from confops.events.rows import event_by_slug
from confops.speakers import disclosures, invitations, portal
from confops.speakers.roles import SpeakerRole
from confops.web.render import page


async def _organizer_of(slug: str) -> int:
    return (await event_by_slug(slug))["organizer"]


class StaffSpeakers(Controller):
    path = "/staff/events/{slug:str}"
    include_in_schema = False
    opt = {"access": STAFF}

    async def _speakers_page(self, request: Request, slug: str, *, errors=None, values=None, status_code=200,
                             notice="") -> Template:
        data = await schedule.editor(request.state.principal, slug)
        return page(request, "staff/speakers.html", event=data["event"], sessions=data["sessions"],
                    roles=list(SpeakerRole), proposals=await portal.pending_proposals(request.state.principal, slug),
                    errors=errors or {}, values=values or {}, notice=notice, status_code=status_code)

    @get("/speakers")
    async def speakers(self, request: Request, slug: FromPath[str], sent: FromQuery[str | None] = None) -> Template:
        return await self._speakers_page(request, slug, notice=f"Invitation sent to {sent}." if sent else "")

    @post("/invitations")
    async def invite(self, request: Request, slug: FromPath[str]) -> Template | Redirect:
        form = await request.form()
        values = {k: str(form.get(k, "")) for k in ("email", "first_name", "last_name", "role")}
        session_ids = [int(v) for v in form.getall("sessions", []) if str(v).isdigit()]
        try:
            done = await invitations.invite(request.state.principal, event_slug=slug, session_ids=session_ids,
                                            base_url=request.app.state.settings.base_url, **values)
        except Invalid as exc:
            return await self._speakers_page(request, slug, errors=exc.field_messages(), values=values,
                                             status_code=422)
        return Redirect(f"/staff/events/{slug}/speakers?sent={done.email}", status_code=303)

    @post("/planners")
    async def add_planner(self, request: Request, slug: FromPath[str]) -> Template | Redirect:
        form = await request.form()
        values = {k: str(form.get(f"planner_{k}", "")) for k in ("email", "first_name", "last_name", "role")}
        try:
            await invitations.add_planner(request.state.principal, event_slug=slug,
                                          base_url=request.app.state.settings.base_url, **values)
        except Invalid as exc:
            return await self._speakers_page(request, slug, errors=exc.field_messages(), status_code=422)
        return Redirect(f"/staff/events/{slug}/speakers?sent={values['email']}", status_code=303)

    @post("/proposals/{proposal_id:int}")
    async def decide(self, request: Request, slug: FromPath[str], proposal_id: FromPath[int]) -> Redirect:
        form = await request.form()
        await portal.decide_proposal(request.state.principal, slug, proposal_id, form.get("decision") == "accept")
        return Redirect(f"/staff/events/{slug}/speakers", status_code=303)

    async def _disclosures_page(self, request: Request, slug: str, *, errors=None, status_code=200) -> Template:
        organizer = await _organizer_of(slug)
        people = await disclosures.organizer_overview(request.state.principal, organizer)
        return page(request, "staff/disclosures.html", slug=slug, people=people, steps=disclosures.STEP_LABELS,
                    errors=errors or {}, status_code=status_code)

    @get("/disclosures")
    async def disclosures_review(self, request: Request, slug: FromPath[str]) -> Template:
        return await self._disclosures_page(request, slug)

    @post("/relationships/{relationship_id:int}/review")
    async def review(self, request: Request, slug: FromPath[str], relationship_id: FromPath[int]) -> Redirect:
        form = await request.form()
        await disclosures.review(request.state.principal, slug, relationship_id, form.get("relevant") == "yes")
        return Redirect(f"/staff/events/{slug}/disclosures", status_code=303)

    @post("/relationships/{relationship_id:int}/mitigation")
    async def mitigate(self, request: Request, slug: FromPath[str], relationship_id: FromPath[int]) -> Template | Redirect:
        form = await request.form()
        try:
            await disclosures.mitigate(request.state.principal, slug, relationship_id,
                                       [str(s) for s in form.getall("steps", [])], str(form.get("notes", "")))
        except Invalid as exc:
            return await self._disclosures_page(request, slug, errors={relationship_id: exc.field_messages()},
                                                status_code=422)
        return Redirect(f"/staff/events/{slug}/disclosures", status_code=303)
