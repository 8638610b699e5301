"""A signed-in person's own agenda and its calendar subscription link."""

from __future__ import annotations

from urllib.parse import urlparse

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from confops.accounts.service import safe_next_path
from confops.core.auth import SIGNED_IN
from confops.events import personal_agenda
from confops.web.render import page


class AgendaPages(Controller):
    path = "/agenda"
    include_in_schema = False
    opt = {"access": SIGNED_IN}

    @get("/")
    async def agenda(self, request: Request) -> Template:
        principal = request.state.principal
        token = await personal_agenda.feed_token(principal)
        base = request.app.state.settings.base_url
        return page(request, "account/agenda.html", items=await personal_agenda.items(principal.user_id),
                    feed_url=token and f"{base}/calendar/{token}/agenda.ics",
                    webcal_url=token and f"webcal://{base.split('://', 1)[-1]}/calendar/{token}/agenda.ics")

    @post("/{session_id:int}")
    async def add(self, request: Request, session_id: FromPath[int]) -> Redirect:
        await personal_agenda.add(request.state.principal, session_id)
        back = urlparse(request.headers.get("referer") or "")  # back to the page, never to another site
        return Redirect(safe_next_path(back.path, "/agenda"), status_code=303)

    @post("/{session_id:int}/remove")
    async def remove(self, request: Request, session_id: FromPath[int]) -> Redirect:
        await personal_agenda.remove(request.state.principal, session_id)
        return Redirect("/agenda", status_code=303)
