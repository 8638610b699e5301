"""The signed-in attendee's registrations, with links to manage each."""

from litestar import Controller, Request, get
from litestar.response import Template

from confops.core.auth import SIGNED_IN
from confops.registration.mine import my_registrations, orders_by_id
from confops.web.render import page


class MyRegistrations(Controller):
    include_in_schema = False
    opt = {"access": SIGNED_IN}

    @get("/account/registrations")
    async def index(self, request: Request) -> Template:
        from confops.series.service import links_visible

        rows = await my_registrations(request.state.principal.email)
        confirmed = await orders_by_id([row["id"] for row in rows if row["status"] == "confirmed"])
        for row in rows:  # online sessions' links, as the order's own page shows them
            row["meetings"] = []
            if row["status"] == "confirmed":
                row["meetings"] = await links_visible(confirmed[row["id"]])
        return page(request, "account/registrations.html", rows=rows)
