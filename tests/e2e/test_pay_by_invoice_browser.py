"""Issue 24's walk in a real Chromium, with the project's clock moved: two members order the
demo meeting to be paid by invoice; each gets the acknowledgement (read from the real SMTP
server), a reminder a week before the due date, and the expiry notice. Their cheques arrive
after the due date. The first finds places left: staff record it, the order is confirmed with
an invoice number and the paid confirmation goes out. The meeting sells out before the second
is recorded: it lands in "paid, no place", listed on the event's payments page, and staff refund
it in one click. A third member's cheque lands there too; staff put that order on the waiting list
in one click instead (the buyer is told), someone joins the public waitlist behind it, the first
member cancels in her browser, and the freed place goes to the paid order, not to the unpaid
waitlist: confirmed, invoiced, its QR mailed. Every payment is accounted for and the counters equal
the rows throughout.

The server runs in the test's own process (uvicorn in the test's event loop), so
`clock.frozen_at` / `clock.advance` move time for the pages, the reminder and expiry jobs alike.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import re
from datetime import UTC, datetime, timedelta

import PIL.Image
import pytest
import uvicorn
import zxingcpp

from confops.core import clock
from confops.core.outbox import deliver_due
from confops.demo.abs import load_demo
from confops.events.tables import Event
from confops.payments import ledger
from confops.payments.invoices import number_of
from confops.registration.consistency import check
from confops.registration.holds import release_expired
from confops.registration.reminders import send_payment_reminders
from confops.registration.tables import Attendee, EventSales, Order, WaitlistEntry
from confops.registration.waitlist import join_waitlist
from settings import Settings
from tests.conftest import TEST_SECRET
from tests.registration.factory import door_accepts
from tests.support.looks import looks_at
from tests.support.smtp import body_text, free_port

pytestmark = pytest.mark.browser

SLUG = "abs-national-meeting"


@contextlib.asynccontextmanager
async def served(db, var_dir, smtp_server):
    port = free_port()
    settings = Settings(env="test", database_url=db.url, secret_key=TEST_SECRET, base_url=f"http://127.0.0.1:{port}",
                        var_dir=var_dir, smtp_url=smtp_server.url, in_app_worker=False)
    from confops.app import create_app

    app = create_app(settings)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="on", log_level="warning"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.05)
    try:
        yield settings.base_url, app
    finally:
        server.should_exit = True
        await task


async def message_to(app, inbox, address: str, subject_part: str):
    await deliver_due(app.state.mailer)
    for _ in range(100):
        found = [m for m in inbox.to(address) if subject_part in m["Subject"]]
        if found:
            return found[-1]
        await asyncio.sleep(0.1)
    raise AssertionError(f"no mail “{subject_part}” to {address}: {[m['Subject'] for m in inbox.to(address)]}")


async def mail_to(app, inbox, address: str, subject_part: str) -> str:
    return body_text(await message_to(app, inbox, address, subject_part))


async def order_by_invoice(page, url: str, first: str, email: str) -> None:
    await page.goto(f"{url}/events/{SLUG}/register")
    await page.get_by_label("ABS member").check()
    await page.get_by_label("First name").fill(first)
    await page.get_by_label("Last name").fill("Member")
    await page.get_by_label("E-mail").fill(email)
    await page.get_by_label("Is this your first ABS meeting?").select_option("no")
    await page.get_by_role("button", name="Review").click()
    await page.get_by_label("Invoice (bank transfer)").check()
    await page.get_by_role("button", name="Confirm registration").click()
    await page.locator("#status").wait_for()
    assert await page.locator("#status").inner_text() == "awaiting payment"


async def record_cheque(page, url: str, order_id: int, reference: str) -> str:
    await page.goto(f"{url}/staff/orders/{order_id}/payments")
    await page.get_by_label("Method").select_option("cheque")
    await page.get_by_label("Reference").fill(reference)
    await page.locator("#record-payment button[type=submit]").click()
    await page.locator("#notice").wait_for()
    return await page.locator("#notice").inner_text()


async def test_invoice_orders_reminded_expired_then_paid_late_with_and_without_places(db, var_dir, smtp_server,
                                                                                     inbox, browser):
    start = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)
    with clock.frozen_at(start):
        await load_demo()
        event = await Event.select().where(Event.slug == SLUG).first()
        async with served(db, var_dir, smtp_server) as (url, app):
            buyer_context, looks = await looks_at(browser, 1280)
            page = looks.page
            await order_by_invoice(page, url, "Ida", "ida@example.org")
            await order_by_invoice(page, url, "Ole", "ole@example.org")
            await order_by_invoice(page, url, "Uma", "uma@example.org")
            ida = await Order.select().where(Order.buyer_email == "ida@example.org").first()
            ole = await Order.select().where(Order.buyer_email == "ole@example.org").first()
            uma = await Order.select().where(Order.buyer_email == "uma@example.org").first()
            assert ida["payment_method"] == "invoice" and ida["expires_at"] == start + timedelta(days=14)

            ack = await mail_to(app, inbox, "ida@example.org", "")
            assert "Invoice" in ack and "$" in ack and "2026" in ack
            pay_link = next(w for w in ack.split() if "/pay?token=" in w)
            ack_ole = await mail_to(app, inbox, "ole@example.org", "")
            assert "/pay?token=" in ack_ole

            clock.advance(timedelta(days=7, hours=1))  # a week before the due date
            assert await send_payment_reminders() >= 2  # theirs, and the demo's unpaid ones
            reminder = await mail_to(app, inbox, "ida@example.org", "eminder")
            assert pay_link in reminder
            clock.advance(timedelta(days=7))  # past the due date: both expire
            assert await release_expired() >= 3
            expired = await mail_to(app, inbox, "ida@example.org", "xpired")
            assert "register again" in expired.lower() or f"/events/{SLUG}" in expired
            assert await check() == []

            # The buyer's pay page, expired, as the buyer sees it on a phone and a laptop.
            for width in (390, 1280):
                context, phone = await looks_at(browser, width)
                await phone.goto(pay_link, "pay page of an expired invoice order")
                assert await phone.page.locator("#expired").count() == 1
                assert phone.problems == [], phone.problems
                await context.close()

            staff_context, staff = await looks_at(browser, 1280)
            await staff.page.goto(url + "/staff/login")
            await staff.page.get_by_label("E-mail").fill("registrar@example.org")
            await staff.page.get_by_label("Password").fill("confops-demo")
            await staff.page.get_by_role("button", name="Sign in").click()
            await staff.page.wait_for_url(re.compile(r"/staff"))

            # Ida's cheque, after the due date, with places left: confirmed again, invoiced, mailed.
            notice = await record_cheque(staff.page, url, ida["id"], "Chq 3021")
            assert "confirmed again with its places" in notice
            assert (await ledger.order_row(ida["id"]))["status"] == "confirmed"
            number = await number_of(ida["id"])
            assert number and number in await staff.page.content()
            await staff.check("staff order page after a late cheque")
            history = await staff.page.locator("#history li").all_inner_texts()
            paid_at = next(h for h in history if "by cheque (Chq 3021)" in h).split(": ")[0]
            assert paid_at == next(h for h in history if "Payment recorded by staff" in h).split(": ")[0]
            paid = await mail_to(app, inbox, "ida@example.org", "confirmed")
            assert "Member" in paid and "/orders/" in paid
            assert await check() == []
            for width in (390, 1280):  # the same pay page, now paid
                context, phone = await looks_at(browser, width)
                await phone.goto(pay_link, "pay page of an invoice order paid late")
                assert await phone.page.locator("#expired").count() == 0
                assert "confirmed" in await phone.page.content()
                assert phone.problems == [], phone.problems
                await context.close()

            # The meeting sells out before Ole's cheque is recorded: paid, no place, then refunded.
            sold = (await EventSales.select(EventSales.sold).where(EventSales.event == event["id"]).first())["sold"]
            await Event.update({Event.capacity: sold}).where(Event.id == event["id"])
            notice = await record_cheque(staff.page, url, ole["id"], "Chq 3022")
            assert "paid, no place" in notice
            for width in (390, 1280):
                context, look = await looks_at(browser, width)
                await context.add_cookies(await staff_context.cookies())
                await look.goto(f"{url}/staff/orders/{ole['id']}/payments", "staff order page paid no place")
                assert look.problems == [], look.problems
                await context.close()
            told = await mail_to(app, inbox, "ole@example.org", "no longer free")
            assert "refund" in told
            await staff.page.goto(f"{url}/staff/events/{event['id']}/payments")
            stranded = staff.page.locator(f"#no-place-{ole['id']}")
            await stranded.get_by_role("button", name=re.compile("Refund")).click()
            await staff.page.locator("#notice").wait_for()
            assert "The refund was recorded." in await staff.page.locator("#notice").inner_text()
            money = await ledger.balance_of(await ledger.order_row(ole["id"]))
            assert (money.paid_cents, money.refunded_cents, money.held_cents) == (ole["total_cents"],
                                                                                 ole["total_cents"], 0)
            assert "refunded" in await mail_to(app, inbox, "ole@example.org", "refunded")  # and Ole is told
            await staff.page.goto(f"{url}/staff/events/{event['id']}/payments")
            assert await staff.page.locator(f"#no-place-{ole['id']}").count() == 0
            assert await check() == []

            # Uma's cheque finds no place either; staff put her order on the waiting list instead.
            notice = await record_cheque(staff.page, url, uma["id"], "Chq 3023")
            assert "paid, no place" in notice
            await staff.page.goto(f"{url}/staff/events/{event['id']}/payments")
            await staff.page.locator(f"#no-place-{uma['id']}").get_by_role(
                "button", name="Put on the waiting list").click()
            await staff.page.locator("#notice").wait_for()
            assert "on the waiting list" in await staff.page.locator("#notice").inner_text()
            await staff.page.goto(f"{url}/staff/events/{event['id']}/payments")
            assert "on the waiting list since" in await staff.page.locator(f"#no-place-{uma['id']}").inner_text()
            await staff.check("payments page with a paid order on the waiting list")
            waiting = await mail_to(app, inbox, "uma@example.org", "waiting list")
            assert "next place that frees up" in waiting
            await join_waitlist(SLUG, "Wes Waiting", "wes@example.org")  # behind her: he has not paid
            assert await check() == []

            # Ida cancels in her browser: the place she frees is Uma's, not an offer to Wes.
            ida_confirmation = await mail_to(app, inbox, "ida@example.org", "confirmed")
            await page.goto(next(w for w in ida_confirmation.split() if "/orders/" in w))
            await page.get_by_role("button", name="Cancel registration…").click()
            await page.get_by_role("button", name="Yes, cancel my registration").click()
            await page.locator("#notice").wait_for()
            assert (await ledger.order_row(ida["id"]))["status"] == "cancelled"
            assert (await ledger.order_row(uma["id"]))["status"] == "confirmed"
            assert await number_of(uma["id"])
            placed = await message_to(app, inbox, "uma@example.org", "confirmed")
            codes = [code.text for part in placed.walk() if part.get_content_type() == "image/png"
                     for code in zxingcpp.read_barcodes(PIL.Image.open(io.BytesIO(part.get_content())))]
            umas = await Attendee.select(Attendee.id).where(Attendee.order == uma["id"]).first()
            assert codes and await door_accepts(codes[0]) == umas["id"]  # the door lets her in
            entry = await WaitlistEntry.select(WaitlistEntry.status).where(
                WaitlistEntry.email == "wes@example.org").first()
            assert entry["status"] == "waiting"  # no offer: the place was owed to money already paid
            await staff.page.goto(f"{url}/staff/orders/{uma['id']}/payments")
            history = await staff.page.locator("#history li").all_inner_texts()
            assert any("Put on the waiting list" in h for h in history)
            assert any("Given a place that freed up" in h for h in history)
            assert await check() == []
            assert staff.problems == [], staff.problems
            await staff_context.close()
            await buyer_context.close()
