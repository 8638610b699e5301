"""The scanner page in a real Chromium: a keyboard-wedge scanner (code + Enter) gives green, then
amber for a repeat; with the network cut a valid code still gives green (verified in the page
with WebCrypto) and reaches the server once the network is back. A staff page open meanwhile
shows the live count move (Channels over a WebSocket)."""

import asyncio
from pathlib import Path

import pytest

from confops.accounts import passwords
from confops.accounts.service import create_user
from confops.checkin.tables import CheckinScan
from confops.core.auth import Role
from confops.registration.tables import Attendee
from tests.checkin.factory import make_door

pytestmark = pytest.mark.browser
DECODER = Path(__file__).resolve().parents[2] / "confops/web/static/checkin/zxing-decoder.min.js"


async def _until(check, seconds=20.0):
    deadline = asyncio.get_running_loop().time() + seconds
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.2)


async def test_wedge_scans_and_a_network_cut_at_the_door(db, live_server, page, browser):
    door = await make_door(4)
    await create_user("door@example.org", "Dora Door", password_hash=passwords.hash_password("door-password-1"),
                      roles=[("org-meeting", Role.checkin)])
    first, second, third, cancelled = [await door.token(a) for a in door.people]
    # The fourth registration was cancelled before the scanner synced: refused offline too.
    await Attendee.update({Attendee.token_version: 2, Attendee.status: "cancelled"}).where(
        Attendee.id == door.people[3])

    staff = await (await browser.new_context()).new_page()
    await staff.goto(live_server.url + "/staff/login")
    await staff.get_by_label("E-mail").fill("door@example.org")
    await staff.get_by_label("Password").fill("door-password-1")
    await staff.get_by_role("button", name="Sign in").click()
    await staff.wait_for_url(live_server.url + "/staff")
    await staff.goto(live_server.url + "/staff/events/meeting/checkin")
    await staff.locator("#live-state", has_text="on").wait_for()

    await page.goto(f"{live_server.url}/checkin/scanner#device={door.device_token}")
    await page.locator("#net", has_text="Online").wait_for()
    await page.locator("#station", has_text="Door A").wait_for()
    assert "#device" not in page.url  # the token left the address bar
    list_id = await page.locator("#list").input_value()

    await page.keyboard.type(first)  # the input has focus: a wedge scanner just types
    await page.keyboard.press("Enter")
    await page.locator("body[data-state=green]").wait_for()
    assert "Guest0 Person000" in await page.locator("#result-name").inner_text()
    await staff.locator(f'td.count[data-list="{list_id}"]', has_text="1").wait_for()

    await page.keyboard.type(first)
    await page.keyboard.press("Enter")
    await page.locator("body[data-state=amber]").wait_for()
    assert "at Door A" in await page.locator("#result-message").inner_text()

    # A locator, not wait_for_function: that evaluates a string in the page, which the CSP refuses.
    await page.locator("body[data-offline-ready]").wait_for(state="attached", timeout=15000)
    assert await page.evaluate("document.body.dataset.offlineReady") == "yes"  # the page is cached for offline
    await page.context.set_offline(True)
    await page.locator("#net", has_text="Offline").wait_for()
    await page.keyboard.type(second)
    await page.keyboard.press("Enter")
    await page.locator("body[data-state=green]").wait_for()
    assert "Guest1 Person001" in await page.locator("#result-name").inner_text()
    assert await page.locator("#queue").inner_text() == "1"
    assert await CheckinScan.count() == 1
    forged = second[:20] + str((int(second[20]) + 1) % 10) + second[21:]
    await page.keyboard.type(forged)
    await page.keyboard.press("Enter")
    await page.locator("body[data-state=red]").wait_for()
    await page.keyboard.type(cancelled)
    await page.keyboard.press("Enter")
    await page.locator("body[data-result=revoked]").wait_for()

    stored = await page.evaluate("JSON.stringify(localStorage)")
    assert '"secret"' not in stored  # the key lives only as a non-extractable CryptoKey (IndexedDB)

    await page.reload(timeout=15000)  # still offline: the service worker serves the page, IndexedDB the key
    await page.locator("#net", has_text="Offline").wait_for()
    assert await page.locator("#queue").inner_text() == "1"
    await page.locator("#code").focus()
    await page.keyboard.type(third)
    await page.keyboard.press("Enter")
    await page.locator("body[data-state=green]").wait_for()
    assert await page.locator("#queue").inner_text() == "2"

    await page.context.set_offline(False)
    await page.locator("#queue", has_text="0").wait_for(timeout=20000)
    await _until(lambda: CheckinScan.count().where(CheckinScan.offline == True))  # noqa: E712
    rows = await CheckinScan.select().order_by(CheckinScan.id)
    assert [r["attendee"] for r in rows] == door.people[:3] and rows[1]["offline"] and rows[2]["offline"]
    await staff.locator(f'td.count[data-list="{list_id}"]', has_text="3").wait_for()


async def test_the_bundled_decoder_reads_a_badge_qr(page):
    """The camera fallback (zxing from npm, built by `make scanner-decoder`) decodes a badge QR."""
    import base64

    from confops.registration.checkin_qr import qr_png

    token = "1" + "0123456789" * 5 + "012345"
    png = base64.b64encode(qr_png(token)).decode()
    await page.set_content(f'<img id="qr" src="data:image/png;base64,{png}"><canvas id="c"></canvas>')
    await page.add_script_tag(path=str(DECODER))
    decoded = await page.evaluate("""() => new Promise((ok) => {
        const img = document.getElementById("qr"), canvas = document.getElementById("c");
        const go = () => { canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
                           canvas.getContext("2d").drawImage(img, 0, 0); ok(window.ConfopsDecoder.decodeCanvas(canvas)); };
        img.complete ? go() : img.onload = go; })""")
    assert decoded == token
