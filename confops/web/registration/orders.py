"""Self-service at the magic link from the confirmation (/orders/{id}?token=…): see the order,
edit answers until the edit deadline, cancel with the refund shown first, transfer a place."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from confops.core.auth import PUBLIC
from confops.core.errors import Conflict, Invalid
from confops.events.rows import event_by_id
from confops.registration import orders, selfservice
from confops.registration.categories import category_labels
from confops.registration.checkin_qr import qr_data_uri, signed_tokens
from confops.registration.intake import PRONOUN_CHOICES, TEXT_FIELDS
from confops.web.render import page


async def _context(order_id: int, token: str) -> dict:
    row = await orders.order_by_token(order_id, token)
    event = await event_by_id(row["event"])
    people = await orders.attendees_as_seen(row)
    if row["status"] == "confirmed":
        # The same signed check-in token as the e-mail's QR (the door scanner verifies it).
        active = [p for p in people if p["status"] == "active"]
        for person_id, signed in (await signed_tokens(row["event"], active)).items():
            next(p for p in active if p["id"] == person_id)["qr"] = qr_data_uri(signed)
    categories = await category_labels(row["event"])
    active = sum(1 for p in people if p["status"] == "active")
    return {"order": row, "event": event, "people": people, "token": token, "categories": categories,
            "active_count": active, "balance": await _balance(row)}


async def _balance(row: dict):
    from confops.payments.ledger import balance_of

    return await balance_of(row)


class OrderPages(Controller):
    include_in_schema = False
    opt = {"access": PUBLIC}

    async def _show(self, request: Request, order_id: int, token: str, *, status: int = 200, errors=None,
                    notice: str = "", preview=None) -> Template:
        ctx = await _context(order_id, token)
        from confops.series.service import links_visible  # only this order's own confirmed view

        ctx["meetings"] = await links_visible(ctx["order"])
        return page(request, "register/order.html", status_code=status, errors=errors or {}, notice=notice,
                    preview=preview, attendee_preview=None, preview_attendee=None, pronouns=PRONOUN_CHOICES, **ctx)

    @get("/orders/{order_id:int}")
    async def show(self, request: Request, order_id: FromPath[int], token: FromQuery[str] = "") -> Template:
        return await self._show(request, order_id, token)

    @post("/orders/{order_id:int}/answers")
    async def answers(self, request: Request, order_id: FromPath[int]) -> Template | Redirect:
        form = await request.form()
        token = str(form.get("token", ""))
        row = await orders.order_to_change(order_id, token)
        fields = {k: str(form.get(k, "")) for k in TEXT_FIELDS if k in form}
        answers = {k[len("answer_"):]: str(v) for k, v in form.items() if k.startswith("answer_")}
        try:
            attendee_id = int(str(form.get("attendee", "0")))
            await selfservice.edit_answers(row, attendee_id, fields, answers)
        except (Invalid, Conflict) as exc:
            return await self._show(request, order_id, token, status=exc.status_code,
                                    errors=exc.field_messages() or {"form": exc.detail})
        except ValueError:
            return await self._show(request, order_id, token, status=422, errors={"form": "Choose an attendee."})
        return await self._show(request, order_id, token, notice="Your answers were saved.")

    @post("/orders/{order_id:int}/cancel")
    async def cancel(self, request: Request, order_id: FromPath[int]) -> Template:
        form = await request.form()
        token = str(form.get("token", ""))
        row = await orders.order_to_change(order_id, token)
        try:
            if form.get("confirm") != "yes":
                preview = await selfservice.refund_preview(row)
                return await self._show(request, order_id, token, preview=preview)
            done = await selfservice.cancel_order(row)
        except Conflict as exc:
            return await self._show(request, order_id, token, status=409, errors={"form": exc.detail})
        from confops.core.money import money

        return await self._show(request, order_id, token,
                                notice=f"Your registration is cancelled. Refund: {money(done.refund_cents, row['currency'])}.")

    @post("/orders/{order_id:int}/transfer")
    async def transfer(self, request: Request, order_id: FromPath[int]) -> Template:
        form = await request.form()
        token = str(form.get("token", ""))
        row = await orders.order_to_change(order_id, token)
        new = {k: str(form.get(k, "")) for k in (*TEXT_FIELDS, "email")}
        try:
            attendee_id = int(str(form.get("attendee", "0")))
            diff = await selfservice.transfer(row, attendee_id, new, category_code=str(form.get("category", "")) or None)
        except (Invalid, Conflict) as exc:
            return await self._show(request, order_id, token, status=exc.status_code,
                                    errors={f"transfer_{k}": v for k, v in exc.field_messages().items()}
                                    or {"form": exc.detail})
        except ValueError:
            return await self._show(request, order_id, token, status=422, errors={"form": "Choose an attendee."})
        from confops.core.money import money

        note = "The place was transferred; the old check-in code no longer works."
        if diff > 0:
            note += f" Balance due for the dearer category: {money(diff, row['currency'])}."
        elif diff < 0:
            note += f" The difference of {money(-diff, row['currency'])} is refunded."
        return await self._show(request, order_id, token, notice=note)
