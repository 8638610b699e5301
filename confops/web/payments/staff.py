"""Staff pages for money: per-event payments and balances, one order's ledger with refund and
manual-payment forms, reconciliation against Stripe (page and CSV), any order's receipt."""

from __future__ import annotations

from datetime import UTC, date, datetime
from datetime import time as dt_time

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Response, Template

from confops.backoffice.order_history import order_history
from confops.core import clock
from confops.core.auth import STAFF, Role, require
from confops.core.errors import Conflict, FieldError, Invalid
from confops.core.paging import page_number
from confops.events.rows import event_by_id
from confops.payments import late, ledger, reports
from confops.payments.billing import billing_of
from confops.payments.gateway import GatewayError
from confops.payments.invoices import correct_invoice, formatted, number_of
from confops.payments.manual import METHODS
from confops.payments.refunds import refund_order
from confops.payments.service import record_manual_payment
from confops.registration.holds import extend_hold
from confops.web.payments.public import payment_context
from confops.web.render import page


async def _event_for_staff(request: Request, event_id: int) -> dict:
    event = await event_by_id(event_id)
    require(request.state.principal, event["organizer"], Role.registrar)
    return event


async def _order_for_staff(request: Request, order_id: int) -> tuple[dict, dict]:
    order = await ledger.order_row(order_id)
    return order, await _event_for_staff(request, order["event"])


OUTCOMES = {
    "confirmed": "The payment was recorded; the order is confirmed.",
    "paid": "The payment was recorded.",
    "reinstated": "The payment was recorded; the order had expired and is confirmed again with its places.",
    "no_place": "The payment was recorded, but this order's places were taken after it expired: it is kept as "
                "paid, no place. Refund it, or put it on the waiting list for the next place that frees up.",
}


WAITING_OUTCOMES = {
    "waiting": "The order is on the waiting list: the next place that frees up is its own, before any waitlist "
               "offer. The buyer has been told.",
    "placed": "A place was free: the order is confirmed again and the buyer has their confirmation.",
}


def _values(form) -> dict[str, str]:
    return {k: str(v) for k, v in form.items() if k != "_csrf_token"}


def _prefixed(exc: Invalid | Conflict, prefix: str, own: set[str]) -> dict[str, str]:
    """The service's field names (amount, reference) as this form's (payment_amount …), so a
    message shows under the form that was sent, never under the other form's field."""
    messages = exc.field_messages()
    if not messages:
        return {"form": exc.detail}
    return {(prefix + k if k in own else k): v for k, v in messages.items()}


