"""A signed-in person's receipts and invoices."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.params import FromPath
from litestar.response import Response, Template

from confops.core.auth import SIGNED_IN
from confops.payments.account import my_order, my_receipts
from confops.web.render import page


class AccountReceipts(Controller):
    include_in_schema = False
    opt = {"access": SIGNED_IN}

    @get("/account/receipts")
    async def index(self, request: Request) -> Template:
        return page(request, "payments/account_receipts.html",
                    receipts=await my_receipts(request.state.principal.email))

    @get("/account/orders/{order_id:int}/receipt.pdf")
    async def receipt(self, request: Request, order_id: FromPath[int]) -> Response:
        from confops.documents.receipts import receipt_pdf

        await my_order(request.state.principal.email, order_id)  # someone else's order: 404
        return Response(await receipt_pdf(order_id), media_type="application/pdf",
                        headers={"Content-Disposition": f'inline; filename="receipt-{order_id}.pdf"',
                                 "Cache-Control": "private, no-store"})

    @get("/account/orders/{order_id:int}/credit-notes/{file:str}")
    async def credit_note(self, request: Request, order_id: FromPath[int], file: FromPath[str]) -> Response:
        from confops.documents.credit_notes import credit_note_pdf

        await my_order(request.state.principal.email, order_id)  # someone else's order: 404
        return Response(await credit_note_pdf(order_id, file), media_type="application/pdf",
                        headers={"Content-Disposition": f'inline; filename="credit-note-{file}"',
                                 "Cache-Control": "private, no-store"})


ROUTES = [AccountReceipts]
