"""An admin's first sign-in in a real Chromium: password, then the authenticator set up from the
page's key, the recovery codes shown once, the staff pages, and the sessions page where another
browser is signed out. Under the site's Content-Security-Policy: no violation may be reported.
With CONFOPS_SCREENSHOTS=<folder>, the pages are saved at phone and desktop widths."""

from __future__ import annotations

import os

import pyotp
import pytest

from confops.demo.abs import load_demo

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("CONFOPS_SCREENSHOTS", "")


async def shoot(page, name: str) -> None:
    if not SHOTS:
        return
    os.makedirs(SHOTS, exist_ok=True)
    for width in (390, 1280):
        await page.set_viewport_size({"width": width, "height": 900})
        await page.screenshot(path=f"{SHOTS}/{name}-{width}.png", full_page=True)
    await page.set_viewport_size({"width": 1100, "height": 900})


async def test_an_admin_sets_up_the_second_factor_and_ends_another_session(db, live_server, browser, page):
    await load_demo()
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    other = await (await browser.new_context()).new_page()
    await other.goto(live_server.url + "/staff/login")
    await other.get_by_label("E-mail").fill("admin@example.org")
    await other.get_by_label("Password").fill("confops-demo")

    await page.goto(live_server.url + "/staff/login")
    await page.get_by_label("E-mail").fill("admin@example.org")
    await page.get_by_label("Password").fill("confops-demo")
    await page.get_by_role("button", name="Sign in").click()
    await page.get_by_role("heading", name="Set up your second factor").wait_for()
    await shoot(page, "second-factor-setup")
    secret = (await page.locator("#secret").inner_text()).replace(" ", "")
    assert await page.get_by_role("img", name="QR code for your authenticator app").count() == 1
    await page.get_by_label("Code from your app").fill(pyotp.TOTP(secret).now())
    await page.get_by_role("button", name="Turn on the second factor").click()
    await page.get_by_role("heading", name="Save your recovery codes").wait_for()
    codes = await page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    await shoot(page, "recovery-codes")
    await page.get_by_role("link", name="I saved them, continue").click()
    await page.wait_for_url("**/staff")

    # the other browser: password, then the second step
    await other.get_by_role("button", name="Sign in").click()
    await other.get_by_role("heading", name="Second step").wait_for()
    await page.goto(live_server.url + "/account/security/")
    assert await page.locator("#sessions tbody tr").count() == 1  # a half-finished sign-in is not a session
    await shoot(other, "second-factor")
    await other.get_by_label("Code from your app, or a recovery code").fill(codes[0])
    await other.get_by_role("button", name="Verify and sign in").click()
    await other.wait_for_url("**/staff")

    await page.goto(live_server.url + "/account/security/")
    await page.get_by_role("heading", name="Where you are signed in").wait_for()
    assert await page.locator("#sessions tbody tr").count() == 2
    await shoot(page, "sessions")
    await page.locator("#sessions tbody tr:not(.current)").get_by_role("button", name="End").click()
    await page.locator("#notice").wait_for()
    await other.goto(live_server.url + "/staff")
    await other.wait_for_url("**/staff/login?next=/staff")  # that browser was signed out
    await page.locator("#sessions tr.current").get_by_role("button", name="Sign out").click()
    await page.wait_for_url(live_server.url + "/")
    await page.goto(live_server.url + "/staff")
    await page.wait_for_url("**/staff/login?next=/staff")
    assert violations == []
