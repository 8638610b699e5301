"""A payer signs in with an e-mailed link in Chromium, opens "Receipts and invoices" from their
account and downloads the invoice of the demo order they paid by cheque."""

import io

import pytest
from pypdf import PdfReader

from confops.accounts.service import issue_login_link
from confops.accounts.tables import User
from confops.demo.abs import load_demo
from confops.payments.invoices import number_of

pytestmark = pytest.mark.browser


async def test_payer_finds_and_downloads_their_invoice(db, live_server, page):
    await load_demo()
    from tests.payments.test_account_receipts import demo_order

    order = await demo_order("demo-order-1")
    number = await number_of(order["id"])
    user = await User.select(User.id).where(User.email == "morgan@example.org").first()
    token = await issue_login_link(user["id"], next_path="/account", valid_minutes=5)
    await page.goto(f"{live_server.url}/login/link/{token}")
    await page.get_by_role("button", name="Sign me in").click()
    await page.get_by_role("link", name="Receipts and invoices").click()
    row = page.locator(f"#receipt-{order['id']}")
    assert number in await row.inner_text()
    href = await row.get_by_role("link", name="Invoice and receipt (PDF)").get_attribute("href")
    response = await page.request.get(live_server.url + href)
    assert response.ok and response.headers["content-type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(await response.body())).pages)
    assert f"Invoice and receipt no. {number}" in text and "Cheque 2041" in text
    other = await demo_order("demo-order-2")
    assert (await page.request.get(f"{live_server.url}/account/orders/{other['id']}/receipt.pdf")).status == 404
