"""Staff pages for an event's registrations (STAFF access + registrar role at the organizer)."""

from __future__ import annotations

import secrets

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from confops.core.auth import STAFF
from confops.core.errors import Conflict, Invalid
from confops.core.paging import page_number
from confops.registration import staff
from confops.web.registration.register import _errors, order_from_form
from confops.web.render import page


class StaffRegistrations(Controller):
    include_in_schema = False
    opt = {"access": STAFF}
    path = "/staff/events/{slug:str}/registrations"

    @get("/")
    async def index(self, request: Request, slug: FromPath[str], q: FromQuery[str] = "", status: FromQuery[str] = "",
                    sort: FromQuery[str] = "name") -> Template:
        event = await staff.event_for_staff(slug, request.state.principal)
        found = await staff.search(event["id"], q, page=page_number(request.query_params.get("page")), sort=sort, status=status)
        return page(request, "staff/registrations.html", event=event, rows=found.rows, found=found, q=q,
                    statuses=sorted(staff.STATUS_FILTERS))

    @get("/accessibility")
    async def accessibility(self, request: Request, slug: FromPath[str]) -> Template:
        event = await staff.event_for_staff(slug, request.state.principal)
        found = await staff.accessibility_followups(event["id"], page_number(request.query_params.get("page")))
        return page(request, "staff/accessibility.html", event=event, rows=found.rows, found=found)

    @post("/accessibility/{attendee_id:int}")
    async def followed_up(self, request: Request, slug: FromPath[str], attendee_id: FromPath[int]) -> Redirect:
        event = await staff.event_for_staff(slug, request.state.principal)
        await staff.mark_followed_up(event["id"], attendee_id, request.state.principal.user_id)
        return Redirect(f"/staff/events/{slug}/registrations/accessibility", status_code=303)

    @post("/orders/{order_id:int}/resend")
    async def resend(self, request: Request, slug: FromPath[str], order_id: FromPath[int]) -> Redirect:
        event = await staff.event_for_staff(slug, request.state.principal)
        await staff.resend_confirmation(event["id"], order_id, secrets.token_hex(6),
                                       request.state.principal.user_id)
        return Redirect(f"/staff/events/{slug}/registrations?resent={order_id}", status_code=303)

    @get("/new")
    async def new(self, request: Request, slug: FromPath[str]) -> Template:
        event = await staff.event_for_staff(slug, request.state.principal)
        return page(request, "staff/registration_new.html", event=event,
                    v={"form_token": secrets.token_urlsafe(16)}, errors={}, problem="")

    @post("/new")
    async def create(self, request: Request, slug: FromPath[str]) -> Template | Redirect:
        """Manual registration; with `complimentary` the order costs nothing and is confirmed."""
        event = await staff.event_for_staff(slug, request.state.principal)
        values = {k: str(v) for k, v in (await request.form()).items() if k != "_csrf_token"}
        settings = request.app.state.settings
        try:
            await staff.place_staff_order(slug, order_from_form(values), actor_id=request.state.principal.user_id,
                                          complimentary=values.get("complimentary") == "1",
                                          hold_minutes=settings.order_hold_minutes, base_url=settings.base_url)
        except Invalid as exc:
            return page(request, "staff/registration_new.html", status_code=422, event=event, v=values,
                        errors=_errors(exc), problem="")
        except Conflict as exc:
            return page(request, "staff/registration_new.html", status_code=409, event=event, v=values,
                        errors={}, problem=exc.detail)
        return Redirect(f"/staff/events/{slug}/registrations", status_code=303)
