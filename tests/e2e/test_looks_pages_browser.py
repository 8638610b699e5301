"""The rest of what people see, audited as test_looks_browser.py audits the journeys: the pay page,
the verify page of a valid and of a revoked certificate, a person's /account pages and the
speaker portal, and the staff pages of CME, the schedule, groups, exports, bulk mail, event
set-up and payments. At 390 and 1280 px in a real Chromium: no sideways scroll, no CSP refusal,
no serious or critical axe-core violation; screenshots in var/test-screenshots/."""

import re

import pytest

from confops.accounts.service import issue_login_link
from confops.accounts.tables import User
from confops.attendance.tables import AttendanceCertificate
from confops.cme import issuer_keys
from confops.cme.certificates import revoke_record
from confops.demo.abs import load_demo
from confops.registration.config import configure
from confops.registration.order_decision import order_token
from confops.registration.tables import Attendee, Order
from tests.cme.support import evaluated_and_claimed
from tests.conftest import TEST_SECRET
from tests.support.looks import looks_at

pytestmark = pytest.mark.browser

WIDTHS = (390, 1280)
SLUG = "abs-national-meeting"
STAFF = f"/staff/events/{SLUG}"


@pytest.fixture
def db(_databases):
    """SQLite alone, as in test_looks_browser.py: a page's look does not depend on the engine."""
    from tests.conftest import _fresh

    return _fresh(_databases, "sqlite")


async def _staff(page, url: str, email: str) -> None:
    await page.goto(url + "/staff/login")
    await page.get_by_label("E-mail").fill(email)
    await page.get_by_label("Password").fill("confops-demo")
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(url + "/staff")


async def _person(page, url: str, email: str, path: str) -> None:
    user = await User.select(User.id).where(User.email == email).first()
    token = await issue_login_link(user["id"], next_path=path, valid_minutes=5)
    await page.goto(f"{url}/login/link/{token}")
    await page.get_by_role("button", name="Sign me in").click()
    await page.wait_for_url(url + path)


async def _links(page, pattern: str) -> list[str]:
    """The distinct hrefs on the page matching `pattern` (a regular expression)."""
    hrefs = await page.eval_on_selector_all("a[href]", "as => as.map(a => a.getAttribute('href'))")
    return list(dict.fromkeys(h for h in hrefs if re.fullmatch(pattern, h)))


async def test_staff_pages_of_every_area(db, live_server, browser):
    await load_demo()
    order = await Order.select(Order.id).where(Order.buyer_email == "morgan@example.org").first()
    problems: list[str] = []
    for width in WIDTHS:
        context, looks = await looks_at(browser, width)
        page, url = looks.page, live_server.url
        await _staff(page, url, "registrar@example.org")
        for path, name in (
            ("/staff/events", "staff-events"), ("/staff/events/new", "staff-event-new"),
            (STAFF + "/edit", "staff-event-edit"), (STAFF + "/registrations/catalog", "staff-catalog"),
            (STAFF + "/schedule", "staff-schedule"), (STAFF + "/speakers", "staff-speakers"),
            (STAFF + "/groups", "staff-groups"), ("/staff/leader-training", "staff-leader-training"),
            (STAFF + "/exports", "staff-exports"), (STAFF + "/mail", "staff-mail"),
            (STAFF + "/diversity", "staff-diversity"), (STAFF + "/attendance", "staff-attendance"),
            (f"/staff/orders/{order['id']}/payments", "staff-order"),
            (STAFF + "/registrations/accessibility", "staff-accessibility"),
            ("/staff/events/online-residents-group/series", "staff-series"),
        ):
            await looks.goto(url + path, name)
        await page.goto(url + "/staff")
        row = page.get_by_role("row").filter(has=page.get_by_role("link", name="ABS National Meeting 2027", exact=True))
        await row.get_by_role("link", name="Payments").click()
        await page.get_by_role("link", name=re.compile("Reconciliation")).click()
        await looks.check("staff-reconciliation")
        await page.context.clear_cookies()

        await _staff(page, url, "cme@example.org")
        for path, name in ((STAFF + "/cme", "staff-cme"), (STAFF + "/cme/learners", "staff-cme-learners"),
                           (STAFF + "/cme/certificates", "staff-cme-certificates"),
                           (STAFF + "/cme/evaluations", "staff-cme-evaluations"),
                           (STAFF + "/disclosures", "staff-disclosures")):
            await looks.goto(url + path, name)
        problems += looks.problems
        await context.close()
    assert not problems, "\n".join(problems)


