"""Paying at the order's magic link: the checkout page, the status the page polls, the receipt.

The server creates the PaymentIntent; the page mounts Stripe's Payment Element only when a
publishable key is configured, and then waits for the webhook's word by polling a small JSON
endpoint (the browser's own redirect is never taken as proof of payment).
"""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Response, Template

from confops.core.auth import PUBLIC
from confops.core.errors import Conflict, Invalid
from confops.events.rows import event_by_id
from confops.payments import gateway as gateways
from confops.payments import late, ledger
from confops.payments.billing import billing_of, save_billing
from confops.payments.invoices import credit_notes_of, number_of
from confops.payments.manual import METHODS
from confops.payments.service import start_checkout
from confops.registration.holds import choose_method
from confops.registration.orders import order_by_token, order_to_change
from confops.registration.payment_mail import how_to_pay
from confops.web.render import page


async def payment_context(order: dict) -> dict:
    balance = await ledger.balance_of(order)
    payments = await ledger.payments_of(order["id"])
    last = payments[-1] if payments else None
    return {"balance": balance, "payments": payments, "refunds": await ledger.refunds_of(order["id"]),
            "message": last["message"] if last and last["status"] in ("failed", "canceled") else "",
            "credit_notes": await credit_notes_of(order["id"]), "waiting": await late.waiting_of(order["id"])}


class PayPages(Controller):
    include_in_schema = False
    opt = {"access": PUBLIC}

    @get("/orders/{order_id:int}/pay")
    async def show(self, request: Request, order_id: FromPath[int], token: FromQuery[str] = "") -> Template:
        return await self.checkout(request, order_id, token)

    async def checkout(self, request: Request, order_id: int, token: str, *, errors=None, notice: str = "",
                       status: int = 200, form: dict | None = None) -> Template:
        order = await order_by_token(order_id, token)
        event = await event_by_id(order["event"])
        ctx = await payment_context(order)  # before a new attempt hides the last failure
        intent, problem = None, ""
        if order["status"] in ("pending", "awaiting_payment") and gateways.stripe() is not None:
            try:
                intent = await start_checkout(order_id)
            except Conflict as exc:
                problem = exc.detail
        return page(request, "payments/pay.html", status_code=status, order=order, event=event, token=token, intent=intent,
                    problem=problem, publishable_key=gateways.publishable_key, methods=METHODS,
                    choices={**({"card": "Card (now, online)"} if gateways.stripe() is not None else {}), **METHODS},
                    cards=gateways.stripe() is not None, instructions=await how_to_pay(order), errors=errors or {},
                    notice=notice, billing=await billing_of(order_id), invoiced=await number_of(order_id) is not None,
                    form=form or {}, **ctx)

    @post("/orders/{order_id:int}/billing")
    async def billing(self, request: Request, order_id: FromPath[int]) -> Template:
        form = {k: str(v) for k, v in (await request.form()).items() if k != "_csrf_token"}
        token = form.get("token", "")
        await order_to_change(order_id, token)
        try:
            await save_billing(order_id, form)
        except (Invalid, Conflict) as exc:
            return await self.checkout(request, order_id, token, errors=exc.field_messages() or {"form": exc.detail},
                                       status=exc.status_code, form=form)
        return await self.checkout(request, order_id, token, notice="The billing details were saved; the invoice "
                                                                     "(PDF) shows them.")

    @post("/orders/{order_id:int}/pay-by")
    async def pay_by(self, request: Request, order_id: FromPath[int]) -> Template:
        form = await request.form()
        token = str(form.get("token", ""))
        await order_to_change(order_id, token)
        try:
            await choose_method(order_id, str(form.get("pay_by", ""))[:20],
                                card_minutes=request.app.state.settings.order_hold_minutes)
        except (Invalid, Conflict) as exc:
            return await self.checkout(request, order_id, token, errors=exc.field_messages() or {"form": exc.detail},
                                       status=exc.status_code)
        return await self.checkout(request, order_id, token, notice="Thank you: your places are held until the "
                                                                     "due date shown.")

    @get("/orders/{order_id:int}/payment.json")
    async def status(self, order_id: FromPath[int], token: FromQuery[str] = "") -> Response:
        order = await order_by_token(order_id, token)
        ctx = await payment_context(order)
        b = ctx["balance"]
        return Response({"order": order_id, "status": order["status"], "paid_cents": b.paid_cents,
                         "refunded_cents": b.refunded_cents, "due_cents": b.due_cents,
                         "message": ctx["message"]}, headers={"Cache-Control": "no-store"})

    @get("/orders/{order_id:int}/credit-notes/{file:str}")
    async def credit_note(self, order_id: FromPath[int], file: FromPath[str], token: FromQuery[str] = "") -> Response:
        from confops.documents.credit_notes import credit_note_pdf

        await order_by_token(order_id, token)
        return Response(await credit_note_pdf(order_id, file), media_type="application/pdf",
                        headers={"Content-Disposition": f'inline; filename="credit-note-{file}"'})

    @get("/orders/{order_id:int}/receipt.pdf")
    async def receipt(self, order_id: FromPath[int], token: FromQuery[str] = "") -> Response:
        from confops.documents.receipts import receipt_pdf

        await order_by_token(order_id, token)
        return Response(await receipt_pdf(order_id), media_type="application/pdf",
                        headers={"Content-Disposition": f'inline; filename="receipt-{order_id}.pdf"'})
