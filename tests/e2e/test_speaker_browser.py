"""In a real Chromium: a speaker opens the invitation's link, edits the abstract and submits a
disclosure with one relationship; the CME coordinator records mitigation; the public session
page shows it."""

from urllib.parse import urlparse

import pytest

from confops.accounts.service import load_principal
from confops.accounts.tables import User
from confops.demo.abs import load_demo
from confops.events.tables import Session
from confops.speakers import invitations
from tests.support.http import links_in
from tests.support.smtp import body_text

pytestmark = pytest.mark.browser
SLUG = "abs-national-meeting"


async def test_speaker_discloses_and_coordinator_mitigates(db, live_server, page, inbox):
    await load_demo()
    w6 = await Session.select().where((Session.code == "W6") & (Session.event.slug == SLUG)).first()
    admin = await User.select(User.id).where(User.email == "admin@example.org").first()
    await invitations.invite(await load_principal(admin["id"]), event_slug=SLUG, session_ids=[w6["id"]],
                             email="jose@example.org", first_name="", last_name="", role="presenter",
                             base_url=live_server.url)
    message = inbox.wait_for("jose@example.org", timeout=20)[0]  # sent by the server's outbox worker
    link = next(u for u in links_in(body_text(message)) if "/login/link/" in u)
    assert urlparse(link).netloc == urlparse(live_server.url).netloc

    await page.goto(link)
    await page.get_by_role("button", name="Sign me in").click()
    await page.wait_for_url(live_server.url + "/speaker")
    await page.locator(f'a[href="/speaker/sessions/{w6["id"]}"]').click()
    await page.get_by_label("Abstract").fill("Interpreters, idioms and the space between languages.")
    await page.get_by_label("Learning objectives").fill("Describe one\nPractise two\nPlan three")
    await page.get_by_role("button", name="Save changes").click()
    await page.get_by_text("Your changes are saved.").wait_for()

    await page.goto(live_server.url + "/speaker/disclosure")
    await page.get_by_label("I have relationships to disclose").check()
    await page.get_by_label("Company 1").fill("Lumen Diagnostics")
    await page.get_by_label("Nature 1").select_option("researcher")
    await page.get_by_label("I attest that this disclosure").check()
    await page.get_by_role("button", name="Submit disclosure").click()
    await page.wait_for_url(live_server.url + "/speaker?saved=disclosure")
    assert "1 relationship(s) disclosed" in await page.content()
    await page.get_by_role("button", name="Sign out").click()

    await page.goto(live_server.url + f"/staff/events/{SLUG}/disclosures")
    await page.get_by_label("E-mail").fill("cme@example.org")
    await page.get_by_label("Password").fill("confops-demo")
    await page.get_by_role("button", name="Sign in").click()
    row = page.locator(".relationship", has_text="Lumen Diagnostics")
    await row.get_by_role("button", name="Relevant", exact=True).click()
    row = page.locator(".relationship", has_text="Lumen Diagnostics")
    await row.get_by_label("Content peer-reviewed for bias before the session").check()
    await row.get_by_label("Notes").fill("Reviewed by the planning committee.")
    await row.get_by_role("button", name="Record mitigation").click()
    await page.locator(".relationship", has_text="mitigated").first.wait_for()

    await page.goto(live_server.url + f"/events/{SLUG}/sessions/{w6['id']}")
    disclosures = page.get_by_role("region", name="Disclosures")
    assert "Researcher, Lumen Diagnostics — mitigated" in await disclosures.inner_text()
    assert "Interpreters, idioms" in await page.content()