async def test_a_persons_own_pages_and_the_public_documents(db, live_server, browser):
    # the server's secret, so that the order tokens and the issuer key made here open there
    configure(base_url=live_server.url, hold_minutes=30, offer_hours=48, secret=TEST_SECRET)
    issuer_keys.configure(base_url=live_server.url, secret_key=TEST_SECRET)
    await load_demo()
    valid = await evaluated_and_claimed("morgan@example.org")
    other = await Attendee.select(Attendee.email).where(
        (Attendee.order.status == "confirmed") & (Attendee.email != "morgan@example.org") & (Attendee.event.slug == SLUG)
    ).order_by(Attendee.id).first()
    revoked = await evaluated_and_claimed(other["email"])
    assert await revoke_record(revoked, "Attendance record was wrong", actor_id=None)
    unpaid = await Order.select(Order.id, Order.idempotency_key).where(
        Order.status == "awaiting_payment").order_by(Order.id).first()
    problems: list[str] = []
    for width in WIDTHS:
        context, looks = await looks_at(browser, width)
        page, url = looks.page, live_server.url
        await looks.goto(f"{url}/orders/{unpaid['id']}/pay?token={order_token(unpaid['idempotency_key'])}", "pay")
        await looks.goto(f"{url}/verify/{valid['serial']}", "verify-valid")
        assert "Valid" in await page.locator("#status").inner_text()
        await looks.goto(f"{url}/verify/{revoked['serial']}", "verify-revoked")
        assert "Revoked" in await page.locator("#status").inner_text()

        await _person(page, url, "morgan@example.org", "/account")
        for path in ("/account/receipts", "/account/attendance", "/account/cme", "/account/cme/transcript",
                     "/account/groups", "/account/leader-training", "/account/privacy", "/account/security"):
            await looks.goto(url + path, path.strip("/").replace("/", "-"))
            if path in ("/account/cme", "/account/groups"):  # one level down: the claim page, a roster
                for href in (await _links(page, r"/account/(cme/\d+|groups/\d+/roster)"))[:1]:
                    await looks.goto(url + href, href.strip("/").split("/")[1] + "-detail")
        await page.context.clear_cookies()

        await _person(page, url, "maya@example.org", "/speaker")
        await looks.goto(url + "/speaker/cme", "speaker-cme")
        await page.goto(url + "/speaker")
        for href in (await _links(page, r"/speaker/sessions/\d+"))[:1]:
            await looks.goto(url + href, "speaker-session")
        problems += looks.problems
        await context.close()
    assert not problems, "\n".join(problems)


async def _attendance_certificates() -> tuple[str, str]:
    """Two registrants of the online series who attended its first meeting, each given a
    certificate of attendance; the second's revoked. Their serials."""
    from confops.attendance import service as attendance
    from confops.events.tables import Event, Session
    from confops.payments.service import record_manual_payment
    from confops.registration.intake import AttendeeIn, OrderIn
    from confops.registration.orders import place_order
    from tests.cme.support import meeting_over, principal_of

    series = "online-residents-group"
    ids = []
    for n in (1, 2):
        placed = await place_order(series, OrderIn(
            buyer_name=f"Res{n} Ident", buyer_email=f"r{n}@example.org", idempotency_key=f"looks-attendance-{n}",
            attendees=[AttendeeIn(category="resident", email=f"r{n}@example.org", first_name=f"Res{n}",
                                  last_name="Ident", credentials="MD", answers={"first_meeting": "yes"})]),
            hold_minutes=30, base_url="http://testserver.local")
        await record_manual_payment(placed.id, method="cheque", amount_cents=placed.total_cents,
                                    reference=f"chq {n}", recorded_by=None)
        ids.append((await Attendee.select(Attendee.id).where(Attendee.order == placed.id).first())["id"])
    registrar = await principal_of("registrar@example.org")
    await attendance.save_rule(registrar, series, {"sessions_required": "1", "offers_certificate": "1"})
    event = await Event.select(Event.id).where(Event.slug == series).first()
    first = await Session.select().where(Session.event == event["id"]).order_by(Session.starts_at).first()
    for attendee_id in ids:
        await attendance.record(first, attendee_id, 90, "upload", None)
    await meeting_over(series)  # its meetings took place: certificates are issued after the last
    assert await attendance.issue_certificates(registrar, series) == 2
    valid, revoked = [(await AttendanceCertificate.select().where(AttendanceCertificate.attendee == i).first())
                      for i in ids]
    await attendance.revoke_certificate(registrar, series, revoked["id"], "The roll call named the wrong person.")
    return valid["serial"], revoked["serial"]


