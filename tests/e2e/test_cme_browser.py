"""In a real Chromium, at a phone's and a laptop's width: a paid demo attendee is scanned into
sessions while they run (the scanner's check-in service, at the sessions' times by the
project's clock), then, after the meeting, evaluates, claims, downloads the certificate, and
checks it on /verify (the PDF uploaded) and on the page its QR opens. Every page is looked at:
screenshot, no sideways scroll, axe."""

import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse

import pytest

from confops.accounts.service import issue_login_link
from confops.accounts.tables import User
from confops.checkin import devices, lists, scanning, tokens
from confops.core import clock
from confops.demo.abs import load_demo
from confops.demo.checkin import DEMO_DEVICE_TOKEN
from confops.registration.tables import Attendee
from tests.cme.support import learner, meeting_over, pdf_text, qr_texts, session
from tests.conftest import TEST_SECRET
from tests.support.looks import looks_at

pytestmark = pytest.mark.browser


async def scanned(attendee_id: int, code: str, direction: str, at) -> str:
    """A badge scan at the session's door at `at` (the check-in service, clock frozen there)."""
    s = await session(code)
    found = [lst for lst in await lists.lists_of(s["event"]) if lst["session"] == s["id"]]
    list_id = found[0]["id"] if found else (await lists.create_session_list(s["event"], s["id"], track_exit=True))["id"]
    devices.forget_cached()
    device = await devices.device_for_token(DEMO_DEVICE_TOKEN)
    lst = await devices.list_for_device(device, list_id)
    key = await devices.event_key(device.event_id, TEST_SECRET)
    person = await Attendee.select(Attendee.token_version).where(Attendee.id == attendee_id).first()
    badge = tokens.issue(key, attendee_id, person["token_version"])
    with clock.frozen_at(at):
        outcome = await scanning.scan(device, lst, key, nonce=secrets.token_hex(6), token=badge, direction=direction)
    return outcome.result


@pytest.mark.parametrize("width", [390, 1280])
async def test_a_paid_learner_scanned_in_claims_and_verifies_a_certificate(db, live_server, browser, tmp_path, width):
    await load_demo()
    await meeting_over()
    morgan = await learner("morgan@example.org")
    p1, g1 = await session("P1"), await session("G1")
    # P1: in three minutes late, out two minutes before the end (93% of it); G1: in five minutes
    # early (inside the 15-minute window), no out: until G1 ended. 1.25 + 1.50 credits.
    assert await scanned(morgan["id"], "P1", "in", p1["starts_at"] + timedelta(minutes=3)) == "ok"
    assert await scanned(morgan["id"], "P1", "out", p1["ends_at"] - timedelta(minutes=2)) == "ok"
    assert await scanned(morgan["id"], "G1", "in", g1["starts_at"] - timedelta(minutes=5)) == "ok"
    user = await User.select(User.id).where(User.email == "morgan@example.org").first()
    token = await issue_login_link(user["id"], next_path="/account/cme", valid_minutes=5)

    context, looks = await looks_at(browser, width)
    page = looks.page
    await page.goto(f"{live_server.url}/login/link/{token}")
    await page.get_by_role("button", name="Sign me in").click()
    await page.wait_for_url(live_server.url + "/account/cme")
    await looks.check("cme account")
    await page.get_by_role("link", name="ABS National Meeting").click()
    assert await page.locator("#eligible").inner_text() == "2.75"
    await looks.check("cme claim page")

    evaluation = page.locator("form[action$='/evaluation']")
    for fieldset in await evaluation.locator("fieldset").all():
        radios = fieldset.get_by_role("radio")
        if await radios.count():
            await radios.nth(await radios.count() // 2).check()
    await page.get_by_role("button", name="Send evaluation").click()
    await page.get_by_text("your evaluation is recorded").wait_for()

    await page.get_by_label("Credits claimed").fill("2.75")
    await page.get_by_label("I claim only the credit commensurate").check()
    await page.get_by_role("button", name="Claim and get my certificate").click()
    link = page.get_by_role("link", name="Download certificate")
    await link.wait_for()
    await looks.check("cme claimed")
    pdf = await page.request.get(live_server.url + await link.get_attribute("href"))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    body = await pdf.body()
    assert "2.75 AMA PRA Category 1 Credit(s)™" in pdf_text(body)
    [url] = qr_texts(body, tmp_path)
    assert urlparse(url).netloc == urlparse(live_server.url).netloc

    # /verify: the certificate PDF uploaded as an employer would
    saved = Path(tmp_path) / "certificate.pdf"
    saved.write_bytes(body)
    await page.goto(f"{live_server.url}/verify")
    await page.get_by_label("Or a file").set_input_files(str(saved))
    await page.get_by_role("button", name="Check").click()
    verdict = page.locator("#result .verdict")
    await verdict.wait_for()
    assert await verdict.get_attribute("data-verdict") == "valid"
    assert "Morgan Reyes" in await page.locator("#result").inner_text()
    await looks.check("verify uploaded pdf")

    # the page the printed QR opens
    await page.goto(url)
    assert "Valid" in await page.locator("#status").inner_text()
    assert "Morgan Reyes" in await page.content()
    await looks.check("verify serial")
    await context.close()
    assert looks.problems == []
