"""In a real Chromium: the verify pages check an Open Badges credential's signature in the
browser (WebCrypto Ed25519) against the keys the page carries, also with the network cut, and
say tampered, revoked, or that an out-of-date revocation list cannot confirm anything."""

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest

from confops.cme import issuer_keys
from confops.cme.tables import Certificate, CertificateStatus
from confops.demo.abs import load_demo
from tests.cme.support import evaluated_and_claimed
from tests.conftest import TEST_SECRET

pytestmark = pytest.mark.browser


async def _check(page, text: str) -> str:
    await page.get_by_label("Credential", exact=True).fill(text)
    # the last verdict stays on the page until the new one is drawn: clear it, or it is read again
    await page.evaluate("document.querySelector('#result').replaceChildren()")
    await page.get_by_role("button", name="Check").click()
    verdict = page.locator("#result .verdict")
    await verdict.wait_for()
    return await verdict.get_attribute("data-verdict")


async def test_the_browser_checks_credentials_itself_even_offline(db, live_server, browser):
    await load_demo()
    issuer_keys.configure(base_url=live_server.url, secret_key=TEST_SECRET)  # as the server is configured
    cert = await evaluated_and_claimed("morgan@example.org", credit="3.5")
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    # the certificate's own page checks its credential on arrival
    await page.goto(f"{live_server.url}/verify/{cert['serial']}")
    own = page.locator("#own-check .verdict")
    await own.wait_for()
    assert await own.get_attribute("data-verdict") == "valid"
    assert "checked in this browser" in await own.inner_text()
    token = (await (await page.request.get(f"{live_server.url}/credentials/{cert['serial']}/vc.jwt")).text()).strip()

    await page.goto(f"{live_server.url}/verify")
    assert await _check(page, token) == "valid"
    assert "Morgan Reyes, MD" in await page.locator("#result").inner_text()

    # with the network cut, the page still has the keys and the day's list
    await context.set_offline(True)
    assert await _check(page, token) == "valid"
    head, body, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims["credentialSubject"]["creditsEarned"] = 14.0
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    assert await _check(page, f"{head}.{forged}.{signature}") == "tampered"
    assert await _check(page, "not a credential at all") == "not_a_credential"
    # eight days later the saved list is past its validUntil: no verdict of valid from it
    await page.clock.set_fixed_time(datetime.now(UTC) + timedelta(days=8))
    assert await _check(page, token) == "status_list_expired"
    await context.close()

    # revoked: the browser fetches the current list and finds the bit set
    await Certificate.update({Certificate.status: CertificateStatus.revoked.value}).where(
        Certificate.id == cert["id"])
    context = await browser.new_context(viewport={"width": 390, "height": 844})
    page = await context.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    await page.goto(f"{live_server.url}/verify")
    assert await _check(page, token) == "revoked"
    assert not errors, errors
    await context.close()
