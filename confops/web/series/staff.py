"""Staff run an online series at /staff/events/<slug>/series: meeting links per session, the
minimum enrolment with its go/no-go date, and when reminders go (rules in series.service)."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from confops.core.auth import STAFF
from confops.core.errors import Conflict, Invalid
from confops.series import service
from confops.web.render import page


class SeriesPages(Controller):
    path = "/staff/events/{slug:str}/series"
    include_in_schema = False
    opt = {"access": STAFF}

    async def _page(self, request: Request, slug: str, *, errors=None, v=None, status_code=200,
                    notice: str = "") -> Template:
        data = await service.setup(request.state.principal, slug)
        return page(request, "staff/series.html", **data, errors=errors or {}, v={**data["plan_values"], **(v or {})},
                    notice=notice, status_code=status_code)

    @get("/")
    async def show(self, request: Request, slug: FromPath[str], notice: FromQuery[str | None] = None) -> Template:
        return await self._page(request, slug, notice=(notice or "")[:200])

    async def _do(self, request: Request, slug: str, action, done: str) -> Template | Redirect:
        form = {k: str(v) for k, v in (await request.form()).items() if k != "_csrf_token"}
        try:
            await action(form)
        except (Invalid, Conflict) as exc:
            errors = exc.field_messages() or {"form": exc.detail}
            return await self._page(request, slug, errors=errors, v=form, status_code=exc.status_code)
        return Redirect(f"/staff/events/{slug}/series?notice={done.replace(' ', '+')}", status_code=303)

    @post("/plan")
    async def plan(self, request: Request, slug: FromPath[str]) -> Template | Redirect:
        return await self._do(request, slug, lambda f: service.save_plan(request.state.principal, slug, f),
                              "Plan saved.")

    @post("/sessions/{session_id:int}")
    async def meeting(self, request: Request, slug: FromPath[str], session_id: FromPath[int]) -> Template | Redirect:
        return await self._do(request, slug, lambda f: service.save_meeting(
            request.state.principal, slug, session_id, f.get("url", ""), f.get("passcode", "")), "Meeting link saved.")
