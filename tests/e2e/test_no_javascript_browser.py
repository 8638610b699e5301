"""With JavaScript turned off in Chromium, the public pages read and a newcomer registers:
home, events, the event page with its prices, a session, the sign-in page, and the registration
form through its errors, review and confirmation to the order page."""

import re

import pytest

from confops.demo.abs import load_demo
from confops.registration.tables import Order

pytestmark = pytest.mark.browser

EVENT = "/events/abs-national-meeting"


@pytest.fixture
def db(_databases):
    """SQLite alone: whether a page needs scripts does not depend on the engine."""
    from tests.conftest import _fresh

    return _fresh(_databases, "sqlite")


async def test_public_pages_and_registration_work_without_javascript(db, live_server, browser):
    await load_demo()
    context = await browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = await context.new_page()
    page.set_default_timeout(15000)
    await page.set_content('<p id="p">off</p><script>document.getElementById("p").textContent = "on"</script>')
    assert await page.locator("#p").inner_text() == "off"  # scripts really do not run in this browser
    url = live_server.url
    for path, heading in (("/", "American Balint Society"), ("/events", "Events"), (EVENT, "ABS National Meeting"),
                          ("/login", "Sign in"), ("/mailing-list", "mailing list")):
        response = await page.goto(url + path)
        assert response.ok, path
        assert heading.lower() in (await page.locator("h1").first.inner_text()).lower(), path
    await page.goto(url + EVENT)
    assert "$550.00" in await page.get_by_role("complementary", name="Prices").inner_text()
    await page.get_by_role("link", name="Co-leading across disciplines").click()
    assert "Co-leading across disciplines" in await page.locator("h1").inner_text()

    await page.goto(url + EVENT)
    await page.get_by_role("complementary", name="Prices").get_by_role("link", name="Register").click()
    await page.get_by_role("button", name="Review").click()  # empty: the server answers with the errors
    assert "First name" in await page.locator("#error-summary").inner_text()
    await page.get_by_label("ABS member").check()
    await page.get_by_label("First name").fill("Nadia")
    await page.get_by_label("Last name").fill("Noscript")
    await page.get_by_label("E-mail").fill("nadia@example.org")
    await page.get_by_label("Is this your first ABS meeting?").select_option("yes")
    await page.get_by_role("button", name="Review").click()
    await page.get_by_role("button", name="Confirm registration").click()
    status = await page.locator("#status").inner_text()
    assert re.search(r"awaiting payment|confirmed", status), status
    await page.get_by_role("link", name="Pay now").click()  # the pay page reads, and offers the other ways
    assert "Payment for" in await page.locator("h1").inner_text()
    await context.close()
    assert await Order.exists().where(Order.buyer_email == "nadia@example.org")
