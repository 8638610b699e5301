"""Staff pages for badges: the event's badge list with filters, batch PDF, one reprint at the
desk, and walk-in registration that ends with the new person's badge on screen to print.

Registrars and check-in staff (and admins) use them: the desk is staffed by both.
"""

from __future__ import annotations

import secrets

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Response, Template

from confops.badges import printing
from confops.badges.kinds import PrintReason
from confops.badges.walk_in import PAYMENTS, register_walk_in, walk_in_person
from confops.core import clock
from confops.core.auth import STAFF
from confops.core.errors import Conflict, Invalid, NotFound
from confops.core.paging import page_number
from confops.documents.badge_data import PRIORITY, BadgeFilters, badge_roster, roster_page
from confops.documents.badges import render_badges
from confops.documents.layouts import available
from confops.registration.catalog import load_catalog
from confops.registration.categories import category_labels
from confops.web.registration.register import _errors, order_from_form
from confops.web.render import page

ROLE_LABELS = {"attendee": "Attendee", "faculty": "Faculty / speaker", "staff": "Staff", "group_leader": "Group leader"}


def _pdf(pdf: bytes, filename: str) -> Response:
    return Response(content=pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{filename}"', "Cache-Control": "no-store"})


def _filters(values: dict) -> BadgeFilters:
    role, category = values.get("role", ""), values.get("category", "")
    return BadgeFilters(roles=frozenset({role}) if role in PRIORITY else None,
                        categories=frozenset({category}) if category else None,
                        not_printed=values.get("not_printed") == "1", name=values.get("name", "")[:100])


def _user_id(request: Request) -> int | None:
    principal = getattr(request.state, "principal", None)
    return principal.user_id if principal else None


async def _form(request: Request) -> dict[str, str]:
    return {k: str(v) for k, v in (await request.form()).items() if k != "_csrf_token"}


class StaffBadges(Controller):
    include_in_schema = False
    opt = {"access": STAFF}
    path = "/staff/events/{slug:str}/badges"

    @get("/")
    async def index(self, request: Request, slug: FromPath[str], role: FromQuery[str] = "",
                    category: FromQuery[str] = "", not_printed: FromQuery[str] = "", name: FromQuery[str] = "",
                    layout: FromQuery[str] = printing.DEFAULT_LAYOUT) -> Template:
        event = await printing.desk_event(slug, request.state.principal)
        values = {"role": role, "category": category, "not_printed": not_printed, "name": name,
                  "layout": layout if layout in available() else printing.DEFAULT_LAYOUT}
        settings = request.app.state.settings
        shown = await roster_page(slug, _filters(values), secret_key=settings.secret_key,
                                  page=page_number(request.query_params.get("page")),
                                  unpaid_page=page_number(request.query_params.get("upage")),
                                  params={k: values[k] for k in ("role", "category", "not_printed", "name", "layout")})
        categories = await category_labels(event["id"])
        prints = await printing.last_prints(event["id"], [b.person_key for b in shown.badges.rows])
        for p in prints.values():
            p["when"] = f"{clock.local(p['printed_at'], event['timezone']):%a %d %b %H:%M}"
        return page(request, "staff/badges.html", event=event, shown=shown, v=values, categories=categories,
                    layouts=list(available()), roles=ROLE_LABELS, prints=prints)

    @post("/print", status_code=200)
    async def print_batch(self, request: Request, slug: FromPath[str]) -> Response:
        """The filtered badges as one PDF, recorded as printed."""
        await printing.desk_event(slug, request.state.principal)
        values = await _form(request)
        layout = printing.shipped_layout(values.get("layout", ""))
        pdf, done = await printing.print_pdf(slug, layout, _filters(values),
                                             secret_key=request.app.state.settings.secret_key,
                                             printed_by=_user_id(request))
        if not done.badges:
            raise Conflict("Nobody to print with these filters.", code="nothing_to_print")
        return _pdf(pdf, f"badges-{slug}-{layout.name}.pdf")

    @post("/reprint", status_code=200)
    async def reprint(self, request: Request, slug: FromPath[str]) -> Response:
        """One person's badge again, at the desk."""
        await printing.desk_event(slug, request.state.principal)
        values = await _form(request)
        layout = printing.shipped_layout(values.get("layout", ""))
        person = values.get("person", "")
        if not person:
            raise Invalid("Choose whose badge to reprint.", field="person")
        pdf = await printing.reprint(slug, person, layout, secret_key=request.app.state.settings.secret_key,
                                     printed_by=_user_id(request))
        return _pdf(pdf, f"badge-{person}.pdf")

    @get("/people/{person:str}/badge.pdf")
    async def one(self, request: Request, slug: FromPath[str], person: FromPath[str],
                  layout: FromQuery[str] = printing.DEFAULT_LAYOUT) -> Response:
        """One badge to look at or print (the walk-in page shows it); not recorded again."""
        await printing.desk_event(slug, request.state.principal)
        chosen = printing.shipped_layout(layout)
        roster = await badge_roster(slug, BadgeFilters(person_keys=frozenset({person})),
                                    secret_key=request.app.state.settings.secret_key)
        if not roster.badges:
            raise NotFound("This person has no badge for this event.")
        return _pdf(render_badges(roster.badges, chosen), f"badge-{person}.pdf")


class WalkInDesk(Controller):
    include_in_schema = False
    opt = {"access": STAFF}
    path = "/staff/events/{slug:str}/walk-in"

    async def _page(self, request: Request, slug: str, event: dict, values: dict, errors: dict,
                    status: int = 200, problem: str = "") -> Template:
        catalog = await load_catalog(slug)
        return page(request, "staff/walk_in.html", status_code=status, event=event, catalog=catalog, v=values,
                    errors=errors, problem=problem, payments=PAYMENTS, layouts=list(available()))

    @get("/")
    async def form(self, request: Request, slug: FromPath[str]) -> Template:
        event = await printing.desk_event(slug, request.state.principal)
        return await self._page(request, slug, event, {"form_token": secrets.token_urlsafe(16), "payment": "door",
                                                       "layout": printing.DEFAULT_LAYOUT}, {})

    @post("/")
    async def register(self, request: Request, slug: FromPath[str]) -> Template | Redirect:
        event = await printing.desk_event(slug, request.state.principal)
        values = await _form(request)
        values.setdefault("form_token", "")
        settings = request.app.state.settings
        layout = values.get("layout") if values.get("layout") in available() else printing.DEFAULT_LAYOUT
        try:
            done = await register_walk_in(
                slug, order_from_form(values), payment=values.get("payment", ""), amount=values.get("amount", ""),
                reference=values.get("reference", ""), layout=layout, recorded_by=_user_id(request),
                base_url=settings.base_url, hold_minutes=settings.order_hold_minutes)
        except Invalid as exc:
            errors = _errors(exc)
            return await self._page(request, slug, event, values, errors, 422, exc.detail)
        except Conflict as exc:
            return await self._page(request, slug, event, values, {}, 409, exc.detail)
        return Redirect(f"/staff/events/{slug}/walk-in/{done.attendee_id}?layout={layout}", status_code=303)

    @get("/{attendee_id:int}")
    async def done(self, request: Request, slug: FromPath[str], attendee_id: FromPath[int],
                   layout: FromQuery[str] = printing.DEFAULT_LAYOUT) -> Template:
        event = await printing.desk_event(slug, request.state.principal)
        person = await walk_in_person(event["id"], attendee_id)
        return page(request, "staff/walk_in_done.html", event=event, person=person,
                    layout=layout if layout in available() else printing.DEFAULT_LAYOUT,
                    reason=PrintReason.walk_in.value)


ROUTES = [StaffBadges, WalkInDesk]
