"""Staff set up events at /staff/events: the list, a new event, editing one (with its categories
and status), and copying a past one. Rules live in registration.event_setup."""

from __future__ import annotations

from zoneinfo import available_timezones

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from confops.core.auth import STAFF
from confops.core.errors import Conflict, Invalid, NotFound, NotYours
from confops.events.kinds import EventKind
from confops.events.labels import EVENT_KIND as LABELS
from confops.payments.event_cancellation import cancel_by_staff, refunds_due_by_hand
from confops.registration import event_setup
from confops.web.render import page

TIMEZONES = sorted(tz for tz in available_timezones() if "/" in tz and not tz.startswith(("Etc/", "SystemV/")))
TZ_OPTIONS = [(tz, tz.replace("_", " ")) for tz in TIMEZONES]
KIND_OPTIONS = [(k.value, LABELS[k]) for k in EventKind]


def _form(raw) -> dict[str, str]:
    return {k: str(v) for k, v in raw.items() if k != "_csrf_token"}


def _errors(exc: Invalid | Conflict | NotFound) -> dict[str, str]:
    errors: dict[str, str] = {}
    for e in exc.errors:
        errors[e.field] = f"{errors[e.field]} {e.message}" if e.field in errors else e.message
    return errors or {"form": exc.detail}


class EventSetupPages(Controller):
    path = "/staff/events"
    include_in_schema = False
    opt = {"access": STAFF}

    @get("/")
    async def list(self, request: Request) -> Template:
        principal = request.state.principal
        organizers = await event_setup.setup_organizers(principal)
        if not organizers:
            raise NotYours("Setting up events needs the registrar or admin role.")
        mine = await event_setup.events_to_set_up(principal, {o["id"] for o in organizers})
        return page(request, "staff/events.html", events=mine)

    async def _new_page(self, request: Request, *, v=None, errors=None, status_code=200) -> Template:
        organizers = await event_setup.setup_organizers(request.state.principal)
        if not organizers:
            raise NotYours("Setting up events needs the registrar or admin role.")
        defaults = {"timezone": "America/New_York", "currency": "USD", "country": "US", "payment_term_days": "14",
                    "reminder_days": "7,2", "pre_event_days": "3",
                    "cancellation_policy": "tiered", "refund_tiers": "60:80,30:50", "kind": "theme_day"}
        return page(request, "staff/event_form.html", event=None, organizers=organizers,
                    organizer_options=[(str(o["id"]), o["name"]) for o in organizers], v={**defaults, **(v or {})},
                    errors=errors or {}, kind_options=KIND_OPTIONS, tz_options=TZ_OPTIONS, status_code=status_code,
                    categories=[], addons=[], problems=[], moves=[], notice="", by_hand=[])

    @get("/new")
    async def new(self, request: Request) -> Template:
        return await self._new_page(request)

    @post("/new")
    async def create(self, request: Request) -> Template | Redirect:
        form = _form(await request.form())
        organizers = await event_setup.setup_organizers(request.state.principal)
        wanted = form.get("organizer", "")
        organizer = next((o["id"] for o in organizers if str(o["id"]) == wanted), None)
        if organizer is None and len(organizers) == 1 and not wanted:
            organizer = organizers[0]["id"]
        try:
            if organizer is None:
                raise Invalid("Choose the organizer.", field="organizer")
            slug = await event_setup.create_event(request.state.principal, organizer, form)
        except (Invalid, Conflict) as exc:
            return await self._new_page(request, v=form, errors=_errors(exc), status_code=exc.status_code)
        return Redirect(f"/staff/events/{slug}/edit?notice=Event+created+as+a+draft.", status_code=303)

    async def _edit_page(self, request: Request, slug: str, *, v=None, errors=None, status_code=200,
                         notice: str = "") -> Template:
        event = await event_setup.event_for_setup(request.state.principal, slug)
        shown = await event_setup.edit_page(event)
        return page(request, "staff/event_form.html", event=event, organizers=[], organizer_options=[], v={**shown["values"], **(v or {})},
                    errors=errors or {}, kind_options=KIND_OPTIONS, tz_options=TZ_OPTIONS, status_code=status_code,
                    categories=shown["categories"], addons=shown["addons"],
                    problems=await event_setup.publish_problems(event["id"]),
                    moves=event_setup.STATUS_MOVES.get(event["status"], ()), notice=notice,
                    by_hand=await refunds_due_by_hand(event["id"]) if event["status"] == "cancelled" else [])

    @get("/{slug:str}/edit")
    async def edit(self, request: Request, slug: FromPath[str], notice: FromQuery[str | None] = None) -> Template:
        return await self._edit_page(request, slug, notice=(notice or "")[:200])

    async def _do(self, request: Request, slug: str, action, done: str, *, keep_form: bool = False) -> Template | Redirect:
        form = _form(await request.form())
        try:
            result = await action(form)
        except (Invalid, Conflict) as exc:
            return await self._edit_page(request, slug, v=form if keep_form else None, errors=_errors(exc),
                                         status_code=exc.status_code)
        target = result if isinstance(result, str) else slug
        return Redirect(f"/staff/events/{target}/edit?notice={done.replace(' ', '+')}", status_code=303)

    @post("/{slug:str}/edit")
    async def save(self, request: Request, slug: FromPath[str]) -> Template | Redirect:
        return await self._do(request, slug, lambda f: event_setup.update_event(request.state.principal, slug, f),
                              "Event saved.", keep_form=True)

    @post("/{slug:str}/categories")
    async def category(self, request: Request, slug: FromPath[str]) -> Template | Redirect:
        return await self._do(request, slug, lambda f: event_setup.add_category(request.state.principal, slug, f),
                              "Category added.")

    @post("/{slug:str}/addons")
    async def addon(self, request: Request, slug: FromPath[str]) -> Template | Redirect:
        return await self._do(request, slug, lambda f: event_setup.add_addon(request.state.principal, slug, f),
                              "Add-on added.")

    @post("/{slug:str}/status")
    async def status(self, request: Request, slug: FromPath[str]) -> Template | Redirect:
        return await self._do(request, slug, lambda f: event_setup.set_status(
            request.state.principal, slug, f.get("status", ""), free=f.get("free") == "1"), "Status changed.")

    @post("/{slug:str}/copy")
    async def copy(self, request: Request, slug: FromPath[str]) -> Template | Redirect:
        return await self._do(request, slug, lambda f: event_setup.copy_event(request.state.principal, slug, f),
                              "Copied as a draft: check the dates, then publish.")

    @post("/{slug:str}/cancel")
    async def cancel(self, request: Request, slug: FromPath[str]) -> Template | Redirect:
        principal = request.state.principal

        async def act(f):
            event = await event_setup.event_for_setup(principal, slug)
            done = await cancel_by_staff(event, reason=f.get("reason", ""), confirm=f.get("confirm", ""),
                                         actor_id=principal.user_id)
            return done

        form = _form(await request.form())
        try:
            done = await act(form)
        except (Invalid, Conflict) as exc:
            return await self._edit_page(request, slug, errors=_errors(exc), status_code=exc.status_code)
        notice = (f"Event cancelled: {done.orders_cancelled} orders cancelled and their registrants told; "
                  f"card refunds sent; {len(done.by_hand)} refunds to send by hand are listed below.")
        return Redirect(f"/staff/events/{slug}/edit?notice={notice.replace(' ', '+')}", status_code=303)
