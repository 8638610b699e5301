"""Event setup in a real Chromium: a registrar creates a theme day from nothing (a careless date
first, shown at its field), adds a category, publishes it, and a visitor registers on the
public form; copies last year's national meeting; an online series' registrant sees the meeting
link and an anonymous visitor does not; an uploaded attendance CSV gives the 6-of-8 certificate.
Screenshots at 390 and 1280 px go to /tmp for a person to look at."""

from datetime import timedelta

import pytest

from confops.accounts.service import issue_login_link
from confops.accounts.tables import User
from confops.core import clock
from confops.demo.abs import load_demo
from confops.events.tables import Event, Session
from confops.payments.service import record_manual_payment
from confops.registration.intake import AttendeeIn, OrderIn
from confops.registration.orders import place_order
from confops.registration.tables import Order
from confops.series.tables import SeriesPlan, SessionMeeting

pytestmark = pytest.mark.browser
SERIES = "online-residents-group"
LINK = "https://meet.example.org/residents-s1?pwd=quiet-room"


async def _staff(page, url: str, email: str = "registrar@example.org") -> None:
    await page.goto(url + "/staff/login")
    await page.get_by_label("E-mail").fill(email)
    await page.get_by_label("Password").fill("confops-demo")
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(url + "/staff**")


async def _shots(browser, url: str, path: str, name: str, *, sign_in=None) -> None:
    """The page at 390 and 1280 px (signed in first when `sign_in` says how)."""
    for width in (390, 1280):
        context = await browser.new_context(viewport={"width": width, "height": 900})
        tab = await context.new_page()
        if sign_in:
            await sign_in(tab)
        await tab.goto(url + path)
        await tab.screenshot(path=f"/tmp/i25-{name}-{width}.png", full_page=True)
        assert await tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), (name, width)
        await context.close()


async def _paid_registrant(email: str, first: str) -> int:
    person = AttendeeIn(category="resident", email=email, first_name=first, last_name="Ident", credentials="MD",
                        answers={"first_meeting": "yes"})
    placed = await place_order(SERIES, OrderIn(buyer_name=f"{first} Ident", buyer_email=email, attendees=[person],
                                               idempotency_key=f"browser-{email}"), hold_minutes=30,
                               base_url="http://127.0.0.1")
    await record_manual_payment(placed.id, method="cheque", amount_cents=placed.total_cents, reference=f"chq {email}",
                                recorded_by=None)
    return (await User.select(User.id).where(User.email == email).first())["id"]


async def _as_user(page, url: str, user_id: int, next_path: str) -> None:
    token = await issue_login_link(user_id, next_path=next_path, valid_minutes=5)
    await page.goto(f"{url}/login/link/{token}")
    await page.get_by_role("button", name="Sign me in").click()
    await page.wait_for_url(url + next_path)


async def test_registrar_sets_up_a_theme_day_and_a_visitor_registers(db, live_server, page, browser):
    await load_demo()
    await page.goto(live_server.url + "/staff/login")
    await page.get_by_label("E-mail").fill("registrar@example.org")
    await page.get_by_label("Password").fill("confops-demo")
    await page.get_by_role("button", name="Sign in").click()
    await page.goto(live_server.url + "/staff")
    await page.get_by_role("link", name="Set up events").click()
    await page.get_by_role("link", name="New event").click()
    await page.locator("#title").fill("Balint Theme Day in Denver")
    await page.locator("#kind").select_option("theme_day")
    await page.locator("#description").fill("**Two rounds** of Balint groups.\n\n<script>alert(1)</script>")
    await page.locator("#timezone").select_option("America/Denver")
    await page.locator("#starts_at").fill("2031-06-04T09:00")
    await page.locator("#ends_at").fill("2031-06-03T16:00")
    await page.locator("#venue_name").fill("Denver Convention Center")
    await page.locator("#payment_term_days").fill("21")
    await page.locator("#reminder_days").fill("7, 2")
    await page.get_by_role("button", name="Create draft").click()
    error = page.locator("#ends_at-error")
    await error.wait_for()
    assert "must end after it starts" in await error.inner_text()
    await page.screenshot(path="/tmp/i25-event-new-error-desktop.png", full_page=True)
    await page.locator("#ends_at").fill("2031-06-04T16:00")
    await page.get_by_role("button", name="Create draft").click()
    await page.locator("#publish-problems").wait_for()
    await page.locator("#code").fill("member")
    await page.locator("#label").fill("ABS member")
    await page.locator("#regular").fill("150")
    await page.get_by_role("button", name="Add category").click()
    await page.get_by_role("button", name="Publish").click()
    await page.get_by_text("Status: Open").wait_for()
    assert await page.locator("#payment_term_days").input_value() == "21"
    assert await page.locator("#reminder_days").input_value() == "7,2"
    await page.screenshot(path="/tmp/i25-event-edit-desktop.png", full_page=True)
    phone = await browser.new_context(viewport={"width": 390, "height": 844})
    small = await phone.new_page()
    await small.goto(live_server.url + "/events/balint-theme-day-in-denver")
    await small.get_by_text("Two rounds").wait_for()
    assert await small.locator("script:text('alert(1)')").count() == 0
    await small.screenshot(path="/tmp/i25-event-public-390.png", full_page=True)
    await phone.close()
    await page.goto(live_server.url + "/events/balint-theme-day-in-denver")
    await page.get_by_role("link", name="Register").click()
    await page.get_by_label("ABS member").check()
    await page.get_by_label("First name").fill("Dana")
    await page.get_by_label("Last name").fill("Denver")
    await page.get_by_label("E-mail").fill("dana@example.org")
    await page.get_by_role("button", name="Review").click()
    await page.get_by_role("button", name="Confirm registration").click()
    await page.locator("#status").wait_for()
    order = await Order.select().where(Order.buyer_email == "dana@example.org").first()
    assert order is not None and order["total_cents"] == 15000


