"""Staff pages for money: per-event payments and balances, one order's ledger with refund and
manual-payment forms, reconciliation against Stripe (page and CSV), any order's receipt."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Response, Template

from confops.accounts.tables import Role
from confops.core.auth import STAFF, require
from confops.core.errors import Conflict, Invalid, NotFound
from confops.events.tables import Event
from confops.payments import ledger, reports
from confops.payments.gateway import GatewayError
from confops.payments.manual import METHODS
from confops.payments.refunds import refund_order
from confops.payments.service import record_manual_payment
from confops.web.public.pay import payment_context
from confops.web.render import page


async def _event_for_staff(request: Request, event_id: int) -> dict:
    event = await Event.select().where(Event.id == event_id).first()
    if event is None:
        raise NotFound("There is no such event.")
    require(request.state.principal, event["organizer"], Role.registrar)
    return event


async def _order_for_staff(request: Request, order_id: int) -> tuple[dict, dict]:
    order = await ledger.order_row(order_id)
    return order, await _event_for_staff(request, order["event"])


def _cents(text: str) -> int:
    """"12.50" → 1250; anything else → -1 (reported as a field error by the service)."""
    try:
        value = round(float(text.strip()) * 100)
    except ValueError:
        return -1
    return value if value > 0 else -1


class StaffPayments(Controller):
    include_in_schema = False
    opt = {"access": STAFF}

    @get("/staff/events/{event_id:int}/payments")
    async def event_payments(self, request: Request, event_id: FromPath[int]) -> Template:
        event = await _event_for_staff(request, event_id)
        rows = await reports.event_money(event_id)
        return page(request, "payments/staff_event.html", event=event, rows=rows,
                    outstanding=sum(r.due_cents for r in rows if r.order["status"] != "expired"))

    async def _order_page(self, request: Request, order_id: int, *, status: int = 200, errors=None,
                          notice: str = "") -> Template:
        order, event = await _order_for_staff(request, order_id)
        return page(request, "payments/staff_order.html", status_code=status, order=order, event=event,
                    methods=METHODS, errors=errors or {}, notice=notice, disputes=await ledger.disputes_of(order_id),
                    **await payment_context(order))

    @get("/staff/orders/{order_id:int}/payments")
    async def order_payments(self, request: Request, order_id: FromPath[int]) -> Template:
        return await self._order_page(request, order_id)

    @post("/staff/orders/{order_id:int}/refunds")
    async def refund(self, request: Request, order_id: FromPath[int]) -> Template:
        await _order_for_staff(request, order_id)
        form = await request.form()
        try:
            await refund_order(order_id, _cents(str(form.get("amount", ""))), reason=str(form.get("reason", "")),
                               recorded_by=request.state.principal.user_id)
        except (Invalid, Conflict) as exc:
            return await self._order_page(request, order_id, status=exc.status_code,
                                          errors=exc.field_messages() or {"form": exc.detail})
        except GatewayError as exc:
            return await self._order_page(request, order_id, status=502, errors={"form": str(exc)})
        return await self._order_page(request, order_id, notice="The refund was recorded.")

    @post("/staff/orders/{order_id:int}/manual-payments")
    async def manual(self, request: Request, order_id: FromPath[int]) -> Template:
        await _order_for_staff(request, order_id)
        form = await request.form()
        try:
            await record_manual_payment(order_id, method=str(form.get("method", "")),
                                        amount_cents=_cents(str(form.get("amount", ""))),
                                        reference=str(form.get("reference", "")),
                                        recorded_by=request.state.principal.user_id)
        except (Invalid, Conflict) as exc:
            return await self._order_page(request, order_id, status=exc.status_code,
                                          errors=exc.field_messages() or {"form": exc.detail})
        return await self._order_page(request, order_id, notice="The payment was recorded.")

    @get("/staff/orders/{order_id:int}/receipt.pdf")
    async def receipt(self, request: Request, order_id: FromPath[int]) -> Response:
        from confops.documents.receipts import receipt_pdf

        await _order_for_staff(request, order_id)
        return Response(await receipt_pdf(order_id), media_type="application/pdf",
                        headers={"Content-Disposition": f'inline; filename="receipt-{order_id}.pdf"'})

    @get("/staff/events/{event_id:int}/reconciliation")
    async def reconciliation(self, request: Request, event_id: FromPath[int]) -> Template:
        event = await _event_for_staff(request, event_id)
        return page(request, "payments/staff_recon.html", event=event, lines=await reports.reconcile(event_id))

    @get("/staff/events/{event_id:int}/reconciliation.csv")
    async def reconciliation_csv(self, request: Request, event_id: FromPath[int]) -> Response:
        await _event_for_staff(request, event_id)
        return Response(reports.recon_csv(await reports.reconcile(event_id)), media_type="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="reconciliation-{event_id}.csv"'})


