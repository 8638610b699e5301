"""What people see, at a phone's 390 px and a laptop's 1280 px in a real Chromium: every public,
attendee and scanner page and the main staff pages fit the screen (no sideways scroll), raise no
CSP refusal, and axe-core finds no serious or critical WCAG 2.2 AA violation. Screenshots go to
var/test-screenshots/ (tests/support/looks.py) for people to look at."""

import asyncio
import base64
import re

import pytest

from confops.accounts.service import issue_login_link
from confops.accounts.tables import User
from confops.demo.abs import load_demo
from confops.registration.config import configure
from confops.registration.orders import confirm_order
from confops.registration.tables import Order
from tests.conftest import TEST_SECRET
from tests.support.looks import looks_at

pytestmark = pytest.mark.browser


@pytest.fixture
def db(_databases):
    """SQLite alone: what a page looks like does not depend on the engine (the journeys in the
    other browser tests run on both), and these visits are the suite's slowest."""
    from tests.conftest import _fresh

    return _fresh(_databases, "sqlite")

WIDTHS = (390, 1280)
EVENT = "/events/abs-national-meeting"


async def test_a_newcomer_registers_on_a_phone_and_a_laptop(db, live_server, browser, inbox):
    await load_demo()
    problems: list[str] = []
    for width in WIDTHS:
        context, looks = await looks_at(browser, width)
        page, url = looks.page, live_server.url
        await looks.goto(url + "/", "home")
        await looks.goto(url + "/events", "events")
        await looks.goto(url + EVENT, "event")
        # The event page sells: dates, place, a price per category in the current phase, and
        # a Register button big enough to find at once.
        prices = page.get_by_role("complementary", name="Prices")
        assert "Early-bird prices" in await prices.inner_text()
        assert "$550.00" in await prices.inner_text()  # ABS member, early bird
        register = prices.get_by_role("link", name="Register")
        box = await register.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 120
        times = await page.locator(".when").inner_text()
        assert "America/" not in times and re.search(r"P[DS]T|Pacific", times), times
        await page.get_by_role("link", name="Co-leading across disciplines").click()
        await looks.check("session")
        # the page's first line (the way back to the event) has room under the header's band
        gap = await page.evaluate("document.querySelector('main .crumbs').getBoundingClientRect().top"
                                  " - document.querySelector('.site-header').getBoundingClientRect().bottom")
        assert gap >= 16, f"the breadcrumb sits {gap} px under the header"
        await looks.goto(url + EVENT + "/register", "register")
        await page.get_by_role("button", name="Review").click()
        await looks.check("register-errors")
        summary = await page.locator("#error-summary").inner_text()
        assert "answer_" not in summary and "answer first meeting" not in summary
        assert "Is this your first ABS meeting?" in summary and "First name" in summary
        await page.get_by_role("link", name=re.compile("First name")).click()
        assert await page.evaluate("document.activeElement.id") == "first_name"  # the summary leads to the field
        await page.get_by_label("ABS member").check()
        await page.get_by_label("First name").fill("Nell")
        await page.get_by_label("Last name").fill(f"Newcomer{width}")
        await page.get_by_label("E-mail").fill(f"nell{width}@example.org")
        await page.get_by_label("Is this your first ABS meeting?").select_option("yes")
        await page.get_by_role("button", name="Review").click()
        await looks.check("review")
        await page.get_by_role("button", name="Confirm registration").click()
        await page.locator("#status").wait_for()
        await looks.check("order")
        pay = await page.get_by_role("link", name="Pay now").bounding_box()  # a button to see at once, not a small link
        assert pay["height"] >= 44 and pay["width"] >= 120, pay
        await looks.goto(url + "/login", "sign-in")
        await looks.goto(url + "/mailing-list", "mailing-list")
        await looks.goto(url + "/verify", "credential-check")
        await looks.goto(url + "/checkin/scanner", "scanner")
        for name in ("Check", "Camera", "Undo last"):  # the scanner's controls are on the phone's screen
            box = await page.get_by_role("button", name=name).bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= width and box["height"] >= 44, (name, box)
        problems += looks.problems
        await context.close()

    # The confirmation e-mail as its reader sees it: the HTML part in Chromium at 600 px, with
    # its inline images (logo, check-in QR) as the mail client shows them.
    order = await Order.select(Order.id).where(Order.buyer_email == "nell1280@example.org").first()
    configure(base_url=live_server.url, hold_minutes=30, offer_hours=48, secret=TEST_SECRET)
    assert await confirm_order(order["id"])
    for _ in range(300):  # the acknowledgement of the unpaid order came first
        mail = next((m for m in inbox.to("nell1280@example.org") if m["Subject"].startswith("Registration confirmed")), None)
        if mail is not None:
            break
        await asyncio.sleep(0.1)
    html = next(p for p in mail.walk() if p.get_content_type() == "text/html").get_content()
    for part in mail.walk():
        if part["Content-ID"]:
            data = base64.b64encode(part.get_content()).decode()
            html = html.replace(f"cid:{part['Content-ID'].strip('<>')}", f"data:{part.get_content_type()};base64,{data}")
    assert "cid:" not in html  # the logo and the QR code are both in the message
    context, looks = await looks_at(browser, 600)
    await looks.page.set_content(html)
    await looks.check("email-confirmation")
    logo = looks.page.locator("img[src^='data:image/png']").first
    assert await logo.evaluate("i => i.naturalWidth") > 0
    problems += looks.problems
    await context.close()
    assert not problems, "\n".join(problems)


