"""A signed-in person's small groups: their group, room and meeting times; opting in with a
track; for leaders the rosters (page and PDF) and attendance marking; and their own
leader-training progress."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from confops.core.auth import SIGNED_IN
from confops.core.errors import DomainError
from confops.documents.group_roster import roster_pdf
from confops.groups import planning, published, training
from confops.web.render import page


async def _form(request: Request) -> dict:
    form = await request.form()
    return {k: form.getall(k) if k == "present" else str(v) for k, v in form.items() if k != "_csrf_token"}


class MyGroups(Controller):
    include_in_schema = False
    opt = {"access": SIGNED_IN}
    path = "/account/groups"

    @get("/")
    async def index(self, request: Request) -> Template:
        mine = await published.my_groups(request.state.principal.email)
        return page(request, "groups/mine.html", mine=mine, note=request.query_params.get("note", ""), problem="")

    @post("/{series_id:int}/opt-in")
    async def opt_in(self, request: Request, series_id: FromPath[int]) -> Template | Redirect:
        v = await _form(request)
        email = request.state.principal.email.lower()
        try:
            attendee_id = int(v.get("attendee", "0") or 0)
        except ValueError:
            attendee_id = 0
        await planning.check_own_registration(attendee_id, email)
        try:
            if v.get("track") == "none":
                await planning.opt_out(series_id, attendee_id)
            else:
                await planning.opt_in(series_id, attendee_id, v.get("track", ""), v.get("supervisor_email", ""))
        except DomainError as exc:
            mine = await published.my_groups(email)
            return page(request, "groups/mine.html", status_code=exc.status_code, mine=mine, note="", problem=exc.detail)
        return Redirect("/account/groups?note=saved", status_code=303)

    @get("/{group_id:int}/roster")
    async def roster(self, request: Request, group_id: FromPath[int]) -> Template:
        data = await published.roster(group_id, request.state.principal)
        return page(request, "groups/roster.html", note=request.query_params.get("note", ""), problem="", **data)

    @get("/{group_id:int}/roster.pdf")
    async def roster_pdf(self, request: Request, group_id: FromPath[int]) -> Response:
        data = await published.roster(group_id, request.state.principal)
        return Response(roster_pdf(data), media_type="application/pdf", headers={
            "Content-Disposition": f'inline; filename="balint-group-{data["group"]["number"]}.pdf"'})

    @post("/{group_id:int}/attendance/{session_id:int}")
    async def attendance(self, request: Request, group_id: FromPath[int], session_id: FromPath[int]) -> Template | Redirect:
        v = await _form(request)
        try:
            present = {int(x) for x in v.get("present", [])}
        except ValueError:
            present = {-1}
        try:
            n = await published.mark_attendance(group_id, session_id, present, request.state.principal)
        except DomainError as exc:
            if exc.status_code in (401, 403, 404):
                raise
            data = await published.roster(group_id, request.state.principal)
            return page(request, "groups/roster.html", status_code=exc.status_code, note="", problem=exc.detail, **data)
        return Redirect(f"/account/groups/{group_id}/roster?note=marked-{n}", status_code=303)


class MyLeaderTraining(Controller):
    include_in_schema = False
    opt = {"access": SIGNED_IN}

    @get("/account/leader-training")
    async def index(self, request: Request) -> Template:
        return page(request, "groups/my_training.html", orgs=await training.my_training(request.state.principal.email))
