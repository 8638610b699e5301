"""Staff edit what an event sells (prices, capacities, questions) and issue codes."""

from __future__ import annotations

import re

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Template

from confops.core.auth import STAFF
from confops.core.errors import Conflict, Invalid, NotFound
from confops.registration import catalog_admin, staff
from confops.web.render import page

_AMOUNT = re.compile(r"^\d{1,6}(\.\d{1,2})?$")


def cents(raw: str) -> int | str:
    """"875" or "875.50" -> cents; anything else is passed on for the service to refuse."""
    raw = (raw or "").strip().replace(",", "")
    if not _AMOUNT.match(raw):
        return raw
    whole, _, frac = raw.partition(".")
    return int(whole) * 100 + int((frac + "00")[:2])


def whole(raw: str) -> int | None | str:
    raw = (raw or "").strip()
    if not raw:
        return None
    return int(raw) if raw.isdigit() and len(raw) < 9 else raw


class StaffCatalog(Controller):
    include_in_schema = False
    opt = {"access": STAFF}
    path = "/staff/events/{slug:str}/registrations/catalog"

    async def _show(self, request: Request, slug: str, *, errors=None, notice: str = "", status: int = 200,
                    v=None) -> Template:
        event = await staff.event_for_staff(slug, request.state.principal)
        return page(request, "staff/catalog.html", status_code=status, event=event, errors=errors or {},
                    notice=notice, v=v or {}, **await catalog_admin.catalog_rows(event["id"]))

    async def _do(self, request: Request, slug: str, action, notice: str) -> Template:
        event = await staff.event_for_staff(slug, request.state.principal)
        form = {k: str(v) for k, v in (await request.form()).items() if k != "_csrf_token"}
        try:
            await action(event["id"], form)
        except (Invalid, Conflict, NotFound) as exc:
            return await self._show(request, slug, errors=exc.field_messages() or {"form": exc.detail},
                                    status=exc.status_code, v=form)
        return await self._show(request, slug, notice=notice)

    @get("/")
    async def show(self, request: Request, slug: FromPath[str]) -> Template:
        return await self._show(request, slug)

    @post("/categories/{code:str}")
    async def category(self, request: Request, slug: FromPath[str], code: FromPath[str]) -> Template:
        async def act(event_id, f):
            await catalog_admin.update_category(event_id, code, early_cents=cents(f.get("early", "")),
                                                regular_cents=cents(f.get("regular", "")),
                                                late_cents=cents(f.get("late", "")), capacity=whole(f.get("capacity")))
        return await self._do(request, slug, act, "Category saved; new prices apply to new orders at once.")

    @post("/addons/{code:str}")
    async def addon(self, request: Request, slug: FromPath[str], code: FromPath[str]) -> Template:
        async def act(event_id, f):
            await catalog_admin.update_addon(event_id, code, price_cents=cents(f.get("price", "")),
                                             capacity=whole(f.get("capacity")))
        return await self._do(request, slug, act, "Add-on saved.")

    @post("/questions")
    async def question(self, request: Request, slug: FromPath[str]) -> Template:
        async def act(event_id, f):
            await catalog_admin.save_question(event_id, f.get("key", ""), label=f.get("label", ""),
                                              required=f.get("required") == "1", choices=f.get("choices", ""))
        return await self._do(request, slug, act, "Question saved.")

    @post("/codes")
    async def code(self, request: Request, slug: FromPath[str]) -> Template:
        async def act(event_id, f):
            kind = f.get("kind", "")
            await catalog_admin.issue_code(
                event_id, f.get("code", ""), kind=kind, percent=whole(f.get("percent")) or 0,
                amount_cents=cents(f.get("amount", "0") or "0"), max_uses=whole(f.get("max_uses")),
                categories=f.get("categories", ""), issued_to_name=f.get("issued_to_name", ""),
                issued_to_email=f.get("issued_to_email", ""))
        return await self._do(request, slug, act, "Code issued.")