def _date(text: str, field: str = "received_on") -> date | None:
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise Invalid("Bad date.", errors=[FieldError(field, "Enter the date as YYYY-MM-DD.")]) from None


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
    async def event_payments(self, request: Request, event_id: FromPath[int], q: FromQuery[str] = "",
                             status: FromQuery[str] = "", sort: FromQuery[str] = "newest") -> Template:
        """One page of the event's orders with their money; the totals are the whole event's."""
        event = await _event_for_staff(request, event_id)
        found = await reports.money_page(event_id, page=page_number(request.query_params.get("page")), q=q,
                                         status=status, sort=sort)
        owing, outstanding = await reports.outstanding_of(event_id)
        return page(request, "payments/staff_event.html", event=event, rows=found.rows, found=found, q=q,
                    statuses=reports.ORDER_STATUSES, stranded=await reports.paid_no_place(event_id),
                    outstanding=outstanding, owing=owing)

    async def _order_page(self, request: Request, order_id: int, *, status: int = 200, errors=None,
                          notice: str = "", form=None) -> Template:
        order, event = await _order_for_staff(request, order_id)
        ctx = await payment_context(order)
        owed = 0 if order["status"] == "cancelled" else max(0, order["total_cents"] - ctx["balance"].paid_cents)
        today = clock.local(clock.now(), event["timezone"]).date().isoformat()
        return page(request, "payments/staff_order.html", status_code=status, order=order, event=event,
                    methods=METHODS, method_labels={"card": "card", **METHODS}, errors=errors or {}, notice=notice,
                    form=form or {}, owed_cents=owed, today=today, disputes=await ledger.disputes_of(order_id),
                    billing=await billing_of(order_id), history=await order_history(order_id),
                    invoice_number=await number_of(order_id), **ctx)

    @post("/staff/orders/{order_id:int}/invoice-corrections")
    async def correct(self, request: Request, order_id: FromPath[int]) -> Template:
        await _order_for_staff(request, order_id)
        form = _values(await request.form())
        try:
            done = await correct_invoice(order_id, form, form.get("correction_reason", ""),
                                         actor_id=request.state.principal.user_id)
        except (Invalid, Conflict) as exc:
            return await self._order_page(request, order_id, status=exc.status_code, form=form,
                                          errors=exc.field_messages() or {"form": exc.detail})
        return await self._order_page(request, order_id, notice=(
            f"Credit note no. {formatted(done['organizer'], done['credit_note_number'])} cancels invoice no. "
            f"{formatted(done['organizer'], done['cancelled_number'])}; the corrected invoice is no. "
            f"{formatted(done['organizer'], done['new_number'])}."))

    @get("/staff/orders/{order_id:int}/payments")
    async def order_payments(self, request: Request, order_id: FromPath[int]) -> Template:
        return await self._order_page(request, order_id)

    @post("/staff/orders/{order_id:int}/refunds")
    async def refund(self, request: Request, order_id: FromPath[int]) -> Template:
        await _order_for_staff(request, order_id)
        form = _values(await request.form())
        try:
            await refund_order(order_id, _cents(form.get("refund_amount", "")), reason=form.get("refund_reason", ""),
                               recorded_by=request.state.principal.user_id, no_place=form.get("no_place") == "1")
        except (Invalid, Conflict) as exc:
            return await self._order_page(request, order_id, status=exc.status_code, form=form,
                                          errors=_prefixed(exc, "refund_", {"amount", "reason"}))
        except GatewayError as exc:
            return await self._order_page(request, order_id, status=502, form=form, errors={"form": str(exc)})
        return await self._order_page(request, order_id, notice="The refund was recorded.")

    @post("/staff/orders/{order_id:int}/waiting-list")
    async def wait_for_place(self, request: Request, order_id: FromPath[int]) -> Template:
        """One click on a "paid, no place" order: it gets the next freed places, before any
        waitlist offer."""
        await _order_for_staff(request, order_id)
        try:
            outcome = await late.wait_for_place(order_id, actor_id=request.state.principal.user_id)
        except Conflict as exc:
            return await self._order_page(request, order_id, status=exc.status_code, errors={"form": exc.detail})
        return await self._order_page(request, order_id, notice=WAITING_OUTCOMES[outcome])

    @post("/staff/orders/{order_id:int}/manual-payments")
    async def manual(self, request: Request, order_id: FromPath[int]) -> Template:
        await _order_for_staff(request, order_id)
        form = _values(await request.form())
        try:
            received = _date(form.get("received_on", ""))
            recorded = await record_manual_payment(
                order_id, method=form.get("payment_method", ""), amount_cents=_cents(form.get("payment_amount", "")),
                reference=form.get("payment_reference", ""), recorded_by=request.state.principal.user_id,
                received_on=received, several_orders=form.get("payment_several_orders") == "1")
        except (Invalid, Conflict) as exc:
            return await self._order_page(request, order_id, status=exc.status_code, form=form,
                                          errors=_prefixed(exc, "payment_", {"amount", "reference", "method"}))
        return await self._order_page(request, order_id, notice=OUTCOMES[recorded["outcome"]])

    @post("/staff/orders/{order_id:int}/hold")
    async def extend(self, request: Request, order_id: FromPath[int]) -> Template:
        order, event = await _order_for_staff(request, order_id)
        form = _values(await request.form())
        try:
            until = _date(form.get("hold_until", ""), field="hold_until")
            end_of_day = None if until is None else datetime.combine(
                until, dt_time(23, 59), tzinfo=clock.zone(event["timezone"])).astimezone(UTC)
            await extend_hold(order_id, end_of_day, form.get("hold_reason", ""),
                              actor_id=request.state.principal.user_id)
        except (Invalid, Conflict) as exc:
            return await self._order_page(request, order_id, status=exc.status_code, form=form,
                                          errors=exc.field_messages() or {"form": exc.detail})
        return await self._order_page(request, order_id, notice="The due date was extended.")

    @get("/staff/orders/{order_id:int}/receipt.pdf")
    async def receipt(self, request: Request, order_id: FromPath[int]) -> Response:
        from confops.documents.receipts import receipt_pdf

        await _order_for_staff(request, order_id)
        return Response(await receipt_pdf(order_id), media_type="application/pdf",
                        headers={"Content-Disposition": f'inline; filename="receipt-{order_id}.pdf"'})

    @get("/staff/orders/{order_id:int}/credit-notes/{file:str}")
    async def credit_note(self, request: Request, order_id: FromPath[int], file: FromPath[str]) -> Response:
        from confops.documents.credit_notes import credit_note_pdf

        await _order_for_staff(request, order_id)
        return Response(await credit_note_pdf(order_id, file), media_type="application/pdf",
                        headers={"Content-Disposition": f'inline; filename="credit-note-{file}"'})

    @get("/staff/events/{event_id:int}/reconciliation")
    async def reconciliation(self, request: Request, event_id: FromPath[int]) -> Template:
        event = await _event_for_staff(request, event_id)
        return page(request, "payments/staff_recon.html", event=event, lines=await reports.reconcile(event_id))

    @get("/staff/events/{event_id:int}/reconciliation.csv")
    async def reconciliation_csv(self, request: Request, event_id: FromPath[int]) -> Response:
        await _event_for_staff(request, event_id)
        return Response(reports.recon_csv(await reports.reconcile(event_id)), media_type="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="reconciliation-{event_id}.csv"'})


