"""A corrected invoice issues a credit note with a PDF of its own: its number from the
organizer's gap-free counter, the invoice it cancels (with the details that invoice was issued
with), the invoice replacing it, the reason and the amounts credited. The buyer downloads it
with the order's link or signed in, staff from the order's page; nobody else can."""

from __future__ import annotations

from confops.core.money import money
from confops.payments.invoices import formatted
from confops.payments.tables import Invoice, InvoiceCorrection
from confops.registration.order_decision import order_token
from tests.payments.test_account_receipts import demo_order, pdf_text
from tests.speakers.people import sign_in, staff_sign_in
from tests.support.http import post_form


async def correct(client, order_id: int, name: str, reason: str):
    done = await post_form(client, f"/staff/orders/{order_id}/invoice-corrections",
                           {"billing_name": name, "po_number": "", "billing_address": "", "tax_id": "",
                            "correction_reason": reason}, page=f"/staff/orders/{order_id}/payments")
    assert done.status_code == 200, done.text
    return done


async def test_a_credit_note_is_its_own_numbered_pdf_for_the_buyer_and_staff(client, demo):
    order = await demo_order("demo-order-1")  # Morgan's order, paid by cheque and invoiced
    first = await Invoice.select().where(Invoice.order == order["id"]).first()
    org = first["organizer"]
    await staff_sign_in(client, "registrar@example.org")
    await correct(client, order["id"], "Dept. of Medicine", "The department pays")
    page = await correct(client, order["id"], "Dept. of Psychiatry", "Wrong department")
    one, two = await InvoiceCorrection.select().where(InvoiceCorrection.order == order["id"]).order_by(
        InvoiceCorrection.id)
    numbers = [one["credit_note_number"], one["new_number"], two["credit_note_number"], two["new_number"]]
    assert numbers == list(range(numbers[0], numbers[0] + 4)) and numbers[0] > first["number"]  # one counter
    assert two["cancelled_number"] == one["new_number"]

    base = f"/staff/orders/{order['id']}/credit-notes"
    for note in (one, two):
        assert f'href="{base}/{note["credit_note_number"]}.pdf"' in page.text
    staff_pdf = await client.get(f"{base}/{two['credit_note_number']}.pdf")
    assert staff_pdf.status_code == 200 and staff_pdf.headers["content-type"] == "application/pdf"
    text = pdf_text(staff_pdf.content)
    for words in (f"Credit note no. {formatted(org, two['credit_note_number'])}",
                  f"Cancels invoice no. {formatted(org, one['new_number'])}",
                  f"Replaced by invoice no. {formatted(org, two['new_number'])}",
                  "Reason: Wrong department",
                  "Billed to: Dept. of Medicine",  # as the cancelled invoice was issued
                  f"Total credited {money(-order['total_cents'], order['currency'])}", "No money is due or refunded by this credit note"):
        assert words in text, (words, text)
    assert "Dept. of Psychiatry" not in text  # that is the new invoice's, not this note's
    first_note = pdf_text((await client.get(f"{base}/{one['credit_note_number']}.pdf")).content)
    assert f"Cancels invoice no. {formatted(org, first['number'])}" in first_note
    # a number that is no credit note of this order (its invoice number, or another order's) is 404
    assert (await client.get(f"{base}/{one['new_number']}.pdf")).status_code == 404
    other = await demo_order("demo-order-2")
    assert (await client.get(f"/staff/orders/{other['id']}/credit-notes/{one['credit_note_number']}.pdf")
            ).status_code == 404

    token = order_token(order["idempotency_key"])
    url = f"/orders/{order['id']}/credit-notes/{two['credit_note_number']}.pdf"
    client.cookies.clear()
    by_link = await client.get(url, params={"token": token})
    assert by_link.status_code == 200 and pdf_text(by_link.content) == text
    assert (await client.get(url, params={"token": "not-the-token"})).status_code == 404
    pay = await client.get(f"/orders/{order['id']}/pay", params={"token": token})
    assert f'{url}?token={token}' in pay.text and formatted(org, two["credit_note_number"]) in pay.text

    await sign_in(client, "morgan@example.org")
    receipts = await client.get("/account/receipts")
    mine = f"/account/orders/{order['id']}/credit-notes/{two['credit_note_number']}.pdf"
    assert mine in receipts.text
    signed_in = await client.get(mine)
    assert signed_in.status_code == 200 and pdf_text(signed_in.content) == text
    assert (await client.get(f"/account/orders/{other['id']}/credit-notes/{two['credit_note_number']}.pdf")
            ).status_code == 404