async def test_staff_pages_on_a_phone_and_a_laptop(db, live_server, browser):
    await load_demo()
    problems: list[str] = []
    for width in WIDTHS:
        context, looks = await looks_at(browser, width)
        page, url = looks.page, live_server.url
        await looks.goto(url + "/staff/login", "staff-sign-in")
        await page.get_by_label("E-mail").fill("registrar@example.org")
        await page.get_by_label("Password").fill("confops-demo")
        await page.get_by_role("button", name="Sign in").click()
        await page.wait_for_url(url + "/staff")
        await looks.check("staff-home")
        for path, name in (("/registrations", "staff-registrations"), ("/badges", "staff-badges"),
                           ("/checkin", "staff-checkin"), ("/dashboard", "staff-dashboard"),
                           ("/walk-in", "staff-walk-in")):
            await looks.goto(url + "/staff/events/abs-national-meeting" + path, name)
            if path == "/checkin":  # a control right under a table touched its last row
                lists = await page.locator("#lists").bounding_box()
                add = await page.get_by_role("button", name="Add an entry list for each day").bounding_box()
                gap = add["y"] - (lists["y"] + lists["height"])
                problems += [f"staff-checkin@{width}: the button sits {gap:.0f} px under the table"] if gap < 12 else []
        await page.goto(url + "/staff")
        row = page.get_by_role("row").filter(has=page.get_by_role("link", name="ABS National Meeting 2027", exact=True))
        await row.get_by_role("link", name="Payments").click()
        await looks.check("staff-payments")
        badges = await page.goto(url + "/staff/events/abs-national-meeting/badges")
        assert badges.ok and "non_member" not in await page.locator("main").inner_text()
        problems += looks.problems
        await context.close()

        # A speaker's and an attendee's own pages, signed in with the e-mailed link.
        context, looks = await looks_at(browser, width)
        page = looks.page
        for email, paths in (("maya@example.org", ("/speaker", "/speaker/disclosure")),
                             ("morgan@example.org", ("/account", "/account/registrations", "/agenda"))):
            user = await User.select(User.id).where(User.email == email).first()
            token = await issue_login_link(user["id"], next_path=paths[0], valid_minutes=5)
            await page.goto(f"{url}/login/link/{token}")
            await page.get_by_role("button", name="Sign me in").click()
            await page.wait_for_url(url + paths[0])
            for path in paths:
                await looks.goto(url + path, path.strip("/").replace("/", "-"))
            await page.context.clear_cookies()
        problems += looks.problems
        await context.close()
    assert not problems, "\n".join(problems)
