"""A visitor in a real Chromium: home page -> event -> agenda -> session; staff sign in."""

import pytest

from confops.demo.abs import load_demo

pytestmark = pytest.mark.browser


async def test_visitor_finds_the_agenda_and_a_session(db, live_server, page):
    await load_demo()
    await page.goto(live_server.url + "/")
    await page.get_by_role("link", name="ABS National Meeting").first.click()
    agenda = page.get_by_role("region", name="Agenda")
    await agenda.wait_for()
    assert await agenda.get_by_role("heading", level=3).count() == 3
    assert "Balint small groups, session 1" in await agenda.inner_text()
    await page.get_by_role("link", name="Co-leading across disciplines").click()
    assert await page.get_by_role("heading", level=1).inner_text() == "Co-leading across disciplines"
    assert "Nguyễn Thị Minh" in await page.content()


async def test_staff_sign_in_in_the_browser(db, live_server, page):
    await load_demo()
    await page.goto(live_server.url + "/staff")
    await page.get_by_label("E-mail").fill("registrar@example.org")
    await page.get_by_label("Password").fill("confops-demo")
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(live_server.url + "/staff")
    assert "Rita Registrar" in await page.content()
    assert await page.get_by_role("link", name="ABS National Meeting").count() >= 1
