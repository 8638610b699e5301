"""The optional demographics page at the order's link: consent first, answers stored apart."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from confops.core.auth import PUBLIC
from confops.core.errors import Conflict, Invalid
from confops.events.rows import event_by_id
from confops.registration import demographics, orders
from confops.web.render import page


class DemographicsPages(Controller):
    include_in_schema = False
    opt = {"access": PUBLIC}  # the order's token is checked: a wrong token is 404
    path = "/orders/{order_id:int}/demographics"

    async def _show(self, request: Request, order: dict, token: str, *, values=None, errors=None,
                    status: int = 200, done: bool = False) -> Template:
        event = await event_by_id(order["event"])
        return page(request, "register/demographics.html", status_code=status, order=order, token=token,
                    event=event, choices=demographics.CHOICES, labels=demographics.LABELS, v=values or {},
                    errors=errors or {}, done=done, remaining=await demographics.remaining(order))

    @get("/")
    async def show(self, request: Request, order_id: FromPath[int], token: FromQuery[str] = "") -> Template:
        return await self._show(request, await orders.order_by_token(order_id, token), token)

    @post("/")
    async def save(self, request: Request, order_id: FromPath[int]) -> Template:
        form = {k: str(v) for k, v in (await request.form()).items() if k != "_csrf_token"}
        token = form.get("token", "")
        order = await orders.order_to_change(order_id, token)
        try:
            await demographics.record(order, form, consent=form.get("consent") == "yes")
        except (Invalid, Conflict) as exc:
            return await self._show(request, order, token, values=form, status=exc.status_code,
                                    errors=exc.field_messages() or {"form": exc.detail})
        order = await orders.order_by_token(order_id, token)
        return await self._show(request, order, token, done=True)
