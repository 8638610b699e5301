"""The audit log (admins) and privacy: a person's own data and deletion request; staff's list."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from confops.backoffice import audit, privacy
from confops.core.auth import SIGNED_IN, STAFF, Role
from confops.core.errors import Conflict, NotFound
from confops.web.render import page


class AuditPages(Controller):
    include_in_schema = False
    opt = {"access": STAFF, "roles": [Role.admin]}

    @get("/staff/audit")
    async def index(self, request: Request, actor: FromQuery[str] = "", entity: FromQuery[str] = "",
                    action: FromQuery[str] = "", days: FromQuery[int | None] = None) -> Template:
        rows = await audit.search(actor=actor, entity=entity, action=action, days=days)
        return page(request, "backoffice/audit.html", rows=rows, choices=await audit.choices(),
                    f={"actor": actor, "entity": entity, "action": action, "days": days or ""})


class MyPrivacy(Controller):
    include_in_schema = False
    opt = {"access": SIGNED_IN}
    path = "/account/privacy"

    @get("/")
    async def index(self, request: Request) -> Template:
        asked = request.query_params.get("asked") == "1"
        return page(request, "backoffice/privacy_mine.html", asked=asked, problem="")

    @get("/download/{fmt:str}")
    async def download(self, request: Request, fmt: FromPath[str]) -> Response:
        if fmt not in ("json", "zip"):
            raise NotFound("There is no such download.")
        data = await privacy.personal_data(request.state.principal.user_id)
        body = privacy.as_json(data) if fmt == "json" else privacy.as_zip(data)
        return Response(body, media_type="application/json" if fmt == "json" else "application/zip",
                        headers={"content-disposition": f'attachment; filename="my-data.{fmt}"',
                                 "cache-control": "no-store"})

    @post("/deletion")
    async def ask(self, request: Request) -> Template | Redirect:
        form = await request.form()
        try:
            await privacy.ask_deletion(request.state.principal.user_id, str(form.get("message", "")))
        except Conflict as exc:
            return page(request, "backoffice/privacy_mine.html", status_code=409, asked=False, problem=exc.detail)
        return Redirect("/account/privacy?asked=1", status_code=303)


class StaffPrivacy(Controller):
    include_in_schema = False
    opt = {"access": STAFF, "roles": [Role.registrar]}
    path = "/staff/privacy"

    @get("/")
    async def index(self, request: Request, status: FromQuery[str] = "open") -> Template:
        return page(request, "backoffice/privacy_staff.html", rows=await privacy.requests(status), status=status)

    @post("/{request_id:int}")
    async def decide(self, request: Request, request_id: FromPath[int]) -> Redirect:
        form = await request.form()
        await privacy.handle(request_id, request.state.principal.user_id, str(form.get("decision", "")),
                             str(form.get("outcome", "")))
        return Redirect("/staff/privacy?status=", status_code=303)