async def test_registrar_copies_last_years_national_meeting(db, live_server, page, browser):
    await load_demo()
    url = live_server.url
    old = await Event.select().where(Event.slug == "abs-national-meeting-previous").first()
    start = clock.local(old["starts_at"], old["timezone"]).date() + timedelta(days=728)
    await _staff(page, url)
    await page.goto(url + "/staff/events/")
    await page.get_by_role("link", name="ABS National Meeting", exact=False).first.wait_for()
    await page.goto(url + "/staff/events/abs-national-meeting-previous/edit")
    await page.locator("#copy_title").fill("ABS National Meeting (in two years)")
    await page.locator("#copy_slug").fill("abs-national-meeting-two-years")
    await page.locator("#starts_on").fill(start.isoformat())
    await page.get_by_role("button", name="Copy").click()
    await page.locator("#notice").wait_for()
    assert "Copied as a draft" in await page.locator("#notice").inner_text()
    assert page.url.startswith(url + "/staff/events/abs-national-meeting-two-years/edit")
    assert await page.locator("#title").input_value() == "ABS National Meeting (in two years)"
    assert (await page.locator("#starts_at").input_value()).startswith(start.isoformat())
    new = await Event.select().where(Event.slug == "abs-national-meeting-two-years").first()
    assert new["status"] == "draft"
    assert await Session.count().where(Session.event == new["id"]) == await Session.count().where(
        Session.event == old["id"])

    async def registrar(tab):
        await _staff(tab, url)

    await _shots(browser, url, "/staff/events/abs-national-meeting-two-years/edit", "event-copy", sign_in=registrar)

    # moving the copy to another timezone asks first, saying what moves
    wall = await page.locator("#starts_at").input_value()
    await page.locator("#timezone").select_option("America/Chicago")
    await page.get_by_role("button", name="Save").click()
    confirmation = page.locator("#timezone-confirmation")
    await confirmation.wait_for()
    assert "keeps its local time of day" in await confirmation.inner_text()
    await confirmation.screenshot(path="/tmp/i25-timezone-confirm-1280.png")
    assert (await Event.select(Event.timezone).where(Event.id == new["id"]).first())["timezone"] == old["timezone"]
    await page.get_by_label("Yes, move the event to America/Chicago, keeping local times").check()
    await page.get_by_role("button", name="Save").click()
    await page.locator("#notice").wait_for()
    assert await page.locator("#starts_at").input_value() == wall
    assert (await Event.select(Event.timezone).where(Event.id == new["id"]).first())["timezone"] == "America/Chicago"


