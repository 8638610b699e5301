"""At the desk in a real Chromium: check-in staff register a walk-in who pays there, and the
badge is on screen at once; its QR decodes to a token the check-in verifier accepts."""

from __future__ import annotations

import re

import pytest

from confops.checkin import tokens
from confops.checkin.service import event_key
from confops.demo.abs import load_demo
from confops.events.tables import Event
from confops.registration.tables import Attendee
from tests.badges.readback import decoded_qr_codes, text_runs
from tests.conftest import TEST_SECRET

pytestmark = pytest.mark.browser
SLUG = "abs-national-meeting"


async def test_walk_in_registers_pays_and_shows_the_badge(db, live_server, page):
    await load_demo()
    await page.goto(live_server.url + f"/staff/events/{SLUG}/walk-in")
    await page.get_by_label("E-mail").fill("checkin@example.org")
    await page.get_by_label("Password").fill("confops-demo")
    await page.get_by_role("button", name="Sign in").click()
    await page.get_by_role("heading", name=re.compile("Walk-in registration")).wait_for()

    member = page.get_by_label(re.compile("^ABS member"))
    await member.check()
    price = re.search(r"\$[\d,]+\.\d\d", await page.locator("label[for=category-member]").inner_text()).group(0)
    await page.get_by_label("First name").fill("Αικατερίνη")
    await page.get_by_label("Last name").fill("Βλάχου")
    await page.get_by_label("E-mail").fill("katerina@example.org")
    await page.get_by_label("Credentials").fill("MD")
    await page.get_by_label("Institution").fill("Aristotle University of Thessaloniki")
    await page.get_by_label(re.compile("first ABS meeting")).select_option("yes")
    await page.get_by_label(re.compile("Paid at the desk")).check()
    await page.get_by_label("Amount taken").fill(price.lstrip("$"))
    await page.get_by_label("Receipt or terminal reference").fill("Receipt 0042")
    await page.get_by_role("button", name="Register and print badge").click()

    await page.locator("#registered").wait_for()
    assert "Αικατερίνη Βλάχου is registered" in await page.content()
    await page.locator("#badge-frame").wait_for()
    href = await page.locator("#badge-pdf").get_attribute("href")
    badge = await page.request.get(live_server.url + href)
    assert badge.ok and badge.headers["content-type"] == "application/pdf"
    pdf = await badge.body()
    assert "Αικατερίνη Βλάχου, MD" in text_runs(pdf)[0]
    (code,) = decoded_qr_codes(pdf)
    event = await Event.select(Event.id).where(Event.slug == SLUG).first()
    person = await Attendee.select(Attendee.id).where(Attendee.email == "katerina@example.org").first()
    result = tokens.verify(code, key=await event_key(event["id"], TEST_SECRET), current_version=1)
    assert result.ok and result.claims.attendee_id == person["id"]
