"""Background work for admins: the periodic jobs and the e-mail that could not be sent."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from confops.core import job_status
from confops.core.auth import STAFF, Role
from confops.web.render import page


class JobPages(Controller):
    include_in_schema = False
    opt = {"access": STAFF, "roles": [Role.admin]}
    path = "/staff/jobs"

    @get("/")
    async def index(self, request: Request) -> Template:
        return page(request, "staff/jobs.html", jobs=await job_status.jobs(), mail=await job_status.mail_backlog(),
                    done=request.query_params.get("done", ""))

    @post("/{name:str}/run")
    async def run(self, request: Request, name: FromPath[str]) -> Redirect:
        await job_status.run_soon(name, request.state.principal.user_id)
        return Redirect("/staff/jobs?done=run", status_code=303)

    @post("/mail/{message_id:int}/retry")
    async def retry(self, request: Request, message_id: FromPath[int]) -> Redirect:
        await job_status.retry_mail(message_id, request.state.principal.user_id)
        return Redirect("/staff/jobs?done=retry", status_code=303)