async def test_a_series_registrant_sees_the_meeting_link_and_a_visitor_does_not(db, live_server, page, browser):
    await load_demo()
    url = live_server.url
    event = await Event.select().where(Event.slug == SERIES).first()
    sessions = await Session.select().where(Session.event == event["id"]).order_by(Session.starts_at)
    soon = clock.now() + timedelta(hours=2)
    # the first session meets in two hours, inside the 24-hour link window; the series will run
    await Session.update({Session.starts_at: soon, Session.ends_at: soon + timedelta(minutes=90)}).where(
        Session.id == sessions[0]["id"])
    await Event.update({Event.starts_at: soon}).where(Event.id == event["id"])
    await SessionMeeting.update({SessionMeeting.url: LINK, SessionMeeting.passcode: "4321"}, force=True).where(
        SessionMeeting.session == sessions[0]["id"])
    assert await SessionMeeting.exists().where(SessionMeeting.url == LINK)  # the demo gives every session a link
    await SeriesPlan.update({SeriesPlan.decision: "go"}).where(SeriesPlan.event == event["id"])
    user_id = await _paid_registrant("rina@example.org", "Rina")

    await _as_user(page, url, user_id, "/account/registrations")
    link = page.locator(f"a[href='{LINK}']")
    await link.first.wait_for()
    assert "4321" in await page.content()

    async def registrant(tab):
        await _as_user(tab, url, user_id, "/account/registrations")

    await _shots(browser, url, "/account/registrations", "series-link-registrant", sign_in=registrant)
    visitor = await browser.new_context(viewport={"width": 390, "height": 900})
    anon = await visitor.new_page()
    for path in (f"/events/{SERIES}", f"/events/{SERIES}/program", f"/api/v1/events/{SERIES}",
                 f"/events/{SERIES}/register"):
        r = await anon.goto(url + path)
        assert r.status < 500, path
        assert "meet.example.org" not in await anon.content(), path
    await anon.goto(url + f"/events/{SERIES}")
    await anon.screenshot(path="/tmp/i25-series-visitor-390.png", full_page=True)
    await visitor.close()
    assert await Order.count().where(Order.buyer_email == "rina@example.org") == 1


def _csv(rows: list[tuple[str, str, int]]) -> bytes:
    lines = ["Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest"]
    lines += [f"{name},{email},x,y,{minutes},No" for name, email, minutes in rows]
    return ("\n".join(lines) + "\n").encode()


async def test_an_uploaded_attendance_csv_gives_the_six_of_eight_certificate(db, live_server, page, browser):
    await load_demo()
    url = live_server.url
    user_id = await _paid_registrant("sol@example.org", "Sol")
    await _paid_registrant("tam@example.org", "Tam")
    # the series took place: its eight sessions moved a year back, a month apart, same hour
    event = await Event.select().where(Event.slug == SERIES).first()
    sessions = await Session.select().where(Session.event == event["id"]).order_by(Session.starts_at)
    back = sessions[-1]["ends_at"] - clock.now() + timedelta(days=30)
    for s in sessions:
        await Session.update({Session.starts_at: s["starts_at"] - back, Session.ends_at: s["ends_at"] - back}).where(
            Session.id == s["id"])
    await Event.update({Event.starts_at: event["starts_at"] - back, Event.ends_at: event["ends_at"] - back}).where(
        Event.id == event["id"])

    await _staff(page, url)
    base = f"{url}/staff/events/{SERIES}/attendance/"
    await page.goto(base)
    await page.locator("#sessions_required").fill("6")
    await page.get_by_label("This event offers certificates of attendance").check()
    await page.locator("#board_credit").fill("ABS leader certification: group hours")
    await page.get_by_role("button", name="Save").click()
    await page.locator("#notice").wait_for()
    for i, s in enumerate(sessions):
        rows = [("Sol Ident", "sol@example.org", 85)] if i < 6 else []
        rows += [("Tam Ident", "tam@example.org", 90)] if i < 4 else []
        await page.locator(f"#file-{s['id']}").set_input_files(
            files=[{"name": f"session-{i + 1}.csv", "mimeType": "text/csv", "buffer": _csv(rows or [("x", "", 1)])}])
        await page.locator(f"form[action$='/sessions/{s['id']}/upload'] button").click()
        await page.locator("#notice").wait_for()
    rows = {await r.locator("td").nth(0).inner_text(): await r.locator("td").nth(1).inner_text()
            for r in await page.locator("#attendance tbody tr").all()}
    assert rows["Sol Ident"] == "6 of 8" and rows["Tam Ident"] == "4 of 8"
    await page.get_by_role("button", name="Issue certificates to everyone who met the threshold").click()
    await page.locator("#notice").wait_for()
    assert "1 certificates issued" in await page.locator("#notice").inner_text()

    async def registrar(tab):
        await _staff(tab, url)

    await _shots(browser, url, f"/staff/events/{SERIES}/attendance/", "attendance-staff", sign_in=registrar)

    learner = await browser.new_context(viewport={"width": 390, "height": 900})
    mine = await learner.new_page()
    await _as_user(mine, url, user_id, "/account/attendance")
    text = await mine.locator("main").inner_text()
    assert "6 of 8 sessions" in text and "board credit granted: ABS leader certification: group hours" in text
    await mine.screenshot(path="/tmp/i25-attendance-learner-390.png", full_page=True)
    await mine.get_by_role("link", name="verify").first.click()
    await mine.locator("#status").wait_for()
    assert "Valid" in await mine.locator("#status").inner_text()
    await mine.screenshot(path="/tmp/i25-attendance-verify-390.png", full_page=True)
    await learner.close()