async def test_the_pages_the_other_audits_do_not_visit(db, live_server, browser):
    """Every public, attendee and speaker page of web/routes.py that renders HTML is audited
    somewhere: these are the ones the journeys above do not reach (certificates of attendance on
    /verify, an organizer's page, the demographics form, the sign-in link's page, leaving the
    mailing list) and the registrar's remaining pages."""
    from confops.accounts.tables import Organizer
    from confops.backoffice.mailing_list import unsubscribe_token

    configure(base_url=live_server.url, hold_minutes=30, offer_hours=48, secret=TEST_SECRET)
    issuer_keys.configure(base_url=live_server.url, secret_key=TEST_SECRET)
    await load_demo()
    valid, revoked = await _attendance_certificates()
    order = await Order.select(Order.id, Order.idempotency_key).where(
        (Order.buyer_email == "morgan@example.org") & (Order.event.slug == SLUG)).first()
    person = await Attendee.select(Attendee.id).where(Attendee.order == order["id"]).first()
    abs_id = (await Organizer.select(Organizer.id).where(Organizer.slug == "abs").first())["id"]
    problems: list[str] = []
    for width in WIDTHS:
        context, looks = await looks_at(browser, width)
        page, url = looks.page, live_server.url
        await looks.goto(f"{url}/verify/{valid}", "verify-attendance-valid")
        assert "Valid" in await page.locator("#status").inner_text()
        await looks.goto(f"{url}/verify/{revoked}", "verify-attendance-revoked")
        assert "Revoked" in await page.locator("#status").inner_text()
        verdict = page.locator("#own-check")
        await verdict.get_by_text("Revoked", exact=True).wait_for()
        assert "credit" not in (await verdict.inner_text()).lower()  # attendance, not credit, is certified
        await looks.goto(f"{url}/organizers/abs", "organizer")
        await looks.goto(f"{url}/orders/{order['id']}/demographics?token={order_token(order['idempotency_key'])}",
                         "demographics")
        await looks.goto(f"{url}/unsubscribe/{unsubscribe_token(abs_id, 'morgan@example.org')}", "unsubscribe")
        user = await User.select(User.id).where(User.email == "morgan@example.org").first()
        await looks.goto(f"{url}/login/link/{await issue_login_link(user['id'], next_path='/account', valid_minutes=5)}",
                         "sign-in-link")

        await _staff(page, url, "registrar@example.org")
        for path, name in ((STAFF + "/registrations/new", "staff-registration-new"),
                           (f"{STAFF}/registrations/attendees/{person['id']}", "staff-attendee-answers")):
            await looks.goto(url + path, name)
        # a walk-in at the desk, and the page that follows it (the badge to print)
        await page.goto(url + STAFF + "/walk-in")
        await page.get_by_label(re.compile("^Non-member")).check()
        await page.get_by_label("First name").fill("Walker")
        await page.get_by_label("Last name").fill(f"Inn{width}")
        await page.get_by_label("E-mail").fill(f"walker{width}@example.org")
        await page.get_by_label("Is this your first ABS meeting?").select_option("yes")
        await page.get_by_label("Complimentary (no charge)").check()
        await page.get_by_role("button", name="Register and print badge").click()
        await page.wait_for_url(re.compile(r".*/walk-in/\d+(\?.*)?$"))
        await looks.check("staff-walk-in-done")
        problems += looks.problems
        await context.close()
    assert not problems, "\n".join(problems)


async def test_an_admins_pages_and_the_second_factor(db, live_server, browser):
    """The admin's first sign-in (setting up the second factor, the recovery codes), the second
    step of a later one, the sessions' and second factor's page, and the admin-only pages (audit,
    jobs, privacy requests); and joining the mailing list."""
    import pyotp

    from confops.backoffice.mailing_list import join
    from confops.backoffice.tables import MailingListMember

    configure(base_url=live_server.url, hold_minutes=30, offer_hours=48, secret=TEST_SECRET)
    await load_demo()
    await join("abs", "newcomer@example.org", "Nell Newcomer")
    joined = await MailingListMember.select(MailingListMember.token).where(
        MailingListMember.email == "newcomer@example.org").first()
    problems: list[str] = []
    recovery: list[str] = []
    for width in WIDTHS:
        context, looks = await looks_at(browser, width)
        page, url = looks.page, live_server.url
        await page.goto(url + "/staff/login")
        await page.get_by_label("E-mail").fill("admin@example.org")
        await page.get_by_label("Password").fill("confops-demo")
        await page.get_by_role("button", name="Sign in").click()
        if not recovery:
            await page.get_by_role("heading", name="Set up your second factor").wait_for()
            await looks.check("second-factor-setup")
            secret = (await page.locator("#secret").inner_text()).replace(" ", "")
            await page.get_by_label("Code from your app").fill(pyotp.TOTP(secret).now())
            await page.get_by_role("button", name="Turn on the second factor").click()
            await page.get_by_role("heading", name="Save your recovery codes").wait_for()
            await looks.check("recovery-codes")
            recovery = await page.locator("#recovery-codes li").all_inner_texts()
            await page.get_by_role("link", name="I saved them, continue").click()
        else:
            await page.get_by_role("heading", name="Second step").wait_for()
            await looks.check("second-factor")
            await page.get_by_label("Code from your app, or a recovery code").fill(recovery.pop())
            await page.get_by_role("button", name="Verify and sign in").click()
        await page.wait_for_url(url + "/staff")
        for path, name in (("/staff/audit", "staff-audit"), ("/staff/jobs", "staff-jobs"),
                           ("/staff/privacy", "staff-privacy"), ("/account/security/second-factor", "second-factor-page")):
            await looks.goto(url + path, name)
        await page.context.clear_cookies()
        await looks.goto(f"{url}/mailing-list/confirm/{joined['token']}", "mailing-list-joined")
        problems += looks.problems
        await context.close()
    assert not problems, "\n".join(problems)
