"""One attendee of a (group) order at the order's link: cancel just them, refund shown first."""

from __future__ import annotations

from litestar import Controller, Request, post
from litestar.params import FromPath
from litestar.response import Template

from confops.core.auth import PUBLIC
from confops.core.errors import Conflict, NotFound
from confops.core.money import money
from confops.registration import group, orders
from confops.registration.intake import PRONOUN_CHOICES
from confops.web.registration.orders import _context
from confops.web.render import page


class AttendeePages(Controller):
    include_in_schema = False
    opt = {"access": PUBLIC}  # the order's token is checked: a wrong token is 404
    path = "/orders/{order_id:int}/attendees/{attendee_id:int}"

    @post("/cancel")
    async def cancel(self, request: Request, order_id: FromPath[int], attendee_id: FromPath[int]) -> Template:
        form = await request.form()
        token = str(form.get("token", ""))
        row = await orders.order_to_change(order_id, token)
        preview, notice, errors, status = None, "", {}, 200
        try:
            if form.get("confirm") != "yes":
                preview = await group.attendee_refund_preview(row, attendee_id)
            else:
                done = await group.cancel_attendee(row, attendee_id)
                notice = f"The attendee is cancelled. Refund: {money(done.refund_cents, row['currency'])}."
        except (Conflict, NotFound) as exc:
            errors, status = {"form": exc.detail}, exc.status_code
        ctx = await _context(order_id, token)
        return page(request, "register/order.html", status_code=status, errors=errors, notice=notice,
                    preview=None, attendee_preview=preview, preview_attendee=attendee_id if preview else None,
                    pronouns=PRONOUN_CHOICES, **ctx)
