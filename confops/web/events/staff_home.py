"""The staff start page: the events of the organizers this person works for."""

from litestar import Controller, Request, get
from litestar.response import Template

from confops.core.auth import STAFF
from confops.events import service
from confops.web.render import page


class StaffHome(Controller):
    include_in_schema = False
    opt = {"access": STAFF}

    @get("/staff")
    async def home(self, request: Request) -> Template:
        events = await service.staff_events(request.state.principal)
        return page(request, "staff/home.html", events=events)
