"""Institution invoices (issue 24): billing name, address, PO number and tax ID given at
checkout or on the pay page, shown on the invoice PDF (read back), refused when hostile or too
long, and frozen on the invoice once its number is issued."""

from __future__ import annotations

import dataclasses
import re

import pytest

from confops.payments.billing import billing_of
from confops.payments.service import record_manual_payment
from confops.registration.tables import Order
from tests.payments.test_money import pdf_text
from tests.registration.factory import make_event
from tests.registration.test_pages import FORM, form_token
from tests.support.http import post_form


@pytest.fixture
def settings(settings):
    return dataclasses.replace(settings, stripe_secret_key="", stripe_webhook_secret="", stripe_api_base="")


async def test_a_department_orders_with_a_po_number_and_the_invoice_shows_it(client):
    await make_event()
    form = await client.get("/events/meeting/register")
    assert 'id="po_number"' in form.text
    data = {**FORM, "form_token": form_token(form.text), "billing_name": "Dept. of Family Medicine, St Olaf",
            "billing_address": "1 Hospital Way\nSpringfield, IL 62701", "po_number": "PO-2026-4471",
            "tax_id": "36-1234567", "pay_by": "invoice"}
    huge = await post_form(client, "/events/meeting/register", {**data, "po_number": "9" * 10_000, "action": "confirm"})
    assert huge.status_code == 422 and 'id="po_number-error"' in huge.text and "at most 100" in huge.text
    hostile = await post_form(client, "/events/meeting/register",
                              {**data, "billing_name": "Evil\tCorp", "action": "confirm"})
    assert hostile.status_code == 422 and 'id="billing_name-error"' in hostile.text
    assert await Order.count() == 0  # nothing written
    review = await post_form(client, "/events/meeting/register", {**data, "action": "review"})
    assert "PO PO-2026-4471" in review.text
    done = await post_form(client, "/events/meeting/register", {**data, "action": "confirm"})
    assert done.status_code == 303
    order_id, token = re.search(r"/orders/(\d+)\?token=(.+)$", done.headers["location"]).groups()
    pro_forma = pdf_text((await client.get(f"/orders/{order_id}/receipt.pdf", params={"token": token})).content)
    for words in ("Pro-forma invoice", "Billed to: Dept. of Family Medicine, St Olaf", "1 Hospital Way",
                  "Purchase order (PO) number: PO-2026-4471", "Tax ID: 36-1234567", "Contact: Ana Lima"):
        assert words in pro_forma, words

    pay_url = f"/orders/{order_id}/pay?token={token}"
    edited = await post_form(client, f"/orders/{order_id}/billing",
                             {"token": token, "billing_name": "Dept. of Psychiatry", "po_number": "PO-77",
                              "billing_address": "2 Clinic Road", "tax_id": ""}, page=pay_url)
    assert edited.status_code == 200 and "The billing details were saved" in edited.text
    too_long = await post_form(client, f"/orders/{order_id}/billing", {"token": token, "po_number": "x" * 101})
    assert too_long.status_code == 422 and 'id="po_number-error"' in too_long.text
    assert (await billing_of(int(order_id)))["po_number"] == "PO-77"
    wrong = await post_form(client, f"/orders/{order_id}/billing", {"token": "nope", "po_number": "PO-1"})
    assert wrong.status_code == 404

    order = await Order.select().first()
    await record_manual_payment(order["id"], method="invoice", amount_cents=order["total_cents"],
                                reference="Transfer PO-77", recorded_by=None)
    invoice = pdf_text((await client.get(f"/orders/{order_id}/receipt.pdf", params={"token": token})).content)
    assert "Invoice and receipt no." in invoice and "Dept. of Psychiatry" in invoice and "PO-77" in invoice
    late = await post_form(client, f"/orders/{order_id}/billing", {"token": token, "po_number": "PO-99"}, page=pay_url)
    assert late.status_code == 409 and "corrected invoice" in late.text
    again = pdf_text((await client.get(f"/orders/{order_id}/receipt.pdf", params={"token": token})).content)
    assert "PO-99" not in again and "PO-77" in again  # the issued invoice never changes


async def test_a_corrected_invoice_is_a_credit_note_and_a_new_number_never_an_edit(client, demo):
    from confops.payments.invoices import formatted
    from confops.payments.tables import Invoice, InvoiceCorrection
    from tests.payments.test_staff_pages import demo_order, sign_in

    placed = await demo_order("dept-fix")
    await record_manual_payment(placed.id, method="invoice", amount_cents=placed.total_cents, reference="T-1",
                                recorded_by=None)
    first = await Invoice.select().where(Invoice.order == placed.id).first()
    await sign_in(client, "registrar@example.org")
    url = f"/staff/orders/{placed.id}/invoice-corrections"
    no_reason = await post_form(client, url, {"billing_name": "Dept. of Medicine", "correction_reason": ""},
                                page=f"/staff/orders/{placed.id}/payments")
    assert no_reason.status_code == 422 and 'id="correction_reason-error"' in no_reason.text
    done = await post_form(client, url, {"billing_name": "Dept. of Medicine", "po_number": "PO-5",
                                         "billing_address": "", "tax_id": "", "correction_reason": "PO was missing"})
    assert done.status_code == 200 and "Credit note no." in done.text
    fix = await InvoiceCorrection.select().where(InvoiceCorrection.order == placed.id).first()
    assert (fix["cancelled_number"], fix["credit_note_number"], fix["new_number"]) == (
        first["number"], first["number"] + 1, first["number"] + 2)  # gapless, from the same counter
    assert (await Invoice.select().where(Invoice.order == placed.id).first())["number"] == first["number"]
    text = pdf_text((await client.get(f"/staff/orders/{placed.id}/receipt.pdf")).content)
    assert f"no. {formatted(fix['organizer'], fix['new_number'])}" in text
    assert f"replaces no. {formatted(fix['organizer'], first['number'])}" in text and "PO-5" in text
    unpaid = await demo_order("not-invoiced")
    refused = await post_form(client, f"/staff/orders/{unpaid.id}/invoice-corrections",
                              {"billing_name": "X", "correction_reason": "typo"})
    assert refused.status_code in (404, 409)
