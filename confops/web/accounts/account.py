"""The signed-in person's own page."""

from litestar import Controller, Request, get
from litestar.response import Template

from confops.core.auth import SIGNED_IN
from confops.web.render import page


class AccountPages(Controller):
    include_in_schema = False
    opt = {"access": SIGNED_IN}

    @get("/account")
    async def account(self, request: Request) -> Template:
        return page(request, "account/home.html")
