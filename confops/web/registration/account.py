"""The signed-in attendee's registrations, with links to manage each."""

from litestar import Controller, Request, get
from litestar.response import Template

from confops.core.auth import SIGNED_IN
from confops.registration.mine import my_registrations
from confops.web.render import page


class MyRegistrations(Controller):
    include_in_schema = False
    opt = {"access": SIGNED_IN}

    @get("/account/registrations")
    async def index(self, request: Request) -> Template:
        from confops.registration.tables import Order
        from confops.series.service import links_visible

        rows = await my_registrations(request.state.principal.email)
        for row in rows:  # online sessions' links, as the order's own page shows them
            row["meetings"] = []
            if row["status"] == "confirmed":
                order = await Order.select().where(Order.id == row["id"]).first()
                row["meetings"] = await links_visible(order)
        return page(request, "account/registrations.html", rows=rows)
