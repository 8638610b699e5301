"""In a real Chromium: a demo attendee scanned into three sessions evaluates, claims, downloads
the certificate, and the QR on it opens a verify page that says valid."""

from urllib.parse import urlparse

import pytest

from confops.accounts.service import issue_login_link
from confops.accounts.tables import User
from confops.demo.abs import load_demo
from tests.cme.support import learner, pdf_text, qr_texts, scan_into

pytestmark = pytest.mark.browser


async def test_attendee_claims_and_verifies_a_certificate(db, live_server, page, tmp_path):
    await load_demo()
    morgan = await learner("morgan@example.org")
    await scan_into(morgan["id"], "P1", "G1", "W1")  # as check-in emits them: 4.00 credits
    user = await User.select(User.id).where(User.email == "morgan@example.org").first()
    token = await issue_login_link(user["id"], next_path="/account/cme", valid_minutes=5)

    await page.goto(f"{live_server.url}/login/link/{token}")
    await page.get_by_role("button", name="Sign me in").click()
    await page.wait_for_url(live_server.url + "/account/cme")
    await page.get_by_role("link", name="ABS National Meeting").click()
    assert await page.locator("#eligible").inner_text() == "4.00"

    evaluation = page.locator("form[action$='/evaluation']")
    for fieldset in await evaluation.locator("fieldset").all():
        radios = fieldset.get_by_role("radio")
        if await radios.count():
            await radios.nth(await radios.count() // 2).check()
    await page.get_by_role("button", name="Send evaluation").click()
    await page.get_by_text("your evaluation is recorded").wait_for()

    await page.get_by_label("Credits claimed").fill("3.75")
    await page.get_by_label("I claim only the credit commensurate").check()
    await page.get_by_role("button", name="Claim and get my certificate").click()
    link = page.get_by_role("link", name="Download certificate")
    await link.wait_for()
    href = await link.get_attribute("href")
    pdf = await page.request.get(live_server.url + href)
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    body = await pdf.body()
    assert "3.75 AMA PRA Category 1 Credit(s)™" in pdf_text(body)
    [url] = qr_texts(body, tmp_path)
    assert urlparse(url).netloc == urlparse(live_server.url).netloc

    await page.goto(url)
    status = page.locator("#status")
    assert "Valid" in await status.inner_text()
    assert "Morgan Reyes" in await page.content()
