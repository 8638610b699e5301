"""In a real Chromium: the registrar runs the small-group assignment, reviews its quality,
publishes it, and the attendee sees their group and room on their account page."""

import pytest

from confops.accounts.service import issue_login_link
from confops.accounts.tables import User
from confops.demo.abs import load_demo
from confops.groups.kinds import RunStatus
from confops.groups.tables import GroupMember
from confops.registration.tables import Attendee

pytestmark = pytest.mark.browser
SLUG = "abs-national-meeting"


async def test_assign_review_publish_then_attendee_sees_group(db, live_server, page):
    await load_demo()
    await page.goto(live_server.url + f"/staff/events/{SLUG}/groups")
    await page.get_by_label("E-mail").fill("registrar@example.org")
    await page.get_by_label("Password").fill("confops-demo")
    await page.get_by_role("button", name="Sign in").click()
    await page.get_by_label("Seed").fill("11")
    await page.get_by_role("button", name="Run assignment").click()
    await page.get_by_text("(Draft, seed 11)").wait_for()
    quality = page.locator("#quality")
    assert "pins broken: 0" in await quality.inner_text()
    assert "every constraint is met." in await quality.inner_text()
    await page.get_by_role("button", name="Publish and notify").click()
    await page.get_by_text("Done: published").wait_for()
    await page.get_by_role("button", name="Sign out").click()

    avery = await Attendee.select(Attendee.id).where(Attendee.email == "attendee@example.org").first()
    home = await GroupMember.select(GroupMember.group.number.as_alias("number"),
                                    GroupMember.group.room.as_alias("room"),
                                    GroupMember.group.run.seed.as_alias("seed")).where(
        (GroupMember.attendee == avery["id"]) & (GroupMember.group.run.status == RunStatus.published.value)).first()
    assert home["seed"] == 11
    user = await User.select(User.id).where(User.email == "attendee@example.org").first()
    token = await issue_login_link(user["id"], next_path="/account/groups", valid_minutes=5)
    await page.goto(live_server.url + f"/login/link/{token}")
    await page.get_by_role("button", name="Sign me in").click()
    await page.wait_for_url(live_server.url + "/account/groups")
    card = page.locator(".my-group")
    await card.get_by_text(f"group {home['number']}").wait_for()
    assert home["room"] in await card.inner_text()
